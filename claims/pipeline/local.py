"""The local runner: the build's heavy stages on this machine.

A runner does three things for the build (``cluster.Cluster`` does them on
Ray): it reads Parquet inputs, it splits and embeds the new articles, and it
runs the match tasks (``matching.match_task``). Here, with many articles,
worker processes split on half the cores while this process embeds on the
other half and stores (``_overlapped``); the match tasks run one after the
other in this process.

Overlapping took the GNAD build from 2.29 to 1.95-2.05 times the encoder
alone (``make bench``; 39.8 s to 34.0 s in one run): the
encoder on one thread costs fewer core-seconds than on two, and splitting no
longer waits for nothing. Its claims are embedded in other batches than one
batch of all, so their vectors differ in the seventh decimal; on GNAD no pair,
relation or reason changed, a few similarities in the fourth decimal.
"""

from __future__ import annotations

import os

from ..inputs import ingest
from ..index import embed
from .context import Build
from .splitting import Split, encode_once, split_article

PARALLEL_MIN = 32  # articles from which splitting is worth a worker process


class Local:
    def read_parquet(self, paths: list[str]):
        return ingest.read_parquet_files(paths)

    def split_and_embed(self, build: Build, todo: list, story: str | None = None):
        """Each ``Split`` of ``todo`` with its claims' vectors, in order. With
        many articles and two cores or more, the articles are split in worker
        processes while this one embeds and stores those already split
        (``_overlapped``); else all are split before any is embedded. The
        articles read here have their ``story`` already."""
        if len(todo) >= PARALLEL_MIN and (os.cpu_count() or 1) >= 2:
            yield from _overlapped(build, todo)
            return
        splits = []
        with build.timed("split"):
            # Few articles, or one core: split here, not worth a worker.
            found = zip(todo, map(split_article, [a for a, _ in todo]))
            for (article, replaces), result in build.bar(found, len(todo), "split"):
                splits.append(_split(build, article, replaces, result))
        yield from _embedded(build, splits)

    def judges_in_tasks(self, judge) -> bool:
        # One process: the judge sees all pairs at once, after matching.
        return False

    def run(self, task, payloads: list, shared) -> list:
        return [task(payload, shared) for payload in payloads]


ENCODE_CLAIMS = 1024  # claims embedded at once while the workers split the next articles
SPLIT_CHUNK = 4  # articles a worker splits at a time


def _split(build: Build, article, replaces, result) -> Split:
    language, claims, skipped, features, rarities = result
    # Lemmatised in a worker: not again when judging.
    build.features.update((c.content, f) for c, f in zip(claims, features))
    return Split(article, replaces, language, claims, skipped, rarities)


def _embedded(build: Build, splits: list[Split]):
    """Each of ``splits`` with its claims' vectors, embedded in one batch."""
    texts = [c.content for s in splits for c in s.claims]
    with build.timed("embed"):
        vectors = encode_once(build, texts) if texts else None
    offset = 0
    for s in splits:
        yield s, vectors[offset : offset + len(s.claims)] if s.claims else None
        offset += len(s.claims)


def _overlapped(build: Build, todo: list):
    """Split in worker processes while this process embeds, on half the cores
    each (one and one on two): ``ENCODE_CLAIMS`` at a time as they come, each
    batch stored (by the caller) before the next is embedded, so that a text
    repeated later takes the stored vector (``encode_once``). Once the workers
    are done, the rest is embedded on every core. The batches end at the same
    articles however fast the workers are (the vectors depend on the batch a
    claim is in, not on the threads), so two builds store the same rows."""
    from concurrent.futures import ProcessPoolExecutor

    cores = os.cpu_count() or 1
    encoding = max(1, cores // 2)
    _warm()
    encoder = build.encoder()
    chunks = [todo[k : k + SPLIT_CHUNK] for k in range(0, len(todo), SPLIT_CHUNK)]
    pool = ProcessPoolExecutor(max(1, cores - encoding), initializer=_watch_parent, initargs=(os.getpid(),))
    try:
        # Every chunk is submitted at once: the workers never wait for this process.
        futures = [pool.submit(_split_chunk, [a for a, _ in chunk]) for chunk in chunks]
        waiting: list[Split] = []
        for k, (chunk, future) in enumerate(build.bar(zip(chunks, futures), len(chunks), "split", f"{SPLIT_CHUNK} articles")):
            with build.timed("split"):
                results = future.result()
            waiting += [_split(build, article, replaces, result) for (article, replaces), result in zip(chunk, results)]
            if sum(len(s.claims) for s in waiting) >= ENCODE_CLAIMS or k == len(chunks) - 1:
                splitting = not all(f.done() for f in futures[k + 1 :])
                with embed.threads(encoder, encoding if splitting else cores):
                    yield from _embedded(build, waiting)
                waiting = []
    finally:
        # A build stopped here (an error, Ctrl-C) does not wait for the articles not yet split.
        pool.shutdown(wait=True, cancel_futures=True)


def _watch_parent(parent: int) -> None:
    """In a split worker: end when the build that started it is gone. A build
    killed (kill -9) while its workers split left them waiting for work
    forever."""
    import threading
    import time

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _split_chunk(articles: list[ingest.Article]) -> list:
    return [split_article(a) for a in articles]


def _warm() -> None:
    # Loaded once here, the forked workers share the splitter's, the tagger's
    # and the frequency lists' data instead of each loading its own.
    split_article(ingest.Article(path="-", title="-", source="-", text="Er sagte, es regne, aber sie sagte, es schneie."))
