"""A simulated reader works through the first items of the review queue,
answering each from a gold, and the db is built again: what a reader's
twenty clicks change.

    python benchmarks/simulated_reader.py ../shared/stories/munich-demo munich.db [-n 20]

The db is copied (``--out``, default beside it with ``.reviewed`` before the
suffix); the original stays as built. The gold is a story folder's
``stances.tsv`` and ``gold.tsv`` (``benchmarks/story_gold.py`` reads them): a
stance item is answered when its claim and question are in ``stances.tsv``
(the first side the reader accepts that is not "absent"), a pair item when its
two claims are linked in ``gold.tsv`` (a look-alike answered "related"); an
item the gold does not cover is skipped, as a reader who does not know would.
Prints one JSON line: items answered, and the story's score
(``story_gold.score``) before and after.
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
    for row in story_gold.read_tsv(story / "stances.tsv"):
        accepted = [a for a in row["accept"].split("|") if a != "absent"]
        for claim in story_gold.claims_of(db, row["file"], row["claim"]):
            if accepted:
                stance_of[(row["question"], claim)] = accepted[0]
    relation_of: dict[frozenset, str] = {}
    for row in story_gold.read_tsv(story / "gold.tsv"):
        value = "related" if row["relation"] == "not-conflict" else row["relation"]
        for a in story_gold.claims_of(db, row["file_a"], row["a"]):
            for b in story_gold.claims_of(db, row["file_b"], row["b"]):
                relation_of[frozenset((a, b))] = value
    return stance_of, relation_of


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("story", type=Path)
    parser.add_argument("db", type=Path)
    parser.add_argument("-n", "--items", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    from claims import Corpus

    out = args.out or args.db.with_suffix(".reviewed" + args.db.suffix)
    source = sqlite3.connect(args.db)
    source.execute("pragma wal_checkpoint(truncate)")
    source.close()
    shutil.copy(args.db, out)
    before = story_gold.score(args.story, out)
    db = sqlite3.connect(out)
    db.row_factory = sqlite3.Row
    stance_of, relation_of = oracle(args.story, db)
    items = [dict(r) for r in db.execute("select * from review_queue limit ?", [args.items])]
    proposition_of = dict(db.execute("select id, proposition from questions").fetchall())
    db.close()
    corpus = Corpus(out)
    answered = changed = 0
    for item in items:
        if item["kind"] == "stance":
            value = stance_of.get((item["question_id"], item["claim_a_id"]))
            if value is None:
                continue
            corpus.store.add_review("stance", value, item["claim_a"], question=proposition_of[item["question_id"]], actor="simulated reader")
            changed += value != item["proposed"]
        else:
            value = relation_of.get(frozenset((item["claim_a_id"], item["claim_b_id"])))
            if value is None:
                continue
            corpus.store.add_review("pair", value, item["claim_a"], item["claim_b"], actor="simulated reader")
            changed += value != item["proposed"]
        answered += 1
    corpus.build()
    after = story_gold.score(args.story, out)
    keep = lambda s: {k: v for k, v in s.items() if not k.endswith("_rows")}  # noqa: E731
    print(json.dumps({"items": len(items), "answered": answered, "changed": changed, "before": keep(before), "after": keep(after)}))


if __name__ == "__main__":
    main()
