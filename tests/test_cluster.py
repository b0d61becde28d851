"""The build on a Ray cluster gives the db the local build gives."""

import random
import shutil

import pytest
import sqlite_utils

from claims import Corpus

from conftest import SEEDS

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")


def _articles(folder, n=40):
    """The seeds and ``n`` articles made of their sentences, as GNAD-like one-article JSONL files."""
    import json

    shutil.copytree(SEEDS, folder)
    sentences = [line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text(encoding="utf-8").split(". ") if len(line) > 40]
    rng = random.Random(11)
    for k in range(n):
        body = ". ".join(rng.sample(sentences, 6)) + "."
        record = {"title": f"Artikel {k}", "source": f"quelle{k % 7}", "text": body}
        (folder / f"gnad_{k:03d}.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


def _state(path):
    db = sqlite_utils.Database(path)
    return {
        "articles": db.execute("select path, sha256, story_id from articles order by id").fetchall(),
        "claims": db.execute("select article_id, position, text, start, end, speaker, content, terms from claims order by id").fetchall(),
        "stories": db.execute("select id, label, articles from stories order by id").fetchall(),
        "pairs": db.execute("select claim_a, claim_b, relation from claim_pairs order by 1, 2").fetchall(),
    }


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
    assert _state(on_ray) == _state(local)
