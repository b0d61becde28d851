"""The conflicts page in a real headless browser, as a reader sees it."""

import shutil

import pytest


CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture
def browser():
    if not (CHROMIUM and DRIVER):
        pytest.skip("chromium and chromium-driver are not installed (make browser installs them as root)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--window-size=1400,2000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.mark.smoke
def test_conflicts_page_shows_the_europeans_at_the_table(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(server + "/claims/conflicts")
    screenshot = tmp_path / "conflicts.png"
    assert browser.save_screenshot(str(screenshot)) and screenshot.stat().st_size > 10_000
    claims = [a for a in browser.find_elements(By.CSS_SELECTOR, "a.claims-claim") if a.is_displayed()]
    texts = [a.text for a in claims]
    kellogg = [t for t in texts if "er glaube nicht, dass Europäer" in t]
    rubio = [t for t in texts if "irgendwann mit am Tisch sitzen" in t]
    assert kellogg and rubio
    # Each claim opens its article with the claim marked.
    next(a for a in claims if "er glaube nicht, dass Europäer" in a.text).click()
    mark = browser.find_element(By.CSS_SELECTOR, "mark#claim")
    assert mark.is_displayed() and "er glaube nicht, dass Europäer" in mark.text


@pytest.mark.smoke
def test_the_story_page_shows_who_says_what_and_opens_the_span(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(server + "/-/claims/claims/story/1")
    screenshot = tmp_path / "story.png"
    assert browser.save_screenshot(str(screenshot)) and screenshot.stat().st_size > 10_000
    rows = browser.find_elements(By.CSS_SELECTOR, "table.claims-points tbody tr")
    [row] = [r for r in rows if "Werden die Europäer mit am Verhandlungstisch sitzen?" in r.find_element(By.TAG_NAME, "th").text]
    cells = row.find_elements(By.CSS_SELECTOR, "td.claims-cell")
    stance = {c.get_attribute("data-stance"): c for c in cells if c.get_attribute("data-stance") in ("yes", "no")}
    assert "er glaube nicht, dass Europäer" in stance["no"].text and "Kellogg" in stance["no"].text
    assert "irgendwann mit am Tisch sitzen" in stance["yes"].text and "Rubio" in stance["yes"].text
    # Kellogg's role: the article that reports both says yes (western officials) and no (Moscow).
    [role] = [r for r in rows if "Spielt Kellogg weiterhin eine wichtige Rolle" in r.find_element(By.TAG_NAME, "th").text]
    answers = {
        a.find_element(By.CSS_SELECTOR, ".claims-stance").text.lower(): a.text
        for cell in role.find_elements(By.CSS_SELECTOR, "td.claims-cell") for a in cell.find_elements(By.XPATH, "./div")
    }
    assert "weiterhin eine wichtige Rolle" in answers["yes"] and "zeremoniell" in answers["no"]
    # The cell's claim opens its article with the claim marked.
    stance["no"].find_element(By.CSS_SELECTOR, "a.claims-answer").click()
    mark = browser.find_element(By.CSS_SELECTOR, "mark#claim")
    assert mark.is_displayed() and "er glaube nicht, dass Europäer" in mark.text
