"""The local runner: the build's heavy stages on this machine.

A runner does three things for the build (``cluster.Cluster`` does them on
Ray): it reads Parquet inputs, it splits and embeds the new articles, and it
runs the match tasks (``matching.match_task``). Here splitting runs in a
process per core when there are many articles, and the match tasks run one
after the other in this process.
"""

from __future__ import annotations

import os

from ..inputs import ingest
from .context import Build
from .splitting import Split, encode_once, split_article

PARALLEL_MIN = 32  # articles from which splitting is worth a pool of processes


class Local:
    def read_parquet(self, paths: list[str]):
        return ingest.read_parquet_files(paths)

    def split_and_embed(self, build: Build, todo: list, story: str | None = None):
        """Each ``Split`` of ``todo`` with its claims' vectors, in order: all
        are split before any is embedded (splitting while embedding was slower
        on the benchmark, the processes fighting over 2 cores). The articles
        read here have their ``story`` already."""
        splits = []
        with build.timed("split"):
            found = zip(todo, split_all([a for a, _ in todo]))
            for (article, replaces), (language, claims, skipped, features, rarities) in build.bar(found, len(todo), "split"):
                # Lemmatised in a worker: not again when judging.
                build.features.update((c.content, f) for c, f in zip(claims, features))
                splits.append(Split(article, replaces, language, claims, skipped, rarities))
        texts = [c.content for s in splits for c in s.claims]
        with build.timed("embed"):
            vectors = encode_once(build, texts) if texts else None
        offset = 0
        for s in splits:
            yield s, vectors[offset : offset + len(s.claims)] if s.claims else None
            offset += len(s.claims)

    def judges_in_tasks(self, judge) -> bool:
        # One process: the judge sees all pairs at once, after matching.
        return False

    def run(self, task, payloads: list, shared) -> list:
        return [task(payload, shared) for payload in payloads]


def split_all(articles: list[ingest.Article]):
    """``split_article`` of each, in one process per core when there are many:
    splitting (SoMaJo, in pure Python) costs two thirds of what the encoder
    does."""
    workers = min(os.cpu_count() or 1, len(articles) // PARALLEL_MIN)
    if workers < 2:
        return map(split_article, articles)
    from concurrent.futures import ProcessPoolExecutor

    # Loaded once here, the forked workers share the splitter's, the tagger's
    # and the frequency lists' data instead of each loading its own.
    split_article(ingest.Article(path="-", title="-", source="-", text="Er sagte, es regne, aber sie sagte, es schneie."))

    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(split_article, articles, chunksize=8))
