"""Benchmark: build a claims db from real German news and time each stage.

    python benchmarks/bench_build.py [CORPUS] [--repeat] [--add N] [--limit N] [--pages]

CORPUS is the GNAD csv (``label;text``, ``'`` quotes; default
``../shared/bench/gnad_articles.csv``) or a folder of article files. Prints one
JSON line: articles, claims, pairs, seconds per stage, claims per second,
peak RSS of this process after the first build (``build_peak_rss_mb``) and at the end, peak PSS of the first build with its split workers,
``encoder_only_seconds`` (the embedding model alone on the same claim
texts, in the same run) and matching time at 25 %, 50 % and 100 % of the claims.
``--repeat`` builds the unchanged corpus a second time; ``--add N`` builds all
but N articles, then adds the N (``add_seconds``; ``update_seconds``: all
files given again, the N among them), and builds the N alone, to compare; ``--pages``
serves the db with ``claims serve`` and times the pages a reader opens first.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from claims import Corpus, Store
from claims.index import embed, match
from claims.inputs import ingest
from claims import judges
from claims.text import terms
from claims.pipeline.splitting import split_article

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "bench" / "gnad_articles.csv"


OUTLETS = 1  # --outlets: each article given one of this many outlets in turn


def gnad_to_jsonl(csv_path: Path, out: Path, limit: int | None = None) -> tuple[list[Path], dict[str, str]]:
    """One JSONL file per article, so that a build can take any subset, with
    a neutral title and source as a user would feed it; and each file's
    newspaper section, which only the measurements read (never the build)."""
    csv.field_size_limit(sys.maxsize)
    paths, sections = [], {}
    with open(csv_path, encoding="utf-8", newline="") as f:
        for k, row in enumerate(csv.reader(f, delimiter=";", quotechar="'")):
            if limit is not None and k >= limit:
                break
            if len(row) != 2:
                raise SystemExit(f"{csv_path}:{k + 1}: expected label;text, got {len(row)} fields")
            label, text = row
            path = out / f"gnad_{k:04d}.jsonl"
            path.write_text(json.dumps({"title": f"Artikel {k}", "text": text, "source": "gnad" if OUTLETS == 1 else f"gnad-{k % OUTLETS}"}, ensure_ascii=False) + "\n", encoding="utf-8")
            paths.append(path)
            sections[f"{path}:1"] = label
    return paths, sections


def corpus_files(corpus: Path, workdir: Path, limit: int | None) -> tuple[list[Path], dict[str, str]]:
    """The article files, and the section of each article path where known."""
    if corpus.is_dir():
        files = sorted(p for p in corpus.rglob("*") if p.suffix in {".txt", ".md", ".jsonl"})
        return (files[:limit] if limit else files), {}
    return gnad_to_jsonl(corpus, workdir, limit)


def story_quality(db_path: Path, sections: dict[str, str]) -> dict:
    """What a reader of the built db meets: stories, and conflicts; with
    sections known, how pure the stories of two or more articles are (the
    share of their articles in their story's commonest section) and how many
    conflicts join articles of different sections."""
    import sqlite3
    from collections import Counter

    db = sqlite3.connect(db_path)
    story_of = dict(db.execute("select path, story_id from articles"))
    sizes = Counter(story_of.values())
    pairs = db.execute("select count(*) from claim_pairs").fetchone()[0]
    # What the conflicts view shows (found: issue 44), and what the machine proposes (candidates).
    conflicts = db.execute(
        """select aa.path, ab.path from conflicts c join articles aa on aa.id = c.article_a_id join articles ab on ab.id = c.article_b_id"""
    ).fetchall()
    proposed = db.execute(
        """select aa.path, ab.path from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
           join articles aa on aa.id = a.article_id join articles ab on ab.id = b.article_id where p.relation = 'conflict'"""
    ).fetchall()
    report = {
        "stories": len(sizes), "stories_of_2_or_more": sum(1 for n in sizes.values() if n >= 2),
        "largest_story": max(sizes.values(), default=0), "pairs": pairs, "conflicts": len(conflicts),
        "candidate_conflicts": len(proposed),
        "conflict_share": round(len(proposed) / max(1, pairs), 4),
        "agreements": db.execute("select count(*) from agreements").fetchone()[0],
        "candidate_agreements": db.execute("select count(*) from claim_pairs where relation = 'agree'").fetchone()[0],
        # What a model judge would be asked about (judges.ModelJudge.sent): the
        # pairs the signals judge does not call plainly unrelated.
        "pairs_for_a_model_judge": db.execute(
            f"""select count(*) from claim_pairs where relation != 'related' or similarity >= {judges.CASCADE_SIMILARITY}
                or length(coalesce(shared, '')) - length(replace(coalesce(shared, ''), ',', '')) >= {judges.CASCADE_SHARED}"""
        ).fetchone()[0],
    }
    if sections:
        members: dict[int, list[str]] = {}
        for path, story in story_of.items():
            members.setdefault(story, []).append(sections.get(path))
        grouped = [m for m in members.values() if len(m) >= 2]
        in_grouped = sum(len(m) for m in grouped)
        pure = sum(Counter(m).most_common(1)[0][1] for m in grouped)
        report["articles_in_stories_of_2_or_more"] = in_grouped
        report["story_purity"] = round(pure / max(1, in_grouped), 4)
        across = sum(1 for a, b in conflicts if sections.get(a) != sections.get(b))
        report["candidate_conflicts_across_sections"] = sum(1 for a, b in proposed if sections.get(a) != sections.get(b))
        report["conflicts_across_sections"] = across
        report["conflicts_across_sections_share"] = round(across / max(1, len(conflicts)), 4)
    return report


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class PeakMemory:
    """Peak memory of this process and its children (the split workers)
    together, sampled every 250 ms: ``ru_maxrss`` sees one process. Each
    process counts its proportional set size (PSS): forked workers share
    the parent's pages, and summing their RSS would count those twice."""

    def __init__(self, interval: float = 0.25):
        self.interval, self.peak = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        me = psutil.Process()
        while True:
            try:
                processes = [me, *me.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_full_info().pss for p in processes))
            except psutil.Error:  # a worker ended between listing and reading
                pass
            if self._stop.wait(self.interval):
                return

    @property
    def mb(self) -> float:
        return round(self.peak / 2**20, 1)


def timed_build(files, db, ray=None) -> tuple[float, object]:
    # The models stay loaded; nothing else is kept from one build to the next.
    start = time.perf_counter()
    result = Corpus(db, ray=ray).add([str(p) for p in files])
    return time.perf_counter() - start, result


def ray_report(files, workdir: Path, local: object) -> dict:
    """The same build on a 2-CPU local Ray cluster (reading, splitting,
    embedding, matching and judging there; writing here): its seconds and stages, whether it stored the same
    pairs as the local build, and Ray's overhead per task (an empty task's
    round trip)."""
    from claims.pipeline import cluster

    os.environ.setdefault(cluster.LOOPBACK_ONLY, "0")  # a local cluster, on loopback only
    import ray

    start = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    started = time.perf_counter() - start

    @ray.remote
    def nothing():
        return None

    ray.get([nothing.remote() for _ in range(20)])  # workers up
    start = time.perf_counter()
    ray.get([nothing.remote() for _ in range(200)])
    per_task = (time.perf_counter() - start) / 200
    seconds, result = timed_build(files, workdir / "ray.db", ray=True)
    ray.shutdown()
    return {
        "ray_seconds": round(seconds, 2), "ray_stages": {k: round(v, 2) for k, v in result.seconds.items()},
        "ray_start_seconds": round(started, 2), "ray_task_overhead_ms": round(per_task * 1000, 2),
        "ray_same_pairs": (result.pairs, result.conflicts) == (local.pairs, local.conflicts),
    }


def matching_scaling(db_path: Path) -> dict[str, float]:
    """Seconds to match the first 25 %, 50 % and 100 % of the claims from
    scratch as one story (the worst case), from their stored terms and
    vectors as a build reads them, and the share of the exact (all-pairs)
    matches the index finds."""
    claims = Store(db_path).load(embed.DEFAULT_MODEL)
    seconds = {}
    for share in (0.25, 0.5, 1.0):
        n = int(len(claims) * share)
        start = time.perf_counter()
        term_lists = [t.split() for t in claims.terms[:n]]
        vocabulary, presence = terms.Vocabulary.index(claims.contents[:n], term_lists)
        refs = [
            match.ClaimRef(claims.ids[k], int(claims.article_ids[k]), claims.speakers[k], frozenset(term_lists[k]))
            for k in range(n)
        ]
        vectors = claims.vectors[:n]
        found = match.match(refs, vectors, refs, vectors, vocabulary=vocabulary, corpus_terms=match.term_matrix(refs, vocabulary, presence))
        seconds[f"{int(share * 100)}%"] = round(time.perf_counter() - start, 2)
    exact_max, match.EXACT_MAX = match.EXACT_MAX, len(refs)
    try:
        exact = match.match(refs, vectors, refs, vectors, vocabulary=vocabulary)
    finally:
        match.EXACT_MAX = exact_max
    same = {(p.a, p.b) for p in found} & {(p.a, p.b) for p in exact}
    seconds["index_recall"] = round(len(same) / max(1, len(exact)), 3)
    return seconds


# Pages a reader opens first; the canned query embeds its parameter.
PAGES = ("conflicts", "claim_pairs", "topics", "stances", "search_by_meaning?q=Steuern+sollen+steigen")
METADATA = Path(__file__).resolve().parents[1] / "db" / "metadata.yml"


def page_seconds(db_path: Path, tries: int = 3) -> dict[str, float]:
    """Seconds Datasette, started as ``claims serve`` starts it, takes to answer
    each of ``PAGES`` over HTTP, best of ``tries``."""
    import socket
    import subprocess
    import urllib.request

    from claims import serve

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(serve.command(str(db_path), port=port, metadata=str(METADATA)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    raise SystemExit(f"{db_path}: claims serve stopped")
                time.sleep(0.2)
        seconds = {}
        # The page of the story with the most articles: what `claims serve` points a reader to.
        largest = serve.story_url(str(db_path), "127.0.0.1", port)
        pages = [f"{base}/{db_path.stem}/{page}" for page in PAGES] + ([largest] if largest else [])
        for url in pages:
            best = float("inf")
            for _ in range(tries):
                start = time.perf_counter()
                urllib.request.urlopen(url, timeout=120).read()
                best = min(best, time.perf_counter() - start)
            name = "largest_story" if url == largest else url.rsplit("/", 1)[1].split("?")[0]
            seconds[name] = round(best, 3)
        return seconds
    finally:
        process.terminate()
        process.wait(timeout=30)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", action="store_true", help="build the unchanged corpus again and time it")
    parser.add_argument("--add", type=int, metavar="N", help="time adding N articles to a db built from the others")
    parser.add_argument("--limit", type=int, help="only the first LIMIT articles")
    parser.add_argument("--pages", action="store_true", help="time the pages a reader opens first, served by claims serve")
    parser.add_argument("--ray", action="store_true", help="build the same corpus again on a 2-CPU local Ray cluster and time it")
    parser.add_argument("--outlets", type=int, default=1, help="give each GNAD article one of this many outlets in turn (default: one, gnad)")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        raise SystemExit(f"{args.corpus}: no such file or folder")

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        global OUTLETS
        OUTLETS = max(1, args.outlets)
        files, sections = corpus_files(args.corpus, workdir, args.limit)
        db = workdir / "bench.db"
        # Loading the model, the splitter and the language model is paid once per
        # process, not per build: load them before timing.
        embed.encode(embed.load_model(), ["Warm-up."])
        split_article(ingest.Article(path="-", title="Warm-up", source="warm-up", text="Kellogg sagte, die Gespräche liefen gut."))
        first = files[: -args.add] if args.add else files
        with PeakMemory() as memory:
            seconds, result = timed_build(first, db)
        build_rss = peak_rss_mb()  # the build's peak, before the measurements below load more
        report = {
            "corpus": str(args.corpus), "articles": result.articles, "claims": result.claims, "pairs": result.pairs,
            "conflicts": result.conflicts, "seconds": round(seconds, 2),
            "stages": {k: round(v, 2) for k, v in result.seconds.items()},
            "claims_per_second": round(result.claims / seconds, 1),
        }
        report["quality"] = story_quality(db, sections)
        reads = result.stance_reads
        report["stance_reads"] = {"total": sum(reads.values()), "stories_read": sum(1 for n in reads.values() if n),
                                  "max_per_story": max(reads.values(), default=0), "seconds": round(result.stance_read_seconds, 2)}
        # The encoder on what the build embeds: each claim's content.
        texts = [r[0] for r in __import__("sqlite3").connect(db).execute("select coalesce(content, text) from claims order by id")]
        start = time.perf_counter()
        embed.encode(embed.load_model(), texts)
        report["encoder_only_seconds"] = round(time.perf_counter() - start, 2)
        report["build_over_encoder"] = round(seconds / report["encoder_only_seconds"], 2)
        report["match_seconds_by_share"] = matching_scaling(db)
        if args.pages:
            report["page_seconds"] = page_seconds(db)
        if args.repeat:
            report["repeat_seconds"] = round(timed_build(first, db)[0], 2)
        if args.add:
            # The added claims are judged against every stored claim they match:
            # more pairs than the N articles form alone. "add": the N given to
            # Corpus.add; "update": every file given again, as `claims build
            # FOLDER` does after N files were put in the folder.
            import shutil
            import sqlite3

            sqlite3.connect(db).execute("pragma wal_checkpoint(truncate)")
            shutil.copy(db, workdir / "update.db")
            # The first build split its articles in worker processes, so this one
            # has not met the N articles' words yet (the lemmatiser's and the word
            # rarities' caches): whichever of add and alone came first would pay
            # for that. Split them once before timing either.
            for article in ingest.read([str(p) for p in files[-args.add :]])[0]:
                split_article(article)
            seconds, added = timed_build(files[-args.add :], db)
            report["add_seconds"] = round(seconds, 2)
            report["add_stages"] = {k: round(v, 2) for k, v in added.seconds.items()}
            report["add_new_pairs"] = added.pairs - result.pairs
            seconds, updated = timed_build(files, workdir / "update.db")
            report["update_seconds"] = round(seconds, 2)
            assert updated.pairs == added.pairs, "adding N files and building the folder again differ"
            seconds, alone = timed_build(files[-args.add :], workdir / "alone.db")
            report["added_alone_seconds"] = round(seconds, 2)
            report["added_alone_pairs"] = alone.pairs
        if args.ray:
            report.update(ray_report(first, workdir, result))
            report["ray_over_local"] = round(report["ray_seconds"] / report["seconds"], 2)
        report["build_peak_rss_mb"] = build_rss
        report["peak_rss_mb"] = peak_rss_mb()
        report["build_peak_pss_with_workers_mb"] = memory.mb
    print(json.dumps(report))


if __name__ == "__main__":
    main()
