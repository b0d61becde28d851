"""Reader reviews: what a reader decides about a pair or a stance is kept by
the claims' texts, shown at once, and outlives every build, edit and judge."""

import json
import shutil

import sqlite_utils

from claims import Corpus
from claims.store import Store
from conftest import GOLD_CONFLICTS, make_tiny_nli


def pair_of(db, fragment_a, fragment_b):
    """The stored pair whose claims contain the two fragments (either order)."""
    rows = list(db.query(
        """select p.*, a.text as text_a, b.text as text_b from claim_pairs p
           join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
           where (a.text like :x and b.text like :y) or (a.text like :y and b.text like :x)""",
        {"x": f"%{fragment_a}%", "y": f"%{fragment_b}%"},
    ))
    assert len(rows) == 1, rows
    return rows[0]


def false_conflict(db):
    """A stored conflict the reader calls merely related: the strongest one but the two gold ones."""
    golden = {pair_of(db, a, b)["claim_a"] for a, b in GOLD_CONFLICTS}
    return next(db.query(
        """select p.*, a.text as text_a, b.text as text_b from claim_pairs p
           join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
           where p.relation = 'conflict' and p.similarity is not null and p.claim_a not in (select value from json_each(?))
           order by p.score desc""",
        [json.dumps(sorted(golden))],
    ))


def view_pairs(db, view):
    return {(r["claim_a"], r["claim_b"]): r for r in db.query(f"select * from {view}")}


def test_a_review_shows_at_once_and_the_judges_verdict_stays_visible(copy_of_seed_db):
    path, _ = copy_of_seed_db
    db = sqlite_utils.Database(path)
    wrong = false_conflict(db)
    real = pair_of(db, *GOLD_CONFLICTS[0])
    store = Store(path)
    store.add_review("pair", "related", wrong["text_a"], wrong["text_b"], note="they say the same")
    # Either order of the two claims names the same pair.
    store.add_review("pair", "conflict", real["text_b"], real["text_a"])
    conflicts = view_pairs(db, "conflicts")
    assert (wrong["text_a"], wrong["text_b"]) not in conflicts
    shown = conflicts[(real["text_a"], real["text_b"])]
    assert shown["status"] == "confirmed" and shown["judge"] == "reader"
    assert list(conflicts.values())[0]["status"] == "confirmed"  # confirmed first
    reviewed = pair_of(db, wrong["text_a"], wrong["text_b"])
    assert (reviewed["relation"], reviewed["judged_relation"], reviewed["status"]) == ("related", "conflict", "confirmed")
    assert reviewed["judged_by"] and reviewed["judged_by"] != "reader"
    # Undo: the judge's verdict is a candidate again, not found.
    assert store.remove_reviews("pair", wrong["text_a"], wrong["text_b"]) == 1
    assert (wrong["text_a"], wrong["text_b"]) not in view_pairs(db, "conflicts")
    assert (wrong["text_a"], wrong["text_b"]) in {(r["claim_a"], r["claim_b"]) for r in db.query("select * from candidates where kind = 'pair'")}
    assert pair_of(db, wrong["text_a"], wrong["text_b"])["status"] == "proposed"


def test_reviews_outlive_rebuilds_an_added_article_and_another_judge(copy_of_seed_db, tmp_path):
    path, seeds = copy_of_seed_db
    folder = tmp_path / "seeds"
    shutil.copytree(seeds, folder)
    db = sqlite_utils.Database(path)
    wrong = false_conflict(db)
    real = pair_of(db, *GOLD_CONFLICTS[1])
    store = Store(path)
    store.add_review("pair", "related", wrong["text_a"], wrong["text_b"])
    store.add_review("pair", "conflict", real["text_a"], real["text_b"])

    def assert_applied():
        assert pair_of(db, wrong["text_a"], wrong["text_b"])["relation"] == "related"
        confirmed = pair_of(db, real["text_a"], real["text_b"])
        assert (confirmed["relation"], confirmed["status"], confirmed["judge"]) == ("conflict", "confirmed", "reader")
        assert db.execute("select count(*) from reviews").fetchone()[0] == 2
        assert db.execute("pragma foreign_key_check").fetchall() == []

    corpus = Corpus(path)
    corpus.build()
    assert_applied()
    (folder / "zz-report.txt").write_text(
        "Neue Gespräche\n\nDie Europäer würden nicht am Verhandlungstisch sitzen, sagte ein Sprecher am Montag.\n", encoding="utf-8"
    )
    Corpus(path).add([str(folder)])
    assert_applied()
    (tmp_path / "nli").mkdir()
    Corpus(path, judge=f"nli:{make_tiny_nli(tmp_path / 'nli')}").build()
    assert_applied()
    Corpus(path, judge="signals").build()
    assert_applied()


def test_a_review_inserted_with_sql_counts_and_one_whose_claims_are_gone_is_kept(copy_of_seed_db, tmp_path):
    path, _ = copy_of_seed_db
    db = sqlite_utils.Database(path)
    wrong = false_conflict(db)
    db["reviews"].insert({"kind": "pair", "text_a": wrong["text_a"], "text_b": wrong["text_b"], "value": "related", "actor": "sql"})
    Corpus(path).build()
    assert pair_of(db, wrong["text_a"], wrong["text_b"])["relation"] == "related"
    assert db["unapplied_reviews"].count == 0
    # The article of one of its claims goes: the review stays, listed as unapplied.
    article_id, text = db.execute(
        "select a.id, a.text from claims c join articles a on a.id = c.article_id where c.text = ?", [wrong["text_a"]]
    ).fetchone()
    Store(path).remove_article(article_id)
    Corpus(path).build()
    assert db["reviews"].count == 1
    assert [r["text_a"] for r in db.query("select * from unapplied_reviews")] == [wrong["text_a"]]
    # It comes back, and so does the reader's word.
    (tmp_path / "back.txt").write_text(text, encoding="utf-8")
    Corpus(path).add([str(tmp_path / "back.txt")])
    assert db["unapplied_reviews"].count == 0
    assert pair_of(db, wrong["text_a"], wrong["text_b"])["relation"] == "related"


def test_a_stance_review_holds_through_a_rebuild(copy_of_seed_db):
    path, _ = copy_of_seed_db
    db = sqlite_utils.Database(path)
    answer = next(db.query("select * from stances where stance != 'unclear' limit 1"))
    proposition = db.execute("select proposition from questions where id = ?", [answer["question_id"]]).fetchone()[0]
    flipped = "no" if answer["stance"] == "yes" else "yes"
    Store(path).add_review("stance", flipped, answer["claim"], question=proposition, note="<script>alert(1)</script>")
    Corpus(path).build()
    shown = next(db.query("select * from stances where question_id = ? and claim_id = ?", [answer["question_id"], answer["claim_id"]]))
    assert (shown["stance"], shown["judged_stance"], shown["status"], shown["judge"]) == (flipped, answer["stance"], "confirmed", "reader")


def test_a_review_of_no_known_value_is_refused(copy_of_seed_db):
    import pytest

    path, _ = copy_of_seed_db
    with pytest.raises(ValueError, match="agree, related, conflict"):
        Store(path).add_review("pair", "maybe", "a", "b")
    assert sqlite_utils.Database(path)["reviews"].count == 0


def test_reviews_export_as_pairs_that_eval_and_calibrate_read(copy_of_seed_db, tmp_path):
    from click.testing import CliRunner

    from claims.cli import cli
    from claims.training.eval import read_pairs
    from test_eval import _family

    path, _ = copy_of_seed_db
    db = sqlite_utils.Database(path)
    wrong, real = false_conflict(db), pair_of(db, *GOLD_CONFLICTS[0])
    store = Store(path)
    store.add_review("pair", "conflict", wrong["text_a"], wrong["text_b"])
    store.add_review("pair", "related", wrong["text_a"], wrong["text_b"])  # the reader changed their mind: the latest holds
    store.add_review("pair", "conflict", real["text_a"], real["text_b"])
    answer = next(db.query("select * from stances where stance = 'yes' limit 1"))
    proposition = db.execute("select proposition from questions where id = ?", [answer["question_id"]]).fetchone()[0]
    store.add_review("stance", "no", answer["claim"], question=proposition)
    out = tmp_path / "reviews.tsv"
    result = CliRunner().invoke(cli, ["reviews", "export", str(out), "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{out}: 3 reviewed pairs from {path}"
    pairs = read_pairs(out)
    assert sorted(label for _, _, label in pairs) == ["conflict", "conflict", "related"]
    assert (proposition, answer["claim"], "conflict") in pairs
    listed = CliRunner().invoke(cli, ["reviews", "list", "--db", str(path)])
    assert listed.exit_code == 0 and len([line for line in listed.output.splitlines() if line[:4].strip().isdigit()]) == 4
    # calibrate fits them as one more family beside the dev files.
    dev, weights_file = tmp_path / "dev.tsv", tmp_path / "w.json"
    _family(dev, 60)
    fitted = CliRunner().invoke(cli, ["calibrate", str(dev), "--reviews", str(path), "-o", str(weights_file)])
    assert fitted.exit_code == 0, fitted.output
    assert json.loads(weights_file.read_text(encoding="utf-8"))["calibrated_on"] == ["dev.tsv", f"reviews:{path}"]
