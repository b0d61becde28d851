"""A simulated reader works through the review queue in rounds, answering
each item from a gold, with a build after each round: what a reader's clicks
change (issue 44's learning curve). Each click takes the first item of the
queue as it stands after the clicks before it (as the queue page shows it
again after each review), not yet clicked in the round.

    python benchmarks/simulated_reader.py ../shared/stories/munich-demo munich.db [--rounds 2 --per-round 10]

The db is copied (``--out``, default beside it with ``.reviewed`` before the
suffix); the original stays as built. The gold is a story folder's
``stances.tsv`` and ``gold.tsv`` (``benchmarks/story_gold.py`` reads them),
answered as ``../shared/stories/README.md`` says: a pair gets its gold
relation (``related`` when the gold does not link it); a stance on a question
the gold covers gets the first side the reader accepts for that claim that is
not "absent" (``unclear`` when the gold does not name the claim); a click on a
point the gold does not cover is spent and writes nothing. Prints one JSON
line: the clicks, and the story's score (``story_gold.score``) after 0, 10,
20 ... clicks.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import story_gold  # noqa: E402


def oracle(story: Path, db: sqlite3.Connection):
    stance_of: dict[tuple[str, int], str] = {}
    covered: set[str] = set()
    for row in story_gold.read_tsv(story / "stances.tsv"):
        covered.add(row["question"])
        accepted = [a for a in row["accept"].split("|") if a != "absent"]
        for claim in story_gold.claims_of(db, row["file"], row["claim"]):
            stance_of[(row["question"], claim)] = accepted[0] if accepted else "unclear"
    relation_of: dict[frozenset, str] = {}
    for row in story_gold.read_tsv(story / "gold.tsv"):
        value = "related" if row["relation"] == "not-conflict" else row["relation"]
        for a in story_gold.claims_of(db, row["file_a"], row["a"]):
            for b in story_gold.claims_of(db, row["file_b"], row["b"]):
                relation_of[frozenset((a, b))] = value
    return stance_of, relation_of, covered


def answer(item: dict, stance_of: dict, relation_of: dict, covered: set[str]) -> str | None:
    """What the reader clicks for one queue item; None: a spent click."""
    if item["kind"] == "stance":
        if item["question_id"] not in covered:
            return None
        return stance_of.get((item["question_id"], item["claim_a_id"]), "unclear")
    return relation_of.get(frozenset((item["claim_a_id"], item["claim_b_id"])), "related")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("story", type=Path)
    parser.add_argument("db", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    from claims import Corpus

    out = args.out or args.db.with_suffix(".reviewed" + args.db.suffix)
    source = sqlite3.connect(args.db)
    source.execute("pragma wal_checkpoint(truncate)")
    source.close()
    shutil.copy(args.db, out)
    keep = lambda s: {k: v for k, v in s.items() if not k.endswith("_rows")}  # noqa: E731
    curve = [{"clicks": 0, **keep(story_gold.score(args.story, out))}]
    clicks = written = 0
    for _ in range(args.rounds):
        db = sqlite3.connect(out)
        db.row_factory = sqlite3.Row
        stance_of, relation_of, covered = oracle(args.story, db)
        proposition_of = dict(db.execute("select id, proposition from questions").fetchall())
        db.close()
        corpus = Corpus(out)
        seen: set[tuple] = set()
        key = lambda r: (r["kind"], r["claim_a_id"], r["claim_b_id"], r["question_id"])  # noqa: E731
        for _ in range(args.per_round):
            # The queue as the page shows it after each click (a review shows
            # at once): the first item not clicked yet this round.
            queue = list(corpus.store.db.query("select * from review_queue limit ?", [len(seen) + 1]))
            item = next((r for r in queue if key(r) not in seen), None)
            if item is None:
                break
            seen.add(key(item))
            clicks += 1
            value = answer(item, stance_of, relation_of, covered)
            if value is None:
                continue
            written += 1
            if item["kind"] == "stance":
                corpus.store.add_review("stance", value, item["claim_a"], question=proposition_of[item["question_id"]], actor="simulated reader")
            else:
                # A pair derived on a point names it, as the queue page's form does.
                corpus.store.add_review("pair", value, item["claim_a"], item["claim_b"], proposition_of.get(item["question_id"]),
                                        actor="simulated reader")
        corpus.build()
        curve.append({"clicks": clicks, "written": written, **keep(story_gold.score(args.story, out))})
    print(json.dumps({"story": args.story.name, "curve": curve}))


if __name__ == "__main__":
    main()
