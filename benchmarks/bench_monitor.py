"""Benchmark: a desk's monitor adds a few articles to a db that keeps growing.

    python benchmarks/bench_monitor.py [CSV] [--sizes 1000 10000] [--runs 3] [--add 10]

For each size, a db of about that many articles, then ``--add`` new articles
added to a copy of it, ``--runs`` times; each figure the median of the runs.
Prints one JSON line per size: ``stored_articles``, ``add_seconds``,
``added_alone_seconds`` (the same articles built alone into a fresh db),
``add_peak_rss_mb`` (the peak RSS of the add's own process, models loaded),
``add_over_alone`` and the add's stages.

The dbs are made of the GNAD articles (``label;text``; the label is never an
input), the last ``--add`` of which are the new ones:

- about 1,000: the GNAD articles but the new ones, undated, as ``make bench`` builds them;
- about 10,000: GNAD is too small, so its articles are reported again every
  ten years (``YEARS_APART``): copy k of each article is published on 1 June
  of 1926 + 10 k, opens with a dateline naming its year ("Wien, 1996 –") and names other
  people, places and days (its rare names respelled and the years it names
  moved for the year: ``respell``), ten
  copies built one build a copy, as a monitor's db grows. Stories years apart
  that share no people and name no day both do not join (``stories.in_time``), so each year's
  stories are GNAD's in size and number. The new articles are of the last year.

Each add runs in a process of its own that first builds the new articles into
a scratch db (the embedding and stance models loaded, the articles' words
met), then resets its peak RSS (``/proc/self/clear_refs``), adds them to the
copy and builds them alone into a fresh db.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "bench" / "gnad_articles.csv"
YEARS = 10  # copies of GNAD in the db of about 10,000
# Years between two copies. One year apart, the copies of an article that
# names days of two years ("Mai 2015 ... Mai 2016": 22 GNAD articles name
# days one to two years apart) name the same day, and two reports naming one
# day are one event (``timing.NEAR``): the copies, word for word alike, joined
# across years (8,295 stories where ten GNADs make 8,960), as no real reports
# of other years do. Ten years apart, 3 GNAD articles name days that far apart.
YEARS_APART = 10


def gnad(csv_path: Path) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    with open(csv_path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter=";", quotechar="'"))
    for k, row in enumerate(rows):
        if len(row) != 2:
            raise SystemExit(f"{csv_path}:{k + 1}: expected label;text, got {len(row)} fields")
    return [text for _, text in rows]


GNAD_YEAR = 2016  # about when GNAD's articles were written: the year a copy's years are moved from


def respell(text: str, year: int, dateline: str = "") -> str:
    """``text`` as another year's report: each rare name
    (``claims/text/names.py``) respelled for ``year``, a letter of the year
    before it ("Nguyen" -> "Cnguyen"), and each year it names moved by
    ``year - GNAD_YEAR`` ("am 3. März 2016" in the copy of 2013: "am 3. März
    2013"). A story runs as long as its people do (``index/timing.keeps``),
    and two reports that name the same day are of one event: copies naming
    the same people or days would be one story across the years, not another
    year's. With a ``dateline`` before it: the article's first word, no name
    at the head of a sentence, may be one after "Wien, 2013 –"."""
    from claims.text.names import WORD, name_words

    names = set(name_words(dateline + text))
    letter = chr(ord("A") + year % 26)
    text = WORD.sub(lambda m: letter + m.group(0).lower() if m.group(0) in names else m.group(0), text)
    return dateline + re.sub(r"\b(?:19\d\d|20[0-4]\d)\b", lambda m: str(int(m.group(0)) + year - GNAD_YEAR), text)


def write_year(texts: list[str], folder: Path, year: int | None, first: int) -> list[Path]:
    """One JSONL file per article; with a ``year``, dated, with a dateline of
    that year and its rare names respelled for it (``respell``)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, text in enumerate(texts):
        record = {"title": f"Artikel {first + k}", "source": "gnad", "text": text}
        if year is not None:
            record.update(text=respell(text, year, dateline=f"Wien, {year} – "), published=f"{year}-06-01")
        path = folder / f"gnad_{year or 0}_{first + k:05d}.jsonl"
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def make_db(texts: list[str], size: int, add: int, workdir: Path) -> tuple[Path, list[Path], float]:
    """The db of about ``size`` articles, the new articles' files, and the seconds its builds took."""
    from claims import Corpus

    base, new = texts[:-add], texts[-add:]
    db = workdir / f"db_{size}.sqlite"
    start = time.perf_counter()
    if size <= len(base):
        Corpus(db).add([str(p) for p in write_year(base, workdir / f"in_{size}", None, 0)])
        files = write_year(new, workdir / f"new_{size}", None, len(base))
    else:
        years = [GNAD_YEAR - YEARS_APART * (YEARS - 1 - k) for k in range(YEARS)]
        for year in years:
            Corpus(db).add([str(p) for p in write_year(base, workdir / f"in_{size}_{year}", year, 0)])
        files = write_year(new, workdir / f"new_{size}", years[-1], len(base))
    seconds = time.perf_counter() - start
    sqlite3.connect(db).execute("pragma wal_checkpoint(truncate)")
    return db, files, seconds


def peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def one_add(db: Path, files: list[str]) -> dict:
    """In this process: warm up on the new articles, then add them to ``db``
    and build them alone; seconds, stages and the add's peak RSS."""
    from claims import Corpus

    with tempfile.TemporaryDirectory() as tmp:
        Corpus(Path(tmp) / "warm.db").add(files)
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # the peak RSS starts again from what is held now
        start = time.perf_counter()
        added = Corpus(db).add(files)
        add_seconds = time.perf_counter() - start
        rss = peak_rss_mb()
        start = time.perf_counter()
        by_itself = Corpus(Path(tmp) / "alone.db").add(files)
        alone = time.perf_counter() - start
    return {"add_seconds": add_seconds, "added_alone_seconds": alone, "add_peak_rss_mb": rss,
            "stages": added.seconds, "alone_stages": by_itself.seconds, "stories_derived": added.stories_derived,
            "articles": added.articles, "stance_reads": sum(added.stance_reads.values()), "alone_stance_reads": sum(by_itself.stance_reads.values()),
            "stance_read_seconds": added.stance_read_seconds, "alone_stance_read_seconds": by_itself.stance_read_seconds}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--add", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="keep the dbs in this folder (and reuse them when there)")
    parser.add_argument("--one-add", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_add:
        print(json.dumps(one_add(Path(args.one_add[0]), args.one_add[1:])))
        return
    if not args.corpus.exists():
        raise SystemExit(f"{args.corpus}: no such file")
    texts = gnad(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            db, files, build_seconds = make_db(texts, size, args.add, workdir)
            runs = []
            for run in range(args.runs):
                copy = workdir / f"run_{size}_{run}.sqlite"
                shutil.copy(db, copy)
                with open(copy, "rb+") as f:
                    os.fsync(f.fileno())  # the add does not pay for writing the copy to disk
                done = subprocess.run([sys.executable, __file__, "--one-add", str(copy), *map(str, files)],
                                      capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
                if done.returncode:
                    raise SystemExit(f"the add failed:\n{done.stderr[-3000:]}")
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
                copy.unlink()
            median = lambda key: round(statistics.median(r[key] for r in runs), 2)  # noqa: E731
            stored = sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]
            report = {
                "size": size, "stored_articles": stored, "add_seconds": median("add_seconds"),
                "added_alone_seconds": median("added_alone_seconds"), "add_peak_rss_mb": median("add_peak_rss_mb"),
                "db_build_seconds": round(build_seconds, 1), "stories_derived": runs[0]["stories_derived"],
                "add_stages": {k: round(statistics.median(r["stages"].get(k, 0.0) for r in runs), 2) for k in runs[0]["stages"]},
                "alone_stages": {k: round(statistics.median(r["alone_stages"].get(k, 0.0) for r in runs), 2) for k in runs[0]["alone_stages"]},
                "stance_reads": runs[0]["stance_reads"], "alone_stance_reads": runs[0]["alone_stance_reads"],
            }
            report["add_over_alone"] = round(report["add_seconds"] / report["added_alone_seconds"], 2)
            # Apart from the stance model's reads: what the add makes a ratio of besides
            # reading the claims it must read (new claims against the touched stories' propositions).
            reads, alone_reads = median("stance_read_seconds"), median("alone_stance_read_seconds")
            report["stance_read_seconds"], report["alone_stance_read_seconds"] = reads, alone_reads
            report["add_over_alone_apart_from_reads"] = round((report["add_seconds"] - reads) / (report["added_alone_seconds"] - alone_reads), 2)
            print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
