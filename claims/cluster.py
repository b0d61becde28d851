"""Cluster: the build's heavy stages on Ray, past one machine.

``claims build --ray [ADDRESS]`` (the optional extra ``claims[ray]``) hands
the two stages that cost most to a Ray cluster, through Ray Data: splitting
articles into claims (in parallel tasks, a batch of articles each) and
embedding the claims (in a pool of actors that load the model once each, on a
GPU where the cluster has one). Stories, matching, judging and every write
stay with the one process that owns the SQLite db (``store.Store``), which
commits article by article as a local build does: a build whose cluster dies
resumes like a local one. Without the extra nothing here is imported.
"""

from __future__ import annotations

import os

import numpy as np

SPLIT_BATCH = 8  # articles per split task
ENCODE_BATCH = 32  # texts per call of an encoder actor, as a local build batches them


class RayNotInstalled(Exception):
    pass


def connect(address: str | None = None):
    """Ray, connected to the cluster at ``address`` (``auto``: the one this
    machine belongs to), or to a new local one when None."""
    try:
        import ray
    except ImportError:
        raise RayNotInstalled("--ray needs Ray: pip install 'claims[ray]'") from None
    if not ray.is_initialized():
        # A local cluster sees this machine's cores; the dashboard and the log
        # forwarding are for people watching a cluster, not for a build.
        options = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if address:
            ray.init(address=address, **options)
        else:
            ray.init(num_cpus=os.cpu_count() or 1, **options)
    return ray


def _split_batch(batch: dict) -> dict:
    from .build import split_article

    results = np.empty(len(batch["article"]), dtype=object)
    for k, article in enumerate(batch["article"]):
        results[k] = split_article(article)
    return {"k": batch["k"], "result": results}


def split_all(articles: list, address: str | None = None) -> list:
    """``build.split_article`` of each article, in order, in Ray tasks."""
    if not articles:
        return []
    ray = connect(address)
    rows = [{"k": k, "article": article} for k, article in enumerate(articles)]
    # One task per core: left alone, Ray Data's resource budget ran one at a time here.
    cores = max(1, int(ray.cluster_resources().get("CPU", 1)))
    done = ray.data.from_items(rows).map_batches(_split_batch, batch_size=SPLIT_BATCH, num_cpus=1, concurrency=cores).take_all()
    return [row["result"] for row in sorted(done, key=lambda row: row["k"])]


class _Encoder:
    """A Ray actor that loads the embedding model once and encodes batches of texts."""

    def __init__(self, model_name: str):
        from . import embed

        # One thread: the pool has an actor per core, and more threads each only fight over them.
        self.model = embed.load_model(model_name, threads=1)

    def __call__(self, batch: dict) -> dict:
        from . import embed

        vectors = np.empty(len(batch["texts"]), dtype=object)  # one 2-d array per row
        for row, texts in enumerate(batch["texts"]):
            vectors[row] = embed.encode(self.model, list(texts))
        return {"k": batch["k"], "vectors": vectors}


def encode(texts: list[str], model_name: str, address: str | None = None, actors: int | None = None) -> np.ndarray:
    """Unit-length vectors of ``texts``, in order, from a pool of encoder
    actors; each gets the texts in batches of ``ENCODE_BATCH``."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    ray = connect(address)
    chunks = [{"k": k, "texts": texts[lo : lo + ENCODE_BATCH]} for k, lo in enumerate(range(0, len(texts), ENCODE_BATCH))]
    size = actors or max(1, min(len(chunks), int(ray.cluster_resources().get("CPU", 1))))
    done = (
        ray.data.from_items(chunks)
        .map_batches(_Encoder, fn_constructor_args=(model_name,), batch_size=1, num_cpus=1, compute=ray.data.ActorPoolStrategy(size=size))
        .take_all()
    )
    return np.vstack([np.asarray(row["vectors"], dtype=np.float32) for row in sorted(done, key=lambda row: row["k"])])
