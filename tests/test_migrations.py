"""The schema changes through numbered migrations: an old db is migrated, never rebuilt."""

import sqlite3

import pytest

from claims import Corpus
from claims.index import embed
from claims.store import MIGRATIONS, Store

from conftest import ROOT

OLD_DUMP = ROOT / "tests" / "data" / "claims_76473f7.sql"


@pytest.fixture
def old_db(tmp_path):
    """A db as main at 76473f7 left it: no stories, no migrations table."""
    path = tmp_path / "claims.db"
    connection = sqlite3.connect(path)
    connection.executescript(OLD_DUMP.read_text(encoding="utf-8"))
    connection.close()
    return path


def _stored(path):
    connection = sqlite3.connect(path)
    try:
        return {
            "claims": connection.execute("select id, article_id, position, text, start, end, speaker from claims order by id").fetchall(),
            "embeddings": connection.execute("select claim_id, model, vector from embeddings order by claim_id").fetchall(),
            "articles": connection.execute("select id, path, sha256, text from articles order by id").fetchall(),
        }
    finally:
        connection.close()


def test_a_new_db_has_every_migration_and_opening_again_applies_none(tmp_path):
    store = Store(tmp_path / "sub" / "folder" / "claims.db")
    applied = [m.name for m in MIGRATIONS.applied(store.db)]
    assert applied == ["m001_tables", "m002_stories", "m003_judges", "m004_points", "m005_views", "m006_content_index", "m007_article_terms", "m008_reviews", "m009_authors", "m010_pages", "m011_claim_features", "m012_point_marks", "m013_points", "m014_changes", "m015_story_marks", "m016_article_profiles", "m017_kept_profiles", "m018_found", "m019_sure_pairs_first", "m020_settled_sides_last", "m021_alike_sides", "m022_article_names", "m023_reviewed_indexes", "m024_queue_turns"]
    assert MIGRATIONS.pending(Store(tmp_path / "sub" / "folder" / "claims.db").db) == []


def test_an_old_db_is_migrated_in_place_and_nothing_stored_is_lost(old_db, monkeypatch):
    before = _stored(old_db)
    corpus = Corpus(old_db)
    db = corpus.db
    assert [m.name for m in MIGRATIONS.applied(db)] == ["m001_tables", "m002_stories", "m003_judges", "m004_points", "m005_views", "m006_content_index", "m007_article_terms", "m008_reviews", "m009_authors", "m010_pages", "m011_claim_features", "m012_point_marks", "m013_points", "m014_changes", "m015_story_marks", "m016_article_profiles", "m017_kept_profiles", "m018_found", "m019_sure_pairs_first", "m020_settled_sides_last", "m021_alike_sides", "m022_article_names", "m023_reviewed_indexes", "m024_queue_turns"]
    assert "story_id" in db["articles"].columns_dict and "content" in db["claims"].columns_dict
    assert db["stories"].exists() and db["term_weights"].exists()
    assert "story_id" in {c.name for c in db["conflicts"].columns}
    assert "schema_version" not in corpus.store.config()
    assert _stored(old_db) == before
    # The settings it was built with carry over.
    assert corpus.settings.model == "usem3" and corpus.settings.threshold == 0.45

    # Built with today's code: grouped into a story, judged by today's judge,
    # from the stored vectors (nothing is embedded again).
    monkeypatch.setattr(embed, "encode", lambda *a, **k: pytest.fail("embedded a stored claim again"))
    corpus.build()
    assert _stored(old_db) == before
    assert db.execute("select count(*) from articles where story_id is null").fetchone()[0] == 0
    assert corpus.store.config()["judge"] == corpus.pairs_judge().name
    # Proposed, not found: the machine alone finds nothing (issue 44).
    assert [c for c in corpus.candidates() if c["proposed"] == "conflict"], "the two reports disagree on the Europeans at the table"
    assert db.execute("pragma foreign_key_check").fetchall() == []

    # And it grows as a new db does.
    monkeypatch.undo()
    result = corpus.add([{"title": "Europa am Tisch", "source": "c", "text": "Europa am Tisch\n\nDie Europäer werden am Verhandlungstisch sitzen, sagte ein Diplomat in Brüssel."}])
    assert (result.new, result.unchanged) == (1, 0)
    newest = corpus.store.last_claim()
    assert db.execute("select count(*) from claim_pairs where ? in (claim_a, claim_b)", [newest]).fetchone()[0] > 0


def test_a_db_with_reviews_migrates_with_them_intact(copy_of_seed_db):
    """A db whose readers reviewed verdicts, opened by a version with a newer
    migration (here m009, undone by hand): the reviews stay and still apply."""
    import sqlite_utils

    path, _ = copy_of_seed_db
    db = sqlite_utils.Database(path)
    pair = next(db.query(
        "select a.text as a, b.text as b from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b where p.relation = 'conflict'"))
    Store(path).add_review("pair", "related", pair["a"], pair["b"], note="not a conflict")
    before = list(db.query("select * from reviews"))
    db.execute("alter table articles drop column author")
    db.execute("delete from _sqlite_migrations where name = 'm009_authors'")
    db.conn.commit()
    store = Store(path)
    assert "author" in store.db["articles"].columns_dict
    assert list(store.db.query("select * from reviews")) == before
    assert store.db.execute("select count(*) from claim_pairs where status = 'confirmed' and relation = 'related'").fetchone()[0] == 1
