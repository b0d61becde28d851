"""Stories: claims are matched and judged within the articles that report on one event."""

import json
import shutil

import numpy as np
import sqlite_utils
from click.testing import CliRunner

from claims.index import stories
from claims import Corpus
from claims.cli import cli

from conftest import SEEDS

# Two articles on other subjects than the seeds' (security guarantees for Ukraine).
FOOTBALL = """Rapid gewinnt das Derby

Rapid Wien hat das Derby gegen die Austria am Sonntag mit 3:1 gewonnen. Vor 25.000 Zuschauern im Allianz-Stadion traf Stürmer Lukas Huber zweimal.
„Wir haben heute nicht gut begonnen, aber die Mannschaft hat Moral gezeigt“, sagte Trainer Peter Stöger nach dem Spiel.
Die Austria bleibt damit auf dem fünften Tabellenplatz, Rapid rückt auf den zweiten Platz vor.
Austria-Trainer Michael Wimmer sagte, seine Mannschaft sei in der zweiten Halbzeit nicht mehr ins Spiel gekommen.
"""
BAKERY = """Bäckereien klagen über Energiepreise

Viele Bäckereien in Oberösterreich müssen wegen der hohen Energiepreise ihre Öffnungszeiten verkürzen. Das berichtete die Wirtschaftskammer am Dienstag.
Der Strompreis für die Backöfen habe sich seit dem Vorjahr verdoppelt, sagte Innungsmeister Franz Leitner.
Einige Betriebe erhöhen die Preise für Brot und Gebäck um bis zu zwölf Prozent.
Die Landesregierung prüft nun ein Förderprogramm für energieintensive Kleinbetriebe.
"""


def _story_of(db):
    return {row["path"].split("/")[-1]: row["story_id"] for row in db.query("select path, story_id from articles")}


def test_the_seeds_are_one_story(seed_db):
    [story] = list(seed_db.query("select * from stories"))
    assert story["articles"] == 5 and story["sources"] == 5 and story["given"] == 0
    assert story["label"]  # the first article's title
    assert {r["story_id"] for r in seed_db.query("select story_id from articles")} == {story["id"]}


def test_stories_schema_contract(seed_db):
    columns = {c.name for c in seed_db["stories"].columns}
    assert {"id", "label", "articles", "sources", "first_published", "last_published"} <= columns
    assert ("story_id", "stories") in {(fk.column, fk.other_table) for fk in seed_db["articles"].foreign_keys}
    assert "content" in seed_db["claims"].columns_dict


def test_unrelated_articles_stay_apart_and_meet_no_seed_claim(tmp_path):
    folder = tmp_path / "news"
    shutil.copytree(SEEDS, folder)
    (folder / "derby.txt").write_text(FOOTBALL, encoding="utf-8")
    (folder / "baeckereien.txt").write_text(BAKERY, encoding="utf-8")
    db_path = tmp_path / "claims.db"
    Corpus(db_path).add([str(folder)])
    db = sqlite_utils.Database(db_path)
    story = _story_of(db)
    seed_stories = {story[p.name] for p in SEEDS.iterdir()}
    assert len(seed_stories) == 1
    assert story["derby.txt"] not in seed_stories and story["baeckereien.txt"] not in seed_stories
    assert story["derby.txt"] != story["baeckereien.txt"]
    # No pair joins claims of two stories.
    across = db.execute(
        """select count(*) from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
           join articles aa on aa.id = a.article_id join articles ab on ab.id = b.article_id
           where aa.story_id != ab.story_id"""
    ).fetchone()[0]
    assert across == 0


def test_an_added_article_joins_its_story_and_ids_last(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    seeds = sorted(SEEDS.iterdir())
    for path in seeds[:4]:
        shutil.copy(path, folder)
    db_path = tmp_path / "claims.db"
    Corpus(db_path).add([str(folder)])
    db = sqlite_utils.Database(db_path)
    [before] = list(db.query("select id from stories"))
    pairs_before = {(r["claim_a"], r["claim_b"]) for r in db.query("select claim_a, claim_b from claim_pairs")}
    shutil.copy(seeds[4], folder)
    (folder / "derby.txt").write_text(FOOTBALL, encoding="utf-8")
    Corpus(db_path).add([str(folder)])
    story = _story_of(db)
    assert story[seeds[4].name] == before["id"]
    assert story["derby.txt"] != before["id"]
    assert db.execute("select articles from stories where id = ?", [before["id"]]).fetchone()[0] == 5
    # The added article's claims are matched with the story's older ones.
    added = {r["id"] for r in db.query("select c.id from claims c join articles a on a.id = c.article_id where a.path like ?", [f"%{seeds[4].name}"])}
    pairs_after = {(r["claim_a"], r["claim_b"]) for r in db.query("select claim_a, claim_b from claim_pairs")}
    assert any((a in added) != (b in added) for a, b in pairs_after)
    assert len(pairs_after) > len(pairs_before)


def test_a_story_given_in_jsonl_wins(tmp_path):
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.iterdir())[:2]]
    lines = [
        {"title": "Eins", "text": texts[0], "source": "a", "story": "Verhandlungen"},
        {"title": "Zwei", "text": texts[1], "source": "b", "story": "Truppen"},
        {"title": "Drei", "text": FOOTBALL, "source": "c", "story": "Verhandlungen"},
    ]
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    db_path = tmp_path / "claims.db"
    Corpus(db_path).add([str(path)])
    db = sqlite_utils.Database(db_path)
    rows = {r["label"]: r for r in db.query("select * from stories")}
    assert set(rows) == {"Verhandlungen", "Truppen"}
    assert rows["Verhandlungen"]["articles"] == 2 and rows["Verhandlungen"]["given"] == 1
    titles = {r["title"]: r["label"] for r in db.query("select a.title, s.label from articles a join stories s on s.id = a.story_id")}
    assert titles == {"Eins": "Verhandlungen", "Zwei": "Truppen", "Drei": "Verhandlungen"}


def test_claims_build_story_names_the_story_of_every_article(tmp_path):
    (tmp_path / "derby.txt").write_text(FOOTBALL, encoding="utf-8")
    (tmp_path / "baeckereien.txt").write_text(BAKERY, encoding="utf-8")
    db_path = tmp_path / "claims.db"
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "derby.txt"), str(tmp_path / "baeckereien.txt"), "--db", str(db_path), "--story", "Lokales"])
    assert result.exit_code == 0, result.output
    assert "1 stories" in result.output
    db = sqlite_utils.Database(db_path)
    assert [r["label"] for r in db.query("select label from stories")] == ["Lokales"]


def test_average_linkage_groups_alike_articles():
    alike = np.array([[1.0, 0.8, 0.1], [0.8, 1.0, 0.2], [0.1, 0.2, 1.0]])
    assert stories.group(alike, threshold=0.5) == [0, 0, 1]
    # A new article joins the story it is most alike on average, if alike enough.
    assert stories.place(np.array([0.3, 0.6]), threshold=0.5) == 1
    assert stories.place(np.array([0.3, 0.4]), threshold=0.5) is None


def test_furniture_repeated_under_many_articles_weighs_little():
    weights = stories.weights([1, 1, 2, 2, 3], ["Der Volltext fehlt.", "Ein Tor.", "Der Volltext fehlt.", "Ein Streik.", "Der Volltext fehlt."])
    assert list(weights) == [1 / 3, 1.0, 1 / 3, 1.0, 1 / 3]


def _dated_seeds(tmp_path, dates) -> sqlite_utils.Database:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.iterdir())]
    tmp_path.mkdir()
    path = tmp_path / "seeds.jsonl"
    path.write_text("".join(
        json.dumps({"title": f"Bericht {k}", "source": f"Quelle {k}", "text": text, "published": date}, ensure_ascii=False) + "\n"
        for k, (text, date) in enumerate(zip(texts, dates))
    ), encoding="utf-8")
    db_path = tmp_path / "claims.db"
    Corpus(db_path).add([str(path)])
    return sqlite_utils.Database(db_path)


def _groups(db) -> list[list[str]]:
    members: dict = {}
    for row in db.query("select title, story_id from articles order by title"):
        members.setdefault(row["story_id"], []).append(row["title"])
    return sorted(members.values())


def test_the_same_subject_reported_months_apart_is_two_stories(tmp_path):
    # The seeds are one story; dated days apart they stay one ...
    close = _dated_seeds(tmp_path / "close", ["2025-08-18", "2025-08-19", "2025-08-19", "2025-08-21", "2025-08-25"])
    assert len(_groups(close)) == 1
    # ... and reported half a year apart they are two, one per round, where
    # no report of one round names enough of the people of the other
    # (0 and 2 name Witkoff, Peskow, Lawrow; 1, 3 and 4 Macron and Selenskyj) ...
    apart = _dated_seeds(tmp_path / "apart", ["2025-02-17", "2025-08-19", "2025-02-18", "2025-08-19", "2025-08-21"])
    assert _groups(apart) == [["Bericht 0", "Bericht 2"], ["Bericht 1", "Bericht 3", "Bericht 4"]]
    # ... while a report half a year earlier that names the same people
    # (Macron and Selenskyj, and few others) is kept with them: a story runs
    # as long as its people do (``timing.keeps``).
    kept = _dated_seeds(tmp_path / "kept", ["2025-02-17", "2025-02-18", "2025-02-20", "2025-08-19", "2025-08-21"])
    assert ["Bericht 1", "Bericht 3", "Bericht 4"] in _groups(kept)
    # Their claims meet only within their round.
    across = apart.execute(
        """select count(*) from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
           join articles aa on aa.id = a.article_id join articles ab on ab.id = b.article_id where aa.story_id != ab.story_id"""
    ).fetchone()[0]
    assert across == 0 and apart.execute("select count(*) from claim_pairs").fetchone()[0] > 0
    # An article without a date is kept from no story by time: each joins
    # one of the rounds its text belongs to, never a story of its own.
    undated = _dated_seeds(tmp_path / "undated", ["2025-02-17", None, "2025-02-20", None, "2025-08-21"])
    groups = _groups(undated)
    story_of = {title: k for k, members in enumerate(groups) for title in members}
    assert story_of["Bericht 0"] == story_of["Bericht 2"] != story_of["Bericht 4"]
    assert all(len(groups[story_of[f"Bericht {k}"]]) > 1 for k in (1, 3))


def test_time_weighs_only_beyond_the_events_days_and_only_where_both_are_dated():
    from claims.index import timing

    nan = float("nan")
    days = np.array([0.0, 3.0, 3.0 + 14.0, 3.0 + 28.0, nan])
    factor = stories.in_time(days[:1], days)[0]
    assert factor[:2].tolist() == [1.0, 1.0] and np.allclose(factor[2:4], [0.5, 0.25]) and factor[4] == 1.0
    # A report a year later that names the day of the first is its follow-up;
    # one that names only its own day two weeks later is not.
    first = timing.event_days(0.0, [])
    follow_up = timing.event_days(400.0, [0])
    other = timing.event_days(14.0, [13])
    factor = stories.in_time(np.array([first]), np.array([follow_up, other]))[0]
    assert factor[0] == 1.0 and factor[1] < 0.7
    # Two jubilee reports decades apart that name the day of 1215, or two
    # reports naming a due date years ahead, report no one event.
    magna_carta = -800 * 365.0
    jubilee = [timing.event_days(own, [magna_carta, own + 9 * 365]) for own in (0.0, 50 * 365.0)]
    assert stories.in_time(np.array(jubilee[:1]), np.array(jubilee[1:]))[0, 0] == 0.0


def test_an_article_s_event_days_are_those_it_names():
    import datetime as dt

    from claims.text.dates import named_days

    saturday = dt.date(2025, 1, 11)
    text = "Am 11. Januar 2025 protestierten Tausende. Gestern sprach der Minister, am vergangenen Samstag die Polizei."
    named = named_days(text, dt.date(2025, 1, 16))
    assert {saturday.toordinal(), dt.date(2025, 1, 15).toordinal()} == named
    assert named_days("Am 3. Dezember war es kalt.", dt.date(2025, 1, 16)) == {dt.date(2024, 12, 3).toordinal()}
    assert named_days("Ab dem 20. Januar gilt es.", dt.date(2025, 1, 16)) == {dt.date(2025, 1, 20).toordinal()}


def test_past_regroup_max_a_new_article_is_placed_from_the_kept_profiles(tmp_path, monkeypatch):
    """A monitor's db of many articles: placing a new one reads its own claims
    and the stored articles' kept profiles, not every stored claim."""
    from claims import Store

    monkeypatch.setattr(stories, "REGROUP_MAX", 3)
    folder = tmp_path / "news"
    folder.mkdir()
    seeds = sorted(SEEDS.iterdir())
    for path in seeds[:4]:
        shutil.copy(path, folder)
    (folder / "derby.txt").write_text(FOOTBALL, encoding="utf-8")
    db_path = tmp_path / "claims.db"
    Corpus(db_path).add([str(folder)])
    read = []
    load = Store.load

    def reading(self, model, stories=None, articles=None):
        read.append(articles)
        return load(self, model, stories, articles)

    monkeypatch.setattr(Store, "load", reading)
    shutil.copy(seeds[4], folder)
    (folder / "bakery.txt").write_text(BAKERY, encoding="utf-8")
    Corpus(db_path).add([str(folder)])
    db = sqlite_utils.Database(db_path)
    new = {r["id"] for r in db.query("select id from articles where path like '%bakery.txt' or path like ?", [f"%{seeds[4].name}"])}
    assert [set(a) for a in read if a is not None] == [new]  # placing read the new articles' claims only
    story = _story_of(db)
    assert story[seeds[4].name] == story[seeds[0].name]  # the follow-up joins its story
    assert story["bakery.txt"] not in (story[seeds[0].name], story["derby.txt"])


def test_an_add_regroups_from_kept_profiles_and_ends_as_a_fresh_build(tmp_path, monkeypatch):
    """A monitor's add regroups the found articles from the profiles kept of
    those it did not touch: it reads the new articles' claims, and those of a
    stored article whose profile the add changed (one that asserts a sentence
    a new one asserts too), and its stories are a fresh build's."""
    from claims import Store

    folder = tmp_path / "news"
    folder.mkdir()
    seeds = sorted(SEEDS.iterdir())
    for path in seeds[:4]:
        shutil.copy(path, folder)
    (folder / "derby.txt").write_text(FOOTBALL, encoding="utf-8")
    db_path = tmp_path / "claims.db"
    Corpus(db_path).add([str(folder)])
    read = []
    load = Store.load

    def reading(self, model, stories=None, articles=None):
        read.append(articles)
        return load(self, model, stories, articles)

    monkeypatch.setattr(Store, "load", reading)
    shutil.copy(seeds[4], folder)
    quoted = FOOTBALL.splitlines()[2]  # the derby's one sentence the bakery article repeats
    (folder / "zbakery.txt").write_text(BAKERY + quoted + "\n", encoding="utf-8")
    Corpus(db_path).add([str(folder)])
    monkeypatch.setattr(Store, "load", load)
    db = sqlite_utils.Database(db_path)
    ids = {r["path"].split("/")[-1]: r["id"] for r in db.query("select id, path from articles")}
    regrouped = [set(a) for a in read if a is not None]
    assert regrouped and regrouped[0] == {ids[seeds[4].name], ids["zbakery.txt"], ids["derby.txt"]}
    fresh = tmp_path / "fresh.db"
    Corpus(fresh).add([str(folder)])
    assert _groups(db) == _groups(sqlite_utils.Database(fresh))


def test_reports_of_one_day_that_give_a_rare_name_both_are_one_event():
    from claims.index import timing
    from claims.text.names import rare_names

    day = "In Riesa protestierten Tausende gegen den Parteitag. Der Abgeordnete Nam Duy Nguyen trug eine Warnweste."
    # Names: capitalised inside a sentence, unknown to the dictionary, rare; not a noun, a
    # big city, a hyphenated compound or a sentence's first word.
    assert rare_names(day) == {"riesa", "nguyen", "duy"}
    assert rare_names("Riesa ist klein. In München und beim AfD-Parteitag trugen alle Warnwesten.") == frozenset()
    names = [rare_names(day), rare_names("Die Polizei in Riesa zählte 10.000 Menschen."), rare_names("In Bautzen blieb es ruhig.")]
    days = np.array([timing.event_days(d, []) for d in (0.0, 1.0, 0.0)])
    assert timing.same_event(days, days, names, names)[0].tolist() == [1.0, 1.0, 0.0]
    # A fortnight apart, or undated, the same name is no event of its own.
    later = np.array([timing.event_days(14.0, []), timing.event_days(float("nan"), [])])
    assert timing.same_event(days[:1], later, names[:1], names[:1] * 2).tolist() == [[0.0, 0.0]]


def test_a_story_runs_as_long_as_its_people_do(tmp_path, monkeypatch):
    """A report half a year later that names the people of a story (and few
    others) joins it, also where a new article is placed past
    ``REGROUP_MAX``; one name in common, or a few of many, keeps no one."""
    from claims.index import timing

    assert timing.keeps(2, 3, 6) and not timing.keeps(1, 1, 1) and not timing.keeps(3, 15, 15)
    monkeypatch.setattr(stories, "REGROUP_MAX", 1)
    seeds = sorted(SEEDS.iterdir())

    def write(name, records):
        path = tmp_path / name
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        return str(path)

    first = write("august.jsonl", [
        {"title": f"Bericht {k}", "source": f"Quelle {k}", "text": seeds[k].read_text(encoding="utf-8"), "published": "2025-08-19"}
        for k in (1, 3)] + [{"title": "Derby", "source": "Sport", "text": FOOTBALL, "published": "2025-08-19"}])
    db_path = tmp_path / "claims.db"
    Corpus(db_path).add([first])
    # Seed 4 names Macron and Selenskyj as 1 and 3 do, and Witkoff, Starmer, ...
    later = write("february.jsonl", [{"title": "Bericht 4", "source": "Quelle 4", "text": seeds[4].read_text(encoding="utf-8"), "published": "2026-02-19"}])
    Corpus(db_path).add([first, later])
    story = {r["title"]: r["story_id"] for r in sqlite_utils.Database(db_path).query("select title, story_id from articles")}
    assert story["Bericht 4"] == story["Bericht 1"] == story["Bericht 3"] != story["Derby"]
