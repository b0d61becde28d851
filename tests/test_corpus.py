"""The Python API: a Corpus built from dicts, kept up to date with its settings.

These use ``hashing_model`` (conftest), a small deterministic embedding model:
what they test does not turn on meaning.
"""

import os
import subprocess
import sys

from claims import Corpus, Settings
from claims.index import embed
from claims.settings import PAIRS, stale

from conftest import ROOT, hashing_model

TALKS = "Gespräche in Genf\n\nDie Gespräche in Genf beginnen am Montag, sagte der Außenminister. Die Europäer sitzen nicht am Tisch."
TABLE = "Europa verhandelt mit\n\nDie Europäer sitzen am Tisch, sagte die Kommissarin. Die Gespräche in Genf beginnen am Montag."
RECORDS = [
    {"title": "Gespräche in Genf", "source": "Agentur", "text": TALKS, "url": "https://example.org/genf"},
    {"title": "Europa verhandelt mit", "source": "Zeitung", "text": TABLE, "path": "zeitung/europa"},
]


def test_a_corpus_from_dicts(small_corpus, tmp_path):
    result = small_corpus.add(RECORDS)
    assert (result.new, result.unchanged, result.replaced) == (2, 0, 0)
    assert result.claims == len(small_corpus.claims()) > 0
    sources = {c["source"] for c in small_corpus.claims()}
    assert sources == {"Agentur", "Zeitung"}
    paths = [r["path"] for r in small_corpus.db.query("select path from articles order by id")]
    assert paths == ["https://example.org/genf", "zeitung/europa"]  # a record's url, else its path, names it
    assert small_corpus.stories() and result.pairs > 0
    # Given again: nothing changes. Given with another text under its path: replaced.
    assert small_corpus.add(RECORDS).unchanged == 2
    changed = dict(RECORDS[1], text=TABLE.replace("am Montag", "am Dienstag"))
    assert small_corpus.add([RECORDS[0], changed]).replaced == 1
    assert [r["path"] for r in small_corpus.db.query("select path from articles order by id")] == ["https://example.org/genf", "zeitung/europa"]


def test_a_record_without_text_is_named_and_nothing_stored_is_lost(small_corpus):
    small_corpus.add(RECORDS[:1])
    before = small_corpus.db["claims"].count
    result = small_corpus.add([{"title": "leer"}, 42])
    assert [str(p) for p in result.problems] == [
        "record 1: missing or empty 'text' field, record skipped",
        "record 2: not a JSON object, record skipped",
    ]
    assert small_corpus.db["claims"].count == before
    assert small_corpus.db["ingest_log"].count == 2


def test_the_db_folder_is_made(tmp_path, hashing):
    corpus = Corpus(tmp_path / "new" / "folder" / "claims.db", model="hashing-64", encoder=hashing)
    corpus.add(RECORDS)
    assert (tmp_path / "new" / "folder" / "claims.db").exists()


def test_reopened_it_keeps_the_settings_it_was_built_with(small_corpus, hashing):
    small_corpus.settings = small_corpus.settings.replace(threshold=0.5, questions=[{"id": "tisch", "question": "Sitzen die Europäer am Tisch?"}])
    small_corpus.add(RECORDS)
    again = Corpus(small_corpus.store, encoder=hashing)
    assert again.settings == small_corpus.settings
    assert [q.id for q in again.settings.questions] == ["tisch"]
    assert small_corpus.db["answers"].count > 0


def test_other_settings_redo_what_they_change_and_only_that(small_corpus, monkeypatch):
    small_corpus.add(RECORDS)
    encoded = []
    original = embed.encode
    monkeypatch.setattr(embed, "encode", lambda model, texts, **k: encoded.extend(texts) or original(model, texts, **k))
    # Nothing changed: nothing is done.
    assert small_corpus.build().pairs == small_corpus.db["claim_pairs"].count
    assert encoded == []
    # Another threshold: matched again, not embedded again.
    small_corpus.settings = small_corpus.settings.replace(semantic_threshold=0.99, threshold=1.5)
    small_corpus.build()
    assert encoded == [] and small_corpus.store.config()["threshold"] == "1.5"
    # Another model: every claim embedded with it.
    small_corpus.settings = small_corpus.settings.replace(model="hashing-32")
    small_corpus.encoder = hashing_model(32)
    small_corpus.build()
    claims = small_corpus.db["claims"].count
    assert len(encoded) <= claims
    assert small_corpus.db.execute("select count(*) from embeddings where model = 'hashing-32'").fetchone()[0] == claims


def test_similar_ranks_claims_by_their_model(small_corpus):
    small_corpus.add(RECORDS)
    [first, *_] = small_corpus.similar("Die Europäer sitzen am Tisch", limit=3)
    assert first["text"].startswith("Die Europäer sitzen") and first["similarity"] > 0.5
    assert {"id", "text", "speaker", "source", "title", "similarity"} <= set(first)


def test_one_rule_says_what_is_stale():
    settings = Settings(model="m")
    key = settings.key("judge-1")
    assert not stale(key, dict(key))
    assert stale(key, {}), "a db that made nothing yet has nothing current"
    assert stale(key, dict(key, judge="judge-2")) and stale(key, dict(key, threshold="0.5"))
    assert not stale(key, dict(key, questions="[]"), PAIRS), "other questions leave the pairs as they are"


def test_importing_claims_leaves_the_environment_alone():
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    out = subprocess.run(
        [sys.executable, "-c", "import os, claims; print(os.environ.get('HF_HUB_OFFLINE'))"],
        env=env, capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout
    assert out.strip() == "None"
