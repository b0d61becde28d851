"""Shared fixtures and helpers. Three layers:

- unit tests build small dbs in ``tmp_path`` with ``hashing_model``, a small
  deterministic embedding model (a real ``SentenceTransformer`` whose one module
  hashes words), when what they test does not turn on meaning;
- end-to-end tests share ``seed_db_path``, the seeds built once with the real
  default model, and read it with sqlite-utils or ``datasette`` (Datasette in
  process, through its test client);
- the smoke layer (``-m smoke``) starts ``claims serve`` and ``claims build``
  as a user does, in other processes, and drives a real browser.
"""

import asyncio
import json
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import zlib
from pathlib import Path

import numpy as np
import pytest
import sqlite_utils
import yaml

from claims import Corpus
from claims.pipeline.ask import load_questions

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_db_path(tmp_path_factory):
    """The five seed articles built once with the default (real) model."""
    folder = tmp_path_factory.mktemp("seed")
    seeds = folder / "seeds"
    shutil.copytree(SEEDS, seeds)
    path = folder / "claims.db"
    Corpus(path, questions=load_questions(ROOT / "db" / "questions.yml")).add([str(seeds)])
    return path


@pytest.fixture(scope="session")
def signals_seed_db_path(tmp_path_factory):
    """The seeds built with ``--judge signals``: the stances as the signals judge
    reads them (a new db's default is the stance model, README "Points first")."""
    folder = tmp_path_factory.mktemp("seed-signals")
    path = folder / "claims.db"
    Corpus(path, judge="signals", questions=load_questions(ROOT / "db" / "questions.yml")).add([str(SEEDS)])
    return path


@pytest.fixture
def seed_db(seed_db_path):
    return sqlite_utils.Database(seed_db_path)


@pytest.fixture(scope="session")
def reviewed_seed_db_path(seed_db_path, tmp_path_factory):
    """The seed db after a reader's twenty reviews (``docs/seed_reviews.csv``,
    inserted with SQL as the README shows) and a build: what a reader is shown
    as found (issue 44: the machine alone finds nothing here)."""
    import csv

    path = tmp_path_factory.mktemp("seed-reviewed") / "claims.db"
    source = sqlite_utils.Database(seed_db_path)
    source.execute("pragma wal_checkpoint(truncate)")
    shutil.copy(seed_db_path, path)
    with open(ROOT / "docs" / "seed_reviews.csv", encoding="utf-8") as f:
        rows = [{k: v or None for k, v in row.items()} for row in csv.DictReader(f)]
    sqlite_utils.Database(path)["reviews"].insert_all(rows)
    Corpus(path).build()
    return path


@pytest.fixture
def reviewed_seed_db(reviewed_seed_db_path):
    return sqlite_utils.Database(reviewed_seed_db_path)


# Both claims of every pair the machine proposes as ``relation`` (found or
# candidate), as the pair views show them: the machine's own verdicts, for
# tests of what it proposes.
def proposed(relation: str = "conflict") -> str:
    from claims.store.schema import PAIR_VIEW_FOUND

    return "(" + PAIR_VIEW_FOUND.format(relation=relation).replace(" and (p.status = 'confirmed' or p.found is not null)", "") + ")"


@pytest.fixture
def copy_of_seed_db(seed_db_path, tmp_path):
    """A copy of the seed db to change, and the seeds' folder."""
    path = tmp_path / "claims.db"
    source = sqlite_utils.Database(seed_db_path)
    source.execute("pragma wal_checkpoint(truncate)")
    shutil.copy(seed_db_path, path)
    seeds = seed_db_path.parent / "seeds"
    return path, seeds


# The two conflicts the mission names: (a fragment of each claim).
GOLD_CONFLICTS = [
    ("er glaube nicht, dass Europäer", "irgendwann mit am Tisch sitzen"),
    ("Kelloggs Rolle weitgehend als zeremoniell", "weiterhin eine wichtige Rolle im Friedensprozess"),
]


def hashing_model(dimensions: int = 64):
    """A small deterministic embedding model: each word (lower case) adds one
    to a dimension chosen by its CRC-32. Texts that share words are alike,
    nothing else is; it loads in no time and gives the same vectors on every
    machine. For tests of what does not turn on meaning."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules.input_module import InputModule

    class HashingWords(InputModule):
        save_in_root = False

        def preprocess(self, inputs, prompt=None, **kwargs):
            return {"texts": list(inputs)}

        def forward(self, features, **kwargs):
            vectors = np.zeros((len(features["texts"]), dimensions), dtype=np.float32)
            for row, text in enumerate(features["texts"]):
                for word in text.lower().split():
                    vectors[row, zlib.crc32(word.strip(".,;:!?\"'„“").encode()) % dimensions] += 1.0
            features["sentence_embedding"] = torch.from_numpy(vectors)
            return features

        def get_embedding_dimension(self) -> int:
            return dimensions

        def save(self, output_path: str, *args, **kwargs) -> None:
            pass

    return SentenceTransformer(modules=[HashingWords()], device="cpu")


def make_tiny_nli(path) -> str:
    """A tiny NLI cross-encoder saved in ``path``, built here from a config:
    no download, random weights, real loading and label mapping."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    words = "[PAD] [UNK] [CLS] [SEP] [MASK] die europäer sitzen am tisch nicht er glaube".split()
    (path / "vocab.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(path / "vocab.txt")).save_pretrained(path)
    config = BertConfig(
        vocab_size=len(words), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, num_labels=3,
        # The order of mDeBERTa XNLI models: not ours.
        id2label={0: "entailment", 1: "neutral", 2: "contradiction"},
        label2id={"entailment": 0, "neutral": 1, "contradiction": 2},
    )
    BertForSequenceClassification(config).save_pretrained(path)
    return str(path)


@pytest.fixture(scope="session")
def hashing():
    return hashing_model()


@pytest.fixture
def small_corpus(tmp_path, hashing):
    """An empty corpus in ``tmp_path`` that embeds with ``hashing_model``."""
    return Corpus(tmp_path / "claims.db", model="hashing-64", encoder=hashing)


# Datasette in process ------------------------------------------------------


@pytest.fixture(scope="session")
def datasette(reviewed_seed_db_path):
    """Datasette over the seed db with the project's metadata, in this
    process, as ``claims serve`` configures it; ``fetch`` asks it for a page."""
    from datasette.app import Datasette

    metadata = yaml.safe_load((ROOT / "db" / "metadata.yml").read_text(encoding="utf-8"))
    return Datasette([str(reviewed_seed_db_path)], metadata=metadata, settings={"suggest_facets": False})


@pytest.fixture(scope="session")
def signals_datasette(signals_seed_db_path, tmp_path_factory):
    """Datasette over the seeds built with the signals judge, served as ``claims``."""
    from datasette.app import Datasette

    folder = tmp_path_factory.mktemp("signals-served")
    served = folder / "claims.db"
    source = sqlite_utils.Database(signals_seed_db_path)
    source.execute("pragma wal_checkpoint(truncate)")
    shutil.copy(signals_seed_db_path, served)
    metadata = yaml.safe_load((ROOT / "db" / "metadata.yml").read_text(encoding="utf-8"))
    return Datasette([str(served)], metadata=metadata, settings={"suggest_facets": False})


def fetch(datasette, path: str):
    """The response (httpx) of the in-process ``datasette`` to a GET of ``path``."""
    return asyncio.run(datasette.client.get(path))


def fetch_json(datasette, path: str):
    response = fetch(datasette, path)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.json()


# Other processes (the smoke layer) ------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_path, log, *options):
    """``claims serve`` on a free port, as a user starts it; its URL once it answers.
    ``log`` is a file, not a pipe: a pipe nobody reads fills up and blocks the server."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "claims.cli", "serve", "--db", str(db_path), "--port", str(port), *options],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            return process, base
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    if hasattr(log, "seek"):
        log.seek(0)
        pytest.fail(log.read().decode())
    pytest.fail("claims serve did not answer")


@pytest.fixture(scope="module")
def server(reviewed_seed_db_path, tmp_path_factory):
    """``claims serve`` on the seed db a reader reviewed, in another process: its base URL."""
    log = (tmp_path_factory.mktemp("serve") / "datasette.log").open("w+b")
    process, base = start_server(reviewed_seed_db_path, log, "--metadata", str(ROOT / "db" / "metadata.yml"))
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="module")
def signals_server(signals_seed_db_path, tmp_path_factory):
    """``claims serve`` on the seeds built with ``--judge signals``: its base URL."""
    log = (tmp_path_factory.mktemp("serve-signals") / "datasette.log").open("w+b")
    process, base = start_server(signals_seed_db_path, log, "--metadata", str(ROOT / "db" / "metadata.yml"))
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()


def start_build(corpus, db, *options, stderr=subprocess.DEVNULL):
    """``claims build CORPUS --db DB`` in another process, as a user runs it.
    ``stderr``: a pipe to read what went wrong (read only what stays short)."""
    return subprocess.Popen(
        [sys.executable, "-m", "claims.cli", "build", str(corpus), "--db", str(db), "--no-progress", *options],
        stdout=subprocess.DEVNULL, stderr=stderr, text=True,
    )


def stored(db, table="articles"):
    """Rows of ``table`` in the db a build in another process is writing; -1
    while the db or the table is not there yet."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as conn:
            return conn.execute(f"select count(*) from {table}").fetchone()[0]
    except sqlite3.Error:  # not created yet, or being created
        return -1


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def generated_corpus(folder):
    """The seeds plus articles made of their sentences, shuffled."""
    shutil.copytree(SEEDS, folder)
    sentences = [line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text(encoding="utf-8").split(". ") if len(line) > 40]
    rng = random.Random(7)
    for k in range(12):
        body = ". ".join(rng.sample(sentences, 8)) + "."
        (folder / f"generated_{k:02d}.txt").write_text(f"Artikel {k}\n\n{body}\n", encoding="utf-8")
    return folder


def claim_id(db, fragment):
    rows = list(db.query("select id from claims where text like ?", [f"%{fragment}%"]))
    assert len(rows) == 1, f"expected one claim containing {fragment!r}, found {len(rows)}"
    return rows[0]["id"]


# A short report on the seeds' story: it joins their story (stories.py) and its
# claims are matched with theirs.
KELLOGG_REPORT = (
    "Kellogg bleibt wichtig\n\n"
    "Der US-Sondergesandte Keith Kellogg spielt weiterhin eine wichtige Rolle im Friedensprozess für die Ukraine, sagte ein Diplomat. "
    "Kellogg reist nächste Woche nach Brüssel und Kiew, um mit Selenskyj und den europäischen Hauptstädten über Sicherheitsgarantien zu sprechen. "
    "Moskau hatte Kelloggs Rolle zuletzt als zeremoniell bezeichnet, während Trump mit Putin über ein Ende des Krieges verhandeln will.\n"
)


# Measurements tests record for the reader of `make test` (e.g. the splitter
# against the hand-made gold file), printed after the results.
MEASURED: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if MEASURED:
        terminalreporter.section("measured")
        for line in MEASURED:
            terminalreporter.write_line(line)


# What builds changed (table changes) -----------------------------------------


def reported(path) -> dict:
    """What the changes are about, as stored: (what, key) -> value (the found
    conflicts and agreements: what the views show)."""
    db = sqlite_utils.Database(path)
    found = {}
    for r in db.query("""select claim_a, claim_b, relation from claim_pairs where relation in ('conflict', 'agree')
                         and (status = 'confirmed' or found is not null)"""):
        found[("conflict" if r["relation"] == "conflict" else "agreement", f"{r['claim_a']}:{r['claim_b']}")] = r["relation"]
    for r in db.query("select question_id, claim_id, stance from answers where stance in ('yes', 'no')"):
        found[("side", f"{r['question_id']}|{r['claim_id']}")] = r["stance"]
    for r in db.query("select id, contested from questions"):
        found[("point", r["id"])] = "contested" if r["contested"] else "open"
    return found


def replayed(path) -> dict:
    """The changes of every build, replayed in order from an empty db."""
    state = {}
    for r in sqlite_utils.Database(path).query("select what, key, change, after from changes order by id"):
        if r["change"] == "removed":
            del state[(r["what"], r["key"])]
        else:
            state[(r["what"], r["key"])] = r["after"]
    return state
