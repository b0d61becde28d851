"""Incremental against fresh on a real archive: the GNAD articles built in
chunks, one build per chunk as a user feeding a db day by day would, and all
at once; both dbs compared as ``tests/test_incremental.py`` compares them.

    python benchmarks/bench_incremental.py [CSV] [--chunks 10] [--limit N]

Prints one JSON line: per db its stories, pairs, conflicts, agreements and
build seconds, and per part of the snapshot whether the two are equal (and
how many rows differ where they are not).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench_build import DEFAULT_CORPUS, gnad_to_jsonl  # noqa: E402
from test_incremental import snapshot  # noqa: E402

from claims import Corpus  # noqa: E402


def counts(db) -> dict:
    corpus = Corpus(db)
    one = lambda sql: corpus.db.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "stories": one("select count(*) from stories"), "pairs": one("select count(*) from claim_pairs"),
        "conflicts": one("select count(*) from claim_pairs where relation = 'conflict'"),
        "agreements": one("select count(*) from claim_pairs where relation = 'agree'"),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--chunks", type=int, default=10)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "articles").mkdir()
        files, _ = gnad_to_jsonl(args.csv, work / "articles", args.limit)
        report: dict = {"articles": len(files), "chunks": args.chunks}
        start = time.perf_counter()
        Corpus(work / "fresh.db").add([str(p) for p in files])
        report["fresh"] = {**counts(work / "fresh.db"), "seconds": round(time.perf_counter() - start, 1)}
        size = -(-len(files) // args.chunks)
        start = time.perf_counter()
        for k in range(0, len(files), size):
            Corpus(work / "chunks.db").add([str(p) for p in files[k : k + size]])
        report["in_chunks"] = {**counts(work / "chunks.db"), "seconds": round(time.perf_counter() - start, 1)}
        a, b = snapshot(work / "chunks.db"), snapshot(work / "fresh.db")
        report["equal"] = {part: a[part] == b[part] or len(set(map(repr, a[part])) ^ set(map(repr, b[part]))) for part in a}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
