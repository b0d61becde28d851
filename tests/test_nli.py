"""The optional NLI cross-encoder path, with a tiny model built here from a
config: no download, random weights, real loading and label mapping."""

import numpy as np
import pytest

from claims.judging import judge

from conftest import make_tiny_nli


@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory):
    return make_tiny_nli(tmp_path_factory.mktemp("tiny-nli"))


def test_label_order_comes_from_the_config():
    assert judge.nli_label_order({0: "CONTRADICTION", 1: "neutral", 2: "Entailment"}) == [2, 1, 0]
    with pytest.raises(judge.NLIModelNotFound, match="do not name"):
        judge.nli_label_order({0: "LABEL_0", 1: "LABEL_1"})


def test_cross_encoder_probabilities_join_the_signals(tiny_nli):
    model, order = judge.load_nli(tiny_nli)
    assert order == [0, 1, 2]
    pairs = [("Er glaube nicht, dass Europäer am Tisch sitzen.", "Die Europäer sitzen am Tisch.", 0.7)] * 3
    with_nli = judge.Judge(nli_model=tiny_nli)
    p, _, _ = with_nli.probabilities(pairs)
    alone, _, _ = judge.Judge().probabilities(pairs)
    q = model.predict([(a, b) for a, b, _ in pairs], apply_softmax=True)[:, order]
    assert np.allclose(p, (1 - judge.NLI_WEIGHT) * alone + judge.NLI_WEIGHT * q, atol=1e-5)
    assert np.allclose(p.sum(axis=1), 1)
    assert len(with_nli.judge_pairs(pairs)) == 3


def test_missing_nli_model_says_so(tmp_path):
    with pytest.raises(judge.NLIModelNotFound, match="not available offline"):
        judge.load_nli(str(tmp_path / "nothing-here"))


def test_stored_stances_and_claims_ask_use_the_builds_nli_model(tiny_nli, tmp_path):
    import shutil

    import sqlite_utils

    from claims.pipeline import ask
    from claims import Corpus

    from conftest import ROOT, SEEDS

    shutil.copytree(SEEDS, tmp_path / "seeds")
    db_path = tmp_path / "claims.db"
    questions = ask.load_questions(ROOT / "db" / "questions.yml")
    Corpus(db_path, nli_model=tiny_nli, questions=questions).add([str(tmp_path / "seeds")])
    db = sqlite_utils.Database(db_path)
    corpus = Corpus(db_path)
    # What `claims ask` judges with is the build's judge, NLI model included.
    assert corpus.settings.judge == f"nli:{tiny_nli}"
    assert corpus.stance_judge().combined.nli is not None
    assert {r["judge"] for r in db.query("select judge from answers")} <= {"signals", f"nli:{tiny_nli}"}
    question = questions[0]
    stored = {
        r["claim_id"]: (r["stance"], r["score"])
        for r in db.query("select claim_id, stance, score from answers where question_id = ?", [question["id"]])
    }
    asked = {a.claim_id: (a.stance, a.score) for a in corpus.ask(question["question"], question["proposition"])}
    assert stored and stored == asked
    # Without the NLI model the same claims get other scores: it did take part.
    without = {a.claim_id: a.score for a in Corpus(db_path, judge="signals").ask(question["question"], question["proposition"])}
    assert any(abs(without[k] - stored[k][1]) > 1e-6 for k in stored)
