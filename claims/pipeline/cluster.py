"""Cluster: the build's heavy stages on Ray, past one machine.

``claims build --ray [ADDRESS]`` (the optional extra ``claims[ray]``) runs
the stages that cost most as one streaming Ray Data pipeline:

1. ``index``: Parquet inputs are read in tasks, a row group each, for the
   path and the hash of each article, so that the db's owner can tell which
   are new (``articles.sort_out``) without holding their texts.
2. ``stream``: the articles to build are read again where they are (up to
   ``ROWS_PER_TASK`` rows of a Parquet row group per task; files and records
   the driver has read travel in batches), split into claims in parallel
   tasks, and embedded in a pool of actors that load the model once each (on
   a GPU where the cluster has one). Rows come back in input order, so
   article and claim ids are a local build's.

The one process that owns the SQLite db (``store.Store``) writes each
article as it arrives, in its own transaction, as a local build does: a
killed build leaves whole articles, and the next build skips them. It then
places stories, and matches and judges the claims of each story in tasks
(``matching.py``, run here by ``Cluster.run``): claims are only compared within a story, so stories are
the unit of that work. Without the extra nothing here is imported.
"""

from __future__ import annotations

import bisect
import json
import os
import pickle
import time
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from ..inputs import ingest
from ..errors import ClusterError, RayNotInstalled

SPLIT_BATCH = 8  # articles the driver has read, per split task
# Parquet rows per split task: a task reads its whole row group (Parquet reads no
# less) and splits these rows of it, so a file written in large row groups is
# still split by many tasks, at the cost of reading a group once per task.
ROWS_PER_TASK = 256
ENCODE_BATCH = 8  # articles per call of an encoder actor (some 150 texts, encoded 32 at a time)
# Ray's setting that makes a local cluster bind to loopback (see ``connect``).
LOOPBACK_ONLY = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"




def connect(address: str | None = None):
    """Ray, connected to the cluster at ``address`` (``auto``: the one this
    machine belongs to), or to a new local one when None."""
    if not address:
        # A cluster for this machine alone listens on loopback only. Ray binds
        # to the machine's network address otherwise; this setting (named for
        # the systems where loopback is its default) is read when Ray is imported.
        os.environ.setdefault(LOOPBACK_ONLY, "0")
    try:
        import ray
        import ray.data  # noqa: F401  (ray without its data extra cannot run a build)
    except ImportError:
        raise RayNotInstalled("--ray needs Ray Data: pip install 'claims[ray]'") from None
    if not ray.is_initialized():
        # A local cluster sees this machine's cores; the dashboard and the log
        # forwarding are for people watching a cluster, not for a build.
        options = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if address:
            try:
                ray.init(address=address, **options)
            except (ConnectionError, ValueError) as e:  # no cluster there, or not an address
                raise ClusterError(f"--ray {address}: no Ray cluster to connect to ({str(e).splitlines()[0]})") from None
        else:
            ray.init(num_cpus=os.cpu_count() or 1, **options)
    # Rows in input order: the db's ids are the local build's, and a resumed build's.
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    return ray


def quiet() -> None:
    """Ray Data's own progress log and its advice on concurrency off, for the
    command line: the build shows its progress, and says what went wrong."""
    import warnings

    os.environ.setdefault("RAY_DATA_LOG_LEVEL", "WARNING")  # read when Ray Data sets up its loggers
    warnings.filterwarnings("ignore", category=UserWarning, module=r"ray\.data\.")


def _cores(ray) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


# Reading ---------------------------------------------------------------------


@dataclass
class Stub:
    """What deciding whether an article is new takes: its path, the hash of its
    text, the story the user gave it and what it says of itself (title, outlet,
    date: an edit of these alone is applied in place, ``articles.sort_out``)."""

    path: str
    sha256: str
    story: str | None
    file: str  # the Parquet file it is a row of
    title: str = ""
    source: str = ""
    url: str | None = None
    published: str | None = None
    author: str | None = None


def _index_batch(batch: dict) -> dict:
    files, paths, hashes, stories, metadata, problems = [], [], [], [], [], []
    for k, file in enumerate(batch["file"]):
        group = ingest.ParquetGroup(str(file), int(batch["group"][k]), int(batch["first_row"][k]), int(batch["rows"][k]))
        articles, trouble = ingest.read_parquet_group(group)
        for a in articles:
            files.append(group.path)
            paths.append(a.path)
            hashes.append(a.sha256)
            stories.append(a.story)
            # One JSON column: Arrow would type a column of only None as null.
            metadata.append(json.dumps({k: getattr(a, k) for k in ingest.METADATA}))
        files += [group.path] * len(trouble)
        problems += trouble
    # A problem is a row of its own (empty path) after its group's articles.
    problem_column = np.empty(len(paths) + len(problems), dtype=object)
    problem_column[len(paths):] = problems
    return {
        "file": files, "path": paths + [""] * len(problems), "sha256": hashes + [""] * len(problems),
        "story": stories + [None] * len(problems), "metadata": metadata + ["{}"] * len(problems),
        "problem": problem_column,
    }


def index(paths: list[str], address: str | None = None) -> dict[str, tuple[list[Stub], list[ingest.Problem]]]:
    """The articles of each of the Parquet files ``paths`` as ``Stub`` s, in
    order, and the problems met; read in tasks, a row group each (the form of
    ``ingest.read_parquet_files``)."""
    found: dict[str, tuple[list, list]] = {}
    groups = []
    for path in paths:
        mine, trouble = ingest.parquet_groups(path)
        found[path] = ([], trouble)
        groups += mine
    if not groups:
        return found
    ray = connect(address)
    rows = [{"file": g.path, "group": g.group, "first_row": g.first_row, "rows": g.rows} for g in groups]
    data = ray.data.from_items(rows).map_batches(_index_batch, batch_size=1, num_cpus=1)
    for row in data.iter_rows():
        if row["problem"] is not None:
            found[row["file"]][1].append(row["problem"])
        else:
            found[row["file"]][0].append(Stub(row["path"], row["sha256"], row["story"], row["file"], **json.loads(row["metadata"])))
    return found


# Splitting and embedding -------------------------------------------------------


def shards(todo: list) -> list[dict]:
    """What the split tasks read, in the order of ``todo`` (``(article or
    Stub, id it replaces)`` pairs), as rows Arrow stores as they are: batches
    of the articles the driver has read (pickled, ``articles``), and the
    Parquet row groups that hold the ``Stub`` s (``file``, ``group``,
    ``first_row``, ``rows``), each with up to ``ROWS_PER_TASK`` ``paths`` to
    build of it."""
    out: list[dict] = []
    files = {item.file for item, _ in todo if isinstance(item, Stub)}
    groups = {file: ingest.parquet_groups(file)[0] for file in files}
    starts = {file: [g.first_row for g in found] for file, found in groups.items()}
    last = None  # the row group or the batch of articles being filled
    for item, _ in todo:
        if isinstance(item, Stub):
            row = int(item.path.rsplit(":", 1)[1])
            group = groups[item.file][bisect.bisect_left(starts[item.file], row) - 1]  # row n is in the last group starting before it
            if last != group or len(out[-1]["paths"]) == ROWS_PER_TASK:
                last = group
                out.append({"file": group.path, "group": group.group, "first_row": group.first_row, "rows": group.rows, "paths": [], "articles": []})
            out[-1]["paths"].append(item.path)
        else:
            if not (isinstance(last, list) and len(last) < SPLIT_BATCH):
                last = []
                out.append({"file": "", "group": -1, "first_row": 0, "rows": 0, "paths": [], "articles": last})
            last.append(item)
    for shard in out:
        shard["articles"] = pickle.dumps(shard["articles"])
    return out


def _split_batch(batch: dict, story: str | None) -> dict:
    from .splitting import split_article

    articles = []
    for k, file in enumerate(batch["file"]):
        if not file:
            articles += pickle.loads(batch["articles"][k])
            continue
        group = ingest.ParquetGroup(str(file), int(batch["group"][k]), int(batch["first_row"][k]), int(batch["rows"][k]))
        rows = [int(path.rsplit(":", 1)[1]) for path in batch["paths"][k]]
        found, _ = ingest.read_parquet_group(group, rows)  # its problems were met by ``index``
        for a in found:
            a.story = a.story or story
            articles.append(a)
    column, results = np.empty(len(articles), dtype=object), np.empty(len(articles), dtype=object)
    for k, article in enumerate(articles):
        column[k] = article
        results[k] = split_article(article)
    return {"article": column, "result": results}


class _Encoder:
    """A Ray actor that loads the embedding model (``model_name``) once and
    embeds the claims of batches of split articles."""

    model_name = ""

    def __init__(self):
        import ray

        from ..index import embed

        # One thread: the pool has an actor per core, and more threads each only fight over them.
        self.model = embed.load_model(self.model_name, threads=1, device="cuda" if ray.get_gpu_ids() else "cpu")

    def __call__(self, batch: dict) -> dict:
        from ..index import embed

        texts = [claim.content for _, claims, *_ in batch["result"] for claim in claims]
        distinct = list(dict.fromkeys(texts))  # a text twice in a batch: one vector
        vector_of = dict(zip(distinct, embed.encode(self.model, distinct))) if distinct else {}
        vectors = np.empty(len(batch["result"]), dtype=object)  # one 2-d array per article
        for row, (_, claims, *_) in enumerate(batch["result"]):
            vectors[row] = np.array([vector_of[c.content] for c in claims], dtype=np.float32).reshape(len(claims), -1)
        return {"article": batch["article"], "result": batch["result"], "vectors": vectors}


def _encoder_for(model_name: str) -> type:
    # The name as a class attribute, not a constructor argument: Ray keeps
    # those in the object store and warns that a restarted actor may lose them.
    return type("Encoder", (_Encoder,), {"model_name": model_name})


def stream(todo: list, model_name: str, story: str | None = None, address: str | None = None) -> Iterator[tuple[ingest.Article, tuple, np.ndarray]]:
    """Each article of ``todo`` (see ``shards``) with ``build.split_article``'s
    result and its claims' vectors, in order, as the cluster makes them.
    ``story``: the story of the Parquet articles that name none."""
    if not todo:
        return
    ray = connect(address)
    cores = _cores(ray)
    # Each core gets a split task and an encoder, and the two share it as they
    # need: splitting costs about two thirds of what embedding does
    # (docs/capacity.md). The split tasks ask for a quarter core each: Ray
    # Data gives each stage about half the cluster's cores to hand out, and at
    # half a core each only one split task ran at a time on 2 cores. Where
    # the cluster has GPUs, an encoder on each embeds, and every core splits.
    # (The two stages asking for different resources also keeps Ray Data from
    # fusing them, which would split on the encoders' cores only.)
    gpus = int(ray.cluster_resources().get("GPU", 0))
    share = 1.0 if gpus else 0.5
    work = shards(todo)
    data = (
        ray.data.from_items(work, override_num_blocks=len(work))  # a block per shard: as many tasks
        .map_batches(_split_batch, fn_kwargs={"story": story}, batch_size=1, num_cpus=share / 2, compute=ray.data.TaskPoolStrategy(size=cores))
        .map_batches(_encoder_for(model_name), batch_size=ENCODE_BATCH, num_cpus=0 if gpus else share, num_gpus=1 if gpus else 0,
                     compute=ray.data.ActorPoolStrategy(size=gpus or cores))
    )
    for row in data.iter_rows():
        yield row["article"], tuple(row["result"]), np.asarray(row["vectors"], dtype=np.float32)


# The runner ------------------------------------------------------------------


class Cluster:
    """The build's runner on the Ray cluster at ``address`` (None: a new
    local one; ``auto``: the one this machine is in), as ``local.Local`` is
    the runner on this machine."""

    def __init__(self, address: str | None = None):
        self.address = address

    def read_parquet(self, paths: list[str]):
        # Read there, a row group per task: the db's owner gets each article's path and hash.
        return index(paths, self.address)

    def split_and_embed(self, build, todo: list, story: str | None = None):
        """Each ``splitting.Split`` of ``todo`` with its claims' vectors, as
        the cluster makes them (``stream``), in order. ``story``: the story of
        the Parquet articles that name none."""
        from .splitting import Split

        replaces = {(item.path, item.sha256): old for item, old in todo}
        settings = build.settings
        arriving = stream(todo, settings.model, story, self.address)
        # The cluster's stages overlap: what is timed is the whole stream, as
        # "split", and apart the wait for its first article (workers starting, models loading).
        start = time.perf_counter()
        with build.timed("split"):
            for article, (language, claims, skipped, features, rarities), vectors in build.bar(arriving, len(todo), "build"):
                build.result.seconds.setdefault("first_article", time.perf_counter() - start)
                build.features.update((c.content, f) for c, f in zip(claims, features))
                if claims:
                    # A claim stored before keeps its vector (as ``splitting.encode_once`` does locally).
                    stored = build.store.stored_vectors(settings.model, [c.content for c in claims])
                    vectors = np.vstack([stored.get(c.content, v) for c, v in zip(claims, vectors)]).astype(np.float32, copy=False)
                yield Split(article, replaces[(article.path, article.sha256)], language, claims, skipped, rarities), vectors if claims else None

    def judges_in_tasks(self, judge) -> bool:
        """The signals judge judges each task's pairs where they were found; a
        model judge keeps its verdicts in the db, so it judges here, the pairs
        the tasks found."""
        from ..judging.judge import Judge

        return isinstance(judge, Judge)

    def run(self, task, payloads: list, shared) -> list:
        """``task(payload, shared)`` of each payload, a Ray task each, in order."""
        ray = connect(self.address)
        shared_ref = ray.put(shared)
        remote = ray.remote(num_cpus=1)(task)
        return ray.get([remote.remote(payload, shared_ref) for payload in payloads])
