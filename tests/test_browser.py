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
