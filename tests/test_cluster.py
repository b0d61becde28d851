"""The build on a Ray cluster gives the db the local build gives."""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils

from claims import Corpus

from conftest import SEEDS, free_port, start_build, stored

# Every Ray process of these tests listens on loopback only (read when Ray is imported).
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")
pytest.importorskip("pyarrow")


def _articles(folder, n=40):
    """The seeds and ``n`` articles made of their sentences, GNAD-like: half as
    one-article JSONL files, half as rows of a Parquet file of row groups of 6."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    shutil.copytree(SEEDS, folder)
    sentences = [line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text(encoding="utf-8").split(". ") if len(line) > 40]
    rng = random.Random(11)
    records = [{"title": f"Artikel {k}", "source": f"quelle{k % 7}", "text": ". ".join(rng.sample(sentences, 6)) + "."} for k in range(n)]
    for k, record in enumerate(records[: n // 2]):
        (folder / f"gnad_{k:03d}.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    rows = records[n // 2 :]
    rows.insert(3, {"title": "Leer", "source": "quelle0", "text": ""})  # a row to name as a problem
    pq.write_table(pa.Table.from_pylist(rows), folder / "gnad_rest.parquet", row_group_size=6)
    return folder


def _state(path):
    db = sqlite_utils.Database(path)
    return {
        "articles": db.execute("select path, sha256, story_id from articles order by id").fetchall(),
        "claims": db.execute("select article_id, position, text, start, end, speaker, content, terms from claims order by id").fetchall(),
        "stories": db.execute("select id, label, articles from stories order by id").fetchall(),
        "pairs": db.execute("select claim_a, claim_b, relation from claim_pairs order by 1, 2").fetchall(),
        "problems": db.execute("select path, message from ingest_log order by path").fetchall(),
    }


def test_shards_keep_the_order_and_split_large_row_groups(tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from claims.pipeline import cluster
    from claims.inputs import ingest

    path = tmp_path / "feed.parquet"
    pq.write_table(pa.table({"text": [f"Satz {k}." for k in range(10)]}), path, row_group_size=8)  # rows 1-8, 9-10
    before = ingest.Article(path="a.txt", title="A", text="Erster Satz.", source="a")
    stubs = [cluster.Stub(f"{path}:{k}", f"hash{k}", None, str(path)) for k in range(1, 11)]
    monkeypatch.setattr(cluster, "ROWS_PER_TASK", 3)
    shards = cluster.shards([(before, None)] + [(stub, None) for stub in stubs if stub.path != f"{path}:5"])
    assert [(s["group"], s["paths"]) for s in shards] == [
        (-1, []),
        (0, [f"{path}:1", f"{path}:2", f"{path}:3"]),
        (0, [f"{path}:4", f"{path}:6", f"{path}:7"]),
        (0, [f"{path}:8"]),
        (1, [f"{path}:9", f"{path}:10"]),
    ]


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_a_ray_build_equals_the_local_build(tmp_path, local_ray):
    folder = _articles(tmp_path / "articles")
    local, on_ray = tmp_path / "local.db", tmp_path / "ray.db"
    Corpus(local).add([str(folder)])
    result = Corpus(on_ray, ray=True).add([str(folder)])
    assert result.articles == 45 and result.pairs > 0
    state = _state(on_ray)
    assert (str(folder / "gnad_rest.parquet:4"), "missing or empty 'text' field, row skipped") in state["problems"]
    assert state == _state(local)


def test_parquet_rows_on_ray_take_the_story_of_the_build_unless_they_name_one(tmp_path, local_ray):
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))[:3]]
    pq.write_table(pa.table({"text": texts, "story": [None, "Eigene", None]}), tmp_path / "feed.parquet", row_group_size=2)
    Corpus(tmp_path / "claims.db", ray=True).add([str(tmp_path / "feed.parquet")], story="Ukraine")
    rows = sqlite_utils.Database(tmp_path / "claims.db").execute(
        "select a.path, s.label from articles a join stories s on s.id = a.story_id order by a.id"
    ).fetchall()
    assert rows == [(f"{tmp_path / 'feed.parquet'}:1", "Ukraine"), (f"{tmp_path / 'feed.parquet'}:2", "Eigene"), (f"{tmp_path / 'feed.parquet'}:3", "Ukraine")]


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory):
    """A 2-CPU Ray cluster on loopback, started apart from the builds (as a
    user starts one with ``ray start``), so that a build killed with SIGKILL
    does not take it along; its processes are ended with it."""
    port = free_port()
    temp = tmp_path_factory.mktemp("ray")
    head = subprocess.Popen(
        [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block", f"--port={port}", "--num-cpus=2",
         "--node-ip-address=127.0.0.1", "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while subprocess.run([str(Path(sys.executable).parent / "ray"), "status", f"--address={address}"], capture_output=True).returncode:
        assert head.poll() is None and time.monotonic() < deadline, "the Ray head did not start"
        time.sleep(1)
    yield address
    # A few seconds to end on its own (``ray start --block`` often does not on
    # SIGTERM), then the whole group, head and workers, is killed.
    for sig, grace in ((signal.SIGTERM, 3), (signal.SIGKILL, 20)):
        try:
            os.killpg(head.pid, sig)
        except ProcessLookupError:
            break
        try:
            head.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue


def _build(folder, db, address=None):
    return start_build(folder, db, *(["--ray", address] if address else []), stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def corpus_and_local(tmp_path_factory):
    folder = tmp_path_factory.mktemp("resume")
    corpus = _articles(folder / "articles")
    local = folder / "local.db"
    assert _build(corpus, local).wait(timeout=600) == 0
    return corpus, _state(local)


# Killed half-way through the articles (some stored, some split or embedded on
# the cluster), and once all are stored, while stories are placed and pairs judged.
@pytest.mark.smoke
@pytest.mark.parametrize("kill_at", [20, 45])
def test_a_killed_ray_build_resumes_to_the_local_build(ray_cluster, corpus_and_local, tmp_path, kill_at):
    corpus, local = corpus_and_local
    db = tmp_path / "claims.db"
    process = _build(corpus, db, ray_cluster)
    while stored(db) < kill_at and process.poll() is None:
        time.sleep(0.01)
    assert process.poll() is None, "the build finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert 0 < stored(db) <= 45
    again = _build(corpus, db, ray_cluster)
    assert again.wait(timeout=600) == 0, again.stderr.read()
    # The log says what each run met: a resumed build may say it twice.
    resumed = _state(db)
    assert set(resumed.pop("problems")) == set(local["problems"])
    assert resumed == {k: v for k, v in local.items() if k != "problems"}


@pytest.mark.smoke
def test_on_a_cluster_with_a_gpu_an_encoder_runs_on_it(seed_db_path, tmp_path):
    """A cluster that reports a GPU (a logical one here: Ray hands it out
    without CUDA, and USE runs on the CPU whatever the device) gets an encoder
    actor on it and split tasks on every core, and builds the local build's db."""
    db = tmp_path / "gpu.db"
    script = (
        "import ray, sys\n"
        "from claims import Corpus\n"
        "ray.init(num_cpus=2, num_gpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)\n"
        "from claims.pipeline.ask import load_questions\n"
        "Corpus(sys.argv[1], ray=True, questions=load_questions(sys.argv[3])).add([sys.argv[2]])\n"
        "ray.shutdown()\n"
    )
    questions = Path(__file__).resolve().parent.parent / "db" / "questions.yml"  # the seed db's: their sides make conflicts
    done = subprocess.run([sys.executable, "-c", script, str(db), str(seed_db_path.parent / "seeds"), str(questions)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _state(db) == _state(seed_db_path)
