"""Saved web pages as articles: the main text and what the page says of
itself, without its menus, teasers, banners and comment forms."""

from pathlib import Path

import pytest
import sqlite_utils

from claims import Corpus

PAGES = Path(__file__).resolve().parents[2] / "shared" / "pages"

ARTICLE = [
    "Die Außenminister der Europäischen Union haben sich am Montag in Brüssel auf neue Sanktionen gegen Russland geeinigt.",
    "Die Maßnahmen sollen nach Angaben von Diplomaten noch in dieser Woche in Kraft treten.",
    "Der ungarische Außenminister sagte, sein Land werde die Sanktionen nicht blockieren.",
    "Kritiker bemängeln, dass die Liste der betroffenen Banken zu kurz sei.",
    "Eine Sprecherin der Kommission erklärte, weitere Schritte würden bereits vorbereitet.",
]
BOILERPLATE = ["Cookie-Einstellungen", "Alle akzeptieren", "LESEN SIE AUCH", "Kommentar schreiben", "Startseite", "Newsletter abonnieren"]


def saved_page(title="Neue Sanktionen gegen Russland", site="Der Beispielbote", date="2025-03-17", body=ARTICLE) -> str:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in body)
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8">
<title>{title} | {site}</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="{date}T09:30:00+01:00">
<meta name="author" content="Erika Muster">
<link rel="canonical" href="https://beispielbote.example/politik/sanktionen-russland-123.html">
</head><body>
<div id="cookie-banner" class="cookie-consent"><p>Wir verwenden Cookies. Cookie-Einstellungen</p><button>Alle akzeptieren</button></div>
<header><nav><ul><li><a href="/">Startseite</a></li><li><a href="/politik">Politik</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article>
<h1>{title}</h1>
<p class="byline">Von Erika Muster, {date}</p>
{paragraphs}
</article>
<aside class="teaser"><h3>LESEN SIE AUCH</h3><a href="/x">Streit um den Haushalt: Koalition ringt um Einigung</a></aside>
<section id="comments" class="comments"><h3>Kommentar schreiben</h3><form><textarea name="c"></textarea><button>Senden</button></form></section>
</main>
<footer><a href="/newsletter">Newsletter abonnieren</a> · Impressum · Datenschutz</footer>
</body></html>
"""


def test_a_saved_page_gives_only_its_articles_claims_with_title_date_outlet_and_url(tmp_path, hashing):
    pytest.importorskip("trafilatura")
    page = tmp_path / "sanktionen.html"
    page.write_text(saved_page(), encoding="utf-8")
    Corpus(tmp_path / "t.db", model="hashing-64", encoder=hashing).add([str(page)])
    db = sqlite_utils.Database(tmp_path / "t.db")
    [article] = list(db.query("select * from articles"))
    assert article["title"] == "Neue Sanktionen gegen Russland"
    assert article["source"] == "Der Beispielbote"
    assert article["published"] == "2025-03-17"
    assert article["url"] == "https://beispielbote.example/politik/sanktionen-russland-123.html"
    assert article["author"] == "Erika Muster"
    claims = " ".join(r["text"] for r in db.query("select text from claims"))
    for sentence in ARTICLE[:3]:
        assert sentence.rstrip(".") in claims
    for furniture in BOILERPLATE + ["Streit um den Haushalt"]:
        assert furniture not in claims and furniture not in article["text"]


def test_a_page_without_article_text_is_one_line_and_the_build_goes_on(tmp_path, hashing):
    pytest.importorskip("trafilatura")
    (tmp_path / "front.html").write_text("<html><body><nav><a href='/'>Startseite</a></nav><p>Willkommen!</p></body></html>", encoding="utf-8")
    (tmp_path / "broken.htm").write_bytes(b"<html><body>\x00\x01\x02</body>")
    (tmp_path / "good.html").write_text(saved_page(), encoding="utf-8")
    result = Corpus(tmp_path / "t.db", model="hashing-64", encoder=hashing).add([str(tmp_path)])
    assert result.new == 1
    messages = {p.path.rsplit("/", 1)[-1]: p.message for p in result.problems}
    assert "no article text found" in messages["front.html"]
    assert "broken.htm" in messages
    logged = {r["path"].rsplit("/", 1)[-1] for r in sqlite_utils.Database(tmp_path / "t.db").query("select path from ingest_log")}
    assert {"front.html", "broken.htm"} <= logged


def test_without_the_web_extra_a_page_is_one_line_naming_it(tmp_path, hashing, monkeypatch):
    from claims.inputs import pages

    monkeypatch.setattr(pages, "missing", lambda: "reading saved pages needs trafilatura (pip install 'claims[web]'), skipped")
    (tmp_path / "a.html").write_text(saved_page(), encoding="utf-8")
    result = Corpus(tmp_path / "t.db", model="hashing-64", encoder=hashing).add([str(tmp_path / "a.html")])
    assert result.new == 0
    assert [str(p) for p in result.problems] == [f"{tmp_path / 'a.html'}: reading saved pages needs trafilatura (pip install 'claims[web]'), skipped"]


@pytest.mark.skipif(not PAGES.is_dir(), reason="../shared/pages is not here")
def test_the_eleven_real_saved_pages(tmp_path, hashing):
    pytest.importorskip("trafilatura")
    files = sorted(PAGES.glob("*.html"))
    Corpus(tmp_path / "t.db", model="hashing-64", encoder=hashing).add([str(f) for f in files])
    db = sqlite_utils.Database(tmp_path / "t.db")
    rows = list(db.query("select * from articles"))
    assert len(rows) == len(files) == 11
    assert all(r["title"] and r["published"] and r["source"] and r["url"] for r in rows)
    sources = {r["source"] for r in rows}
    assert {"ZEIT ONLINE", "Süddeutsche.de", "Frankfurter Allgemeine Zeitung", "MEEDIA"} <= sources
    claims = [r["text"] for r in db.query("select text from claims")]
    furniture = ("Cookie", "Newsletter", "Kommentar schreiben", "Datenschutzerklärung", "Alle Rechte vorbehalten", "LESEN SIE AUCH")
    assert not [c for c in claims if any(f.lower() in c.lower() for f in furniture)]


def test_the_readme_walkthrough_pages_give_their_outlets_dates_and_only_their_sentences(tmp_path, hashing):
    # docs/example is what the README's "A story from the web" builds.
    pytest.importorskip("trafilatura")
    folder = Path(__file__).resolve().parents[1] / "docs" / "example"
    Corpus(tmp_path / "t.db", model="hashing-64", encoder=hashing).add([str(folder)])
    db = sqlite_utils.Database(tmp_path / "t.db")
    articles = {r["source"]: r for r in db.query("select * from articles")}
    assert {s: a["published"] for s, a in articles.items()} == {"Rheinische Rundschau": "2026-03-10", "Stadtkurier": "2026-03-11"}
    assert articles["Stadtkurier"]["title"] == "Ostlinie: Entscheidung im Stadtrat vertagt"
    assert articles["Stadtkurier"]["url"].startswith("https://stadtkurier.example/")
    claims = [r["text"] for r in db.query("select text from claims")]
    assert len(claims) == 10
    assert not [c for c in claims if any(f in c for f in ("Cookies", "LESEN", "Kommentar", "Baustelle", "Startseite", "Impressum"))]
    assert db.execute("select count(distinct story_id) from articles").fetchone()[0] == 1
