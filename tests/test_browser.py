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


def shown(browser, css, timeout=30):
    """The elements ``css`` selects once the page shows one: a page the server
    is slow to send (CI runs other builds beside it) is waited for, not read
    half-loaded. (An implicit wait would make every search that rightly finds
    nothing wait its whole length.)"""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, ignored_exceptions=(WebDriverException,)).until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, css))


@pytest.mark.smoke
def test_conflicts_page_shows_the_europeans_at_the_table(server, browser, tmp_path):
    browser.get(server + "/claims/conflicts")
    links = shown(browser, "a.claims-claim")
    screenshot = tmp_path / "conflicts.png"
    assert browser.save_screenshot(str(screenshot)) and screenshot.stat().st_size > 10_000
    claims = [a for a in links if a.is_displayed()]
    texts = [a.text for a in claims]
    kellogg = [t for t in texts if "er glaube nicht, dass Europäer" in t]
    rubio = [t for t in texts if "irgendwann mit am Tisch sitzen" in t]
    assert kellogg and rubio
    # Each claim opens its article with the claim marked.
    next(a for a in claims if "er glaube nicht, dass Europäer" in a.text).click()
    [mark] = shown(browser, "mark#claim")
    assert mark.is_displayed() and "er glaube nicht, dass Europäer" in mark.text


@pytest.mark.smoke
def test_the_story_page_shows_who_says_what_and_opens_the_span(signals_server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    # The mission's stances as the signals judge reads them (the stance model
    # reads Rubio's claim as no: README, "Points first").
    browser.get(signals_server + "/-/claims/claims/story/1")
    rows = shown(browser, "table.claims-points tbody tr")
    screenshot = tmp_path / "story.png"
    assert browser.save_screenshot(str(screenshot)) and screenshot.stat().st_size > 10_000
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
    [mark] = shown(browser, "mark#claim")
    assert mark.is_displayed() and "er glaube nicht, dass Europäer" in mark.text


@pytest.mark.smoke
def test_a_reader_reviews_two_conflicts_on_the_story_page_and_the_reviews_outlive_builds(browser, tmp_path):
    """claims serve --review: one click marks a false conflict related, one
    confirms a real one; claims build again, an added article and another
    judge keep both."""
    import sqlite_utils
    from selenium.webdriver.common.by import By
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    from conftest import GOLD_CONFLICTS, SEEDS, make_tiny_nli, start_server
    from test_reviews import false_conflict, pair_of

    from claims import Corpus

    path, folder = tmp_path / "claims.db", tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    db = sqlite_utils.Database(path)
    # Built in this process (the models load once); the server is another, as a user's is.
    Corpus(path).add([str(folder)])
    wrong, real = false_conflict(db), pair_of(db, *GOLD_CONFLICTS[1])
    story = db.execute("select story_id from articles a join claims c on c.article_id = a.id where c.id = ?", [real["claim_a"]]).fetchone()[0]
    log = (tmp_path / "serve.log").open("w+b")
    process, base = start_server(path, log, "--review")
    try:
        def click(pair, value):
            browser.get(f"{base}/-/claims/claims/story/{story}")
            form = next(
                f for f in shown(browser, ".claims-pair form.claims-review")
                if f.find_element(By.NAME, "claim_a").get_attribute("value") == str(pair["claim_a"])
                and f.find_element(By.NAME, "claim_b").get_attribute("value") == str(pair["claim_b"])
            )
            before = db["reviews"].count if db["reviews"].exists() else 0
            form.find_element(By.CSS_SELECTOR, f'button[value="{value}"]').click()
            # The click only starts the POST: wait until the review is stored
            # and its redirect has loaded the story page, or the next get races
            # the write. While Chrome swaps documents any query of the old one
            # may fail (stale element, or "node does not belong to the
            # document"), so those failures only mean "not yet".
            def back(driver):
                stored = db["reviews"].count if db["reviews"].exists() else 0
                return (stored > before and f"/story/{story}" in driver.current_url
                        and driver.execute_script("return document.readyState") == "complete")
            WebDriverWait(browser, 30, ignored_exceptions=(WebDriverException,)).until(back)

        click(wrong, "related")
        click(real, "conflict")
        browser.get(f"{base}/claims/conflicts?_size=max")
        rows = [r.text for r in shown(browser, "table.rows-and-columns tbody tr")]
        assert rows and not [r for r in rows if wrong["text_a"][:60] in r and wrong["text_b"][:60] in r]
        assert [r for r in rows if real["text_a"][:60] in r and real["text_b"][:60] in r and "confirmed" in r]
        rows = {(r["claim_a_id"], r["claim_b_id"]): r["status"] for r in db.query("select * from conflicts")}
        assert rows[(real["claim_a"], real["claim_b"])] == "confirmed" and (wrong["claim_a"], wrong["claim_b"]) not in rows

        def applied():
            texts = {(r["text_a"], r["text_b"]): r["relation"] for r in db.query(
                "select a.text as text_a, b.text as text_b, p.relation, p.status from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b where p.status = 'confirmed'")}
            return texts == {(wrong["text_a"], wrong["text_b"]): "related", (real["text_a"], real["text_b"]): "conflict"}

        Corpus(path).add([str(folder)])
        assert applied()
        (folder / "zz-report.txt").write_text(
            "Neue Gespräche\n\nDie Europäer würden nicht am Verhandlungstisch sitzen, sagte ein Sprecher am Montag.\n", encoding="utf-8")
        Corpus(path).add([str(folder)])
        assert applied()
        (tmp_path / "nli").mkdir()
        Corpus(path, judge=f"nli:{make_tiny_nli(tmp_path / 'nli')}").add([str(folder)])
        assert applied()
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
