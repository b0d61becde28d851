"""Do dates make stories better where articles have them, and no worse where they do not?

    python benchmarks/bench_dated_stories.py [CSV] [--limit N] [--workdir DIR] [--seed 7]

No corpus here has real dates for many articles, so the GNAD texts are given
them: each article is put, at random, in one of two rounds half a year apart
(``2016-01-04`` and ``2016-07-04``) on a day within ``SPREAD`` days of the
round's start. In this world a story never spans the rounds (the same subject
half a year later is another event), so a pair of articles grouped together
across the rounds is an error by construction; a pair within a round is what
the texts say, as in an undated build.

Three fresh builds of the same texts, each printed as one JSON line:
``undated`` (as the GNAD files come), ``dated`` (every article dated) and
``mixed`` (every other article, at random, dated; the rest undated). For each:
story counts and section purity (``bench_build.story_quality``), and the pairs
of articles sharing a story, split into ``pairs_within_a_round``,
``pairs_across_rounds`` (the errors, where both are dated) and, in ``mixed``,
``pairs_with_an_undated_article``. What to read: ``dated`` should have no
pairs across rounds and about the undated build's pairs within a round;
``mixed`` should keep grouping its undated articles as ``undated`` does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import tempfile
from collections import Counter
from itertools import combinations
from pathlib import Path

from bench_build import DEFAULT_CORPUS, gnad_to_jsonl, story_quality

from claims import Corpus

ROUNDS = (dt.date(2016, 1, 4), dt.date(2016, 7, 4))
SPREAD = 3  # days: within a round every gap is inside timing.NEAR


def dated_copy(files: list[Path], out: Path, rounds: dict[Path, int], dated: set[Path], rng: random.Random) -> list[Path]:
    """The files again under ``out``, with a ``published`` date where ``dated``."""
    out.mkdir(parents=True, exist_ok=True)
    copies = []
    for path in files:
        record = json.loads(path.read_text(encoding="utf-8"))
        if path in dated:
            record["published"] = (ROUNDS[rounds[path]] + dt.timedelta(days=rng.randrange(SPREAD))).isoformat()
        copy = out / path.name
        copy.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        copies.append(copy)
    return copies


def co_story_pairs(db_path: Path, round_of: dict[str, int], dated: set[str]) -> dict:
    """Pairs of articles in one story, by the rounds of their names."""
    db = sqlite3.connect(db_path)
    members: dict[int, list[str]] = {}
    for path, story in db.execute("select path, story_id from articles"):
        members.setdefault(story, []).append(Path(path.rsplit(":", 1)[0]).name)
    # Every count is printed, zeros too: a missing key reads as not measured.
    counts = Counter(pairs_within_a_round=0, pairs_across_rounds=0, pairs_with_an_undated_article=0)
    for names in members.values():
        for a, b in combinations(names, 2):
            if a not in dated or b not in dated:
                counts["pairs_with_an_undated_article"] += 1
            elif round_of[a] == round_of[b]:
                counts["pairs_within_a_round"] += 1
            else:
                counts["pairs_across_rounds"] += 1
    return dict(counts)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="claims-dated-"))
    (workdir / "gnad").mkdir(parents=True, exist_ok=True)
    files, sections = gnad_to_jsonl(args.csv, workdir / "gnad", args.limit)
    rng = random.Random(args.seed)
    rounds = {path: rng.randrange(len(ROUNDS)) for path in files}
    half = {path for path in files if rng.random() < 0.5}
    round_of = {path.name: r for path, r in rounds.items()}
    for name, dated in (("undated", set()), ("dated", set(files)), ("mixed", half)):
        copies = dated_copy(files, workdir / name, rounds, dated, rng)
        db_path = workdir / f"{name}.db"
        db_path.unlink(missing_ok=True)
        Corpus(db_path).add([str(p) for p in copies])
        # Sections by the copies' paths, as the build stored them.
        copy_sections = {str(workdir / name / Path(p.rsplit(":", 1)[0]).name) + ":1": s for p, s in sections.items()}
        report = {"build": name, "articles": len(files), "dated_articles": len(dated)}
        report |= story_quality(db_path, copy_sections)
        # In the undated build the rounds are what the dated one would give:
        # every pair is counted as if both were dated.
        report |= co_story_pairs(db_path, round_of, {p.name for p in (dated or files)})
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
