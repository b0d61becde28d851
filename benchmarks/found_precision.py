"""How often the machine alone is right, per way of deciding, on stories with
a reader's gold (``../shared/stories/NAME/``): what ``sides.MACHINE`` is
chosen from (issue 44: the machine's own verdicts are found only where this
reaches 0.8), and how often the sides and pairs numbers decide by value are
(``sides.BY_VALUE``).

    python benchmarks/found_precision.py ../shared/stories/munich-demo munich.db \\
        ../shared/stories/riesa-protest riesa.db

The dbs are built without a review. Per threshold t of P(side): the stance
model's yes and no at P >= t on claims the gold names, and how many are a
side the reader accepts; the conflicts and agreements sides derive from two
such sides, and how many have both sides right (what a found pair needs);
and the pairwise cues' conflicts on pairs the gold links, and how many are
real. Prints one JSON line per threshold and one for the cues.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import story_gold  # noqa: E402

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def gold_sides(story: Path, db: sqlite3.Connection) -> dict[tuple[str, int], set[str]]:
    accepted: dict[tuple[str, int], set[str]] = {}
    for row in story_gold.read_tsv(story / "stances.tsv"):
        for claim in story_gold.claims_of(db, row["file"], row["claim"]):
            accepted[(row["question"], claim)] = set(row["accept"].split("|"))
    return accepted


def gold_pairs(story: Path, db: sqlite3.Connection) -> dict[frozenset, str]:
    linked: dict[frozenset, str] = {}
    for row in story_gold.read_tsv(story / "gold.tsv"):
        for a in story_gold.claims_of(db, row["file_a"], row["a"]):
            for b in story_gold.claims_of(db, row["file_b"], row["b"]):
                linked[frozenset((a, b))] = row["relation"]
    return linked


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pairs", nargs="+", help="STORY_DIR DB, repeated")
    args = parser.parse_args(argv)
    if len(args.pairs) % 2:
        parser.error("give a story folder and its db, in pairs")
    stances, pairs, cues, valued_sides, valued_pairs, valued_unlinked = [], [], [], [], [], 0
    for story, path in zip(args.pairs[::2], args.pairs[1::2]):
        db = sqlite3.connect(path)
        accepted = gold_sides(Path(story), db)
        linked = gold_pairs(Path(story), db)
        for q, claim, stance, score in db.execute(
            "select question_id, claim_id, stance, score from answers where stance in ('yes', 'no')"
        ):
            if (q, claim) in accepted:
                stances.append((score, stance in accepted[(q, claim)]))
        for q, claim, stance in db.execute("select question_id, claim_id, stance from answers where reason like 'numbers:%'"):
            if (q, claim) in accepted:
                valued_sides.append(stance in accepted[(q, claim)])
        for a, b, relation in db.execute("select claim_a, claim_b, relation from claim_pairs where found = 'machine'"):
            gold = linked.get(frozenset((a, b)))
            if gold is None:
                valued_unlinked += 1
            else:
                valued_pairs.append(gold == relation or (gold == "not-conflict" and relation != "conflict"))
        for a, b, point, relation, score in db.execute(
            "select claim_a, claim_b, point, relation, score from claim_pairs where judged_by = 'sides'"
        ):
            sa = db.execute("select stance from answers where question_id = ? and claim_id = ?", [point, a]).fetchone()
            sb = db.execute("select stance from answers where question_id = ? and claim_id = ?", [point, b]).fetchone()
            if (point, a) in accepted and (point, b) in accepted:
                pairs.append((score, sa[0] in accepted[(point, a)] and sb[0] in accepted[(point, b)]))
        for a, b, relation in db.execute(
            "select claim_a, claim_b, judged_relation from claim_pairs where judged_by != 'sides' and judged_relation in ('conflict', 'agree')"
        ):
            gold = linked.get(frozenset((a, b)))
            if gold is not None:
                cues.append(gold == relation)
        db.close()
    for t in THRESHOLDS:
        s = [ok for score, ok in stances if score >= t]
        p = [ok for score, ok in pairs if score >= t]
        print(json.dumps({
            "threshold": t, "sides": len(s), "sides_right": sum(s), "side_precision": round(sum(s) / len(s), 3) if s else None,
            "pairs": len(p), "pairs_right": sum(p), "pair_precision": round(sum(p) / len(p), 3) if p else None,
        }))
    print(json.dumps({"by_value_answers_on_gold_claims": len(valued_sides), "right": sum(valued_sides),
                      "by_value_found_pairs_on_linked": len(valued_pairs), "pairs_right": sum(valued_pairs),
                      "by_value_found_pairs_not_linked": valued_unlinked}))
    print(json.dumps({"cues_on_linked_pairs": len(cues), "right": sum(cues), "precision": round(sum(cues) / len(cues), 3) if cues else None}))


if __name__ == "__main__":
    main()
