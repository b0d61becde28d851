"""A story at a glance: the story page, the contested points proposed from
its conflicts, and the plugin's pages answering bad URLs with a 404."""

import html
import re

import pytest
import sqlite_utils

from claims import Corpus

from conftest import fetch


def test_contested_points_are_proposed_from_the_conflicts(seed_db):
    points = {r["id"]: r for r in seed_db.query("select * from questions where origin = 'auto'")}
    assert points and all(p["story_id"] == 1 and p["question"].endswith("?") for p in points.values())
    texts = [p["proposition"] for p in points.values()]
    # The mission's two points, found without being given.
    assert any("am Tisch sitzen" in t and "Europäische Union" in t for t in texts)
    assert any("Kellogg" in t and "Rolle" in t for t in texts)
    # Each is answered by the story's claims, on both sides where the sources disagree.
    [table] = [p for p in points.values() if "am Tisch sitzen" in p["proposition"]]
    stances = {(r["speaker"], r["stance"]) for r in seed_db.query("select speaker, stance from stances where question_id = ?", [table["id"]])}
    assert ("Kellogg", "no") in stances and ("Missionsleiter Rubio", "yes") in stances
    # The questions you gave stay yours.
    assert {r["origin"] for r in seed_db.query("select origin from questions where id in ('europeans-at-the-table', 'kellogg-role')")} == {"user"}


def _cells(page, question_fragment):
    """source -> (stance, claim) of the row whose question has ``question_fragment``."""
    rows = re.findall(r'<tr data-question="[^"]*">(.*?)</tr>', page, re.S)
    [row] = [r for r in rows if question_fragment in html.unescape(r.split("</th>")[0])]
    cells = re.findall(r'<td class="claims-cell[^"]*" data-source="([^"]*)" data-stance="([^"]*)">(.*?)</td>', row, re.S)
    return {source: (stance, html.unescape(body)) for source, stance, body in cells}


def test_the_story_page_shows_who_says_what(signals_datasette, signals_seed_db_path):
    # The mission's stances as the signals judge reads them: the stance model
    # trained on the CPU reads Rubio's "irgendwann mit am Tisch sitzen müssen"
    # as no (README, "Points first"), so the page is checked on that db.
    datasette, seed_db = signals_datasette, sqlite_utils.Database(signals_seed_db_path)
    response = fetch(datasette, "/-/claims/claims/story/1")
    assert response.status_code == 200
    page = response.text
    cells = _cells(page, "Werden die Europäer mit am Verhandlungstisch sitzen?")
    kellogg = [s for s, (stance, body) in cells.items() if "er glaube nicht, dass Europäer" in body]
    rubio = [s for s, (stance, body) in cells.items() if "irgendwann mit am Tisch sitzen" in body]
    assert kellogg and cells[kellogg[0]][0] == "no"
    assert rubio and cells[rubio[0]][0] == "yes"
    # Each cell's claim links to its span in the article; the conflicts and agreements follow.
    assert "/-/claims/claims/article/" in page and "#claim" in page
    assert 'id="conflicts"' in page and 'id="agreements"' in page
    for title in (r["title"] for r in seed_db.query("select title from articles")):
        assert html.escape(title, quote=False) in page or title in html.unescape(page)


def test_stories_link_to_their_pages(datasette):
    page = fetch(datasette, "/claims/stories").text
    assert 'class="claims-story" href="/-/claims/claims/story/1"' in page


@pytest.mark.parametrize(
    "path",
    ["/-/claims/claims/article/abc", "/-/claims/nope/article/1", "/-/claims/claims/article/99999", "/-/claims/claims/story/abc",
     "/-/claims/claims/story/99999", "/-/claims/nope/story/1", "/-/claims/claims/nothing/1", "/-/claims", "/-/claims/claims/story/1/x"],
)
def test_a_bad_url_is_a_404_with_a_message(datasette, path):
    response = fetch(datasette, path)
    assert response.status_code == 404 and "Not found" in response.text and len(response.text) < 300


def test_article_text_is_escaped_on_the_story_page(tmp_path, hashing):
    from datasette.app import Datasette

    path = tmp_path / "claims.db"
    trap = "<script>alert('x')</script> Die Europäer sitzen <b>nicht</b> am Tisch, sagte <i>er</i>."
    records = [
        {"title": "<h1>Falle</h1>", "source": "<em>Quelle</em>", "story": "Tisch", "text": f"Falle\n\n{trap} Die Gespräche beginnen am Montag."},
        {"title": "Tisch", "source": "Zeitung", "story": "Tisch", "text": "Tisch\n\nDie Europäer sitzen am Tisch, sagte die Kommissarin. Die Gespräche beginnen am Montag."},
    ]
    Corpus(path, model="hashing-64", encoder=hashing).add(records)
    story = sqlite_utils.Database(path).execute("select id from stories").fetchone()[0]
    page = fetch(Datasette([str(path)]), f"/-/claims/claims/story/{story}").text
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<em>Quelle</em>" not in page and "<h1>Falle</h1>" not in page


def test_the_story_page_says_when_each_source_first_said_what(tmp_path, hashing):
    from datasette.app import Datasette

    path = tmp_path / "claims.db"
    said = {"yes": "Die Europäer sitzen am Tisch, sagte die Kommissarin.", "no": "Die Europäer sitzen nicht am Tisch, sagte der Gesandte."}
    records = [
        {"title": "Später", "source": "Morgenblatt", "published": "2025-02-20", "story": "Tisch", "text": f"Später\n\n{said['no']}"},
        {"title": "Wieder", "source": "Abendpost", "published": "2025-02-18T09:00:00+01:00", "story": "Tisch", "text": f"Wieder\n\n{said['yes']} Es regnet."},
        {"title": "Zuerst", "source": "Abendpost", "published": "2025-02-15", "story": "Tisch", "text": f"Zuerst\n\n{said['yes']}"},
    ]
    question = {"id": "tisch", "question": "Sitzen die Europäer am Tisch?", "proposition": "Die Europäer sitzen am Tisch."}
    Corpus(path, model="hashing-64", encoder=hashing, questions=[question]).add(records)
    page = fetch(Datasette([str(path)]), "/-/claims/claims/story/1").text
    cells = {source: (stance, " ".join(re.sub("<[^>]+>", " ", body).split())) for source, (stance, body) in _cells(page, "Sitzen die Europäer am Tisch?").items()}
    # The source that reported first stands first; each cell says since when.
    assert list(cells) == ["Abendpost", "Morgenblatt"]
    assert cells["Abendpost"][0] == "yes" and "first said 2025-02-15" in cells["Abendpost"][1]
    assert cells["Morgenblatt"][0] == "no" and "first said 2025-02-20" in cells["Morgenblatt"][1]
    # The articles are listed in time.
    articles = page.split('id="articles"')[1]
    assert articles.index("Zuerst") < articles.index("Wieder") < articles.index("Später")


def test_the_story_page_shows_a_story_s_coverage_in_threads(tmp_path, hashing):
    from datasette.app import Datasette

    path = tmp_path / "claims.db"
    text = "Die Polizei zählte 10.000 Demonstranten in Riesa."
    records = [
        {"title": "Am Tag", "source": "A", "published": "2025-01-11", "story": "Riesa", "text": f"Am Tag\n\n{text}"},
        {"title": "Danach", "source": "B", "published": "2025-01-16", "story": "Riesa", "text": f"Danach\n\n{text} Der Minister sprach."},
        {"title": "Ein Jahr später", "source": "C", "published": "2026-02-26", "story": "Riesa",
         "text": "Ein Jahr später\n\nDie Ermittlungen zu den Protesten am 11. Januar 2025 wurden eingestellt."},
    ]
    Corpus(path, model="hashing-64", encoder=hashing).add(records)
    page = fetch(Datasette([str(path)]), "/-/claims/claims/story/1").text
    articles = page.split('id="articles"')[1]
    # The day and the days after, then the aftermath a year later.
    assert "2025-01-11 to 2025-01-16 · 2 articles" in articles and "2026-02-26 · 1 article" in articles
    assert articles.index("Danach") < articles.index("2026-02-26 · 1 article") < articles.index("Ein Jahr später")
