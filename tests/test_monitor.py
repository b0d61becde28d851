"""A desk watching a story from cron: each build says what it changed (table
``changes``), and two builds of one db take turns."""

import fcntl
import shutil
import subprocess
import sys
import time

import sqlite_utils

from claims import Corpus
from claims.pipeline.ask import load_questions
from conftest import KELLOGG_REPORT, ROOT, SEEDS, replayed, reported
from test_incremental import snapshot


def test_a_build_records_exactly_what_it_changed(seed_db_path, tmp_path):
    db = tmp_path / "claims.db"
    sqlite_utils.Database(seed_db_path).execute("pragma wal_checkpoint(truncate)")
    shutil.copy(seed_db_path, db)
    before = reported(db)
    assert replayed(db) == before  # the first build's changes: everything it stored
    report = tmp_path / "kellogg.txt"
    report.write_text(KELLOGG_REPORT, encoding="utf-8")
    corpus = Corpus(db)
    result = corpus.add([str(report)])
    after = reported(db)
    rows = corpus.changes()
    assert {r["build"] for r in rows} == {2}
    added = {(r["what"], r["key"]) for r in rows if r["change"] == "added"}
    removed = {(r["what"], r["key"]) for r in rows if r["change"] == "removed"}
    moved = {(r["what"], r["key"]): (r["before"], r["after"]) for r in rows if r["change"] not in ("added", "removed")}
    assert added == after.keys() - before.keys()
    assert removed == before.keys() - after.keys()
    assert moved == {k: (before[k], after[k]) for k in before.keys() & after.keys() if before[k] != after[k]}
    assert added  # the report's claims take sides on the mission's questions
    assert replayed(db) == after
    assert result.changed().startswith("changed: ") and result.changed() != "changed: nothing"
    assert corpus.changes(since="2000-01-01") == list(sqlite_utils.Database(db)["changes"].rows_where(order_by="id"))

    # Nothing new: nothing changes, nothing is recorded.
    again = Corpus(db).add([str(report)])
    assert again.changed() == "changed: nothing"
    assert Corpus(db).changes() == rows


def _held(lock) -> bool:
    """Whether another process holds the db's build lock."""
    if not lock.exists():
        return False
    with open(lock) as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False


def test_builds_started_at_once_take_turns(signals_seed_db_path, tmp_path):
    db = tmp_path / "claims.db"
    command = [sys.executable, "-m", "claims.cli", "build", str(SEEDS), "--db", str(db), "--judge", "signals",
               "--questions", str(ROOT / "db" / "questions.yml"), "--no-progress"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not _held(tmp_path / "claims.db.lock"):
        assert first.poll() is None and time.time() < deadline, first.communicate()
        time.sleep(0.05)
    waiting = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    impatient = subprocess.Popen(command + ["--no-wait"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = impatient.communicate(timeout=300)
    assert impatient.returncode == 1
    assert out == "" and err.splitlines() == [f"claims: {db}: another build is writing it; try again when it ends"]
    first.communicate(timeout=600)
    assert first.returncode == 0
    out, err = waiting.communicate(timeout=600)
    assert waiting.returncode == 0, err
    assert err.splitlines() == [f"claims: {db}: another build is writing it; waiting for it to end"]
    assert out.splitlines()[-1] == "changed: nothing"  # the first build did it all
    assert snapshot(db) == snapshot(signals_seed_db_path)


def _story_rows(db, story: str) -> dict:
    """What is derived of one story's claims, as stored (ids included: kept rows keep them)."""
    db = sqlite_utils.Database(db)
    claims = "select c.id from claims c join articles a on a.id = c.article_id join stories s on s.id = a.story_id where s.label = ?"
    return {
        "pairs": db.execute(f"select * from claim_pairs where claim_a in ({claims}) order by claim_a, claim_b", [story]).fetchall(),
        "topics": db.execute(f"select * from claim_topics where claim_id in ({claims}) order by claim_id", [story]).fetchall(),
        "points": db.execute("select q.* from questions q join stories s on s.id = q.story_id where s.label = ? order by q.id", [story]).fetchall(),
    }


def test_an_add_derives_again_only_the_stories_it_touches(seed_db_path, tmp_path):
    """A desk's story grows; the stories it does not touch keep what was
    derived of them, and the db is what one build of everything gives."""
    db = tmp_path / "claims.db"
    questions = load_questions(ROOT / "db" / "questions.yml")
    corpus = Corpus(db, questions=questions)
    corpus.add([str(SEEDS)], story="ukraine")
    seeds_before = _story_rows(db, "ukraine")
    report = tmp_path / "kellogg.txt"
    report.write_text(KELLOGG_REPORT, encoding="utf-8")
    result = Corpus(db).add([str(report)], story="kellogg")
    assert result.stories_derived == 1  # the new story, not the seeds'
    assert _story_rows(db, "ukraine") == seeds_before
    # A follow-up in the seeds' story: that story is derived again, the report's is kept.
    report_before = _story_rows(db, "kellogg")
    follow_up = tmp_path / "follow-up.txt"
    follow_up.write_text(KELLOGG_REPORT.replace("Brüssel und Kiew", "Paris und Warschau").replace("Kellogg bleibt", "Kellogg reist"), encoding="utf-8")
    result = Corpus(db).add([str(follow_up)], story="ukraine")
    assert result.stories_derived == 1
    assert _story_rows(db, "kellogg") == report_before


def test_a_build_after_an_upgrade_derives_what_the_new_release_derives(copy_of_seed_db):
    """A desk upgrades claims and its cron build finds no new article: the
    db still ends where a fresh build with the new release ends. (The older
    release is played by its marks: another code digest, its pairs gone.)"""
    path, seeds = copy_of_seed_db
    fresh = snapshot(path)
    db = sqlite_utils.Database(path)
    with db.conn:
        db.execute("update config set value = 'an older release' where key = 'code'")
        db.execute("update story_marks set mark = 'of an older release'")
        db.execute("delete from claim_pairs")
    result = Corpus(path).add([str(seeds)])
    assert result.stories_derived >= 1
    assert snapshot(path) == fresh
