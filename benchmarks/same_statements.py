"""The agreements the machine finds as the same statement in two outlets
(``found`` 'same statement', ``Store.find_same_statements``), to be read:
what its measured precision in ``docs/trust.md`` comes from.

    python benchmarks/same_statements.py DB [--story ../shared/stories/NAME]
    python benchmarks/same_statements.py --pawsx ../shared/eval/pawsx_de_dev.tsv

Prints one JSON line per pair (the two claims, their outlets, and with
``--story`` the relation the story's gold gives the pair, null where it links
none), then one with how many. On GNAD build a db with seven outlets as
``benchmarks/bench_build.py --outlets 7`` gives them (its ``gnad_to_jsonl``).

``--pawsx``: the rule on PAWS-X's adversarial pairs (the same words, roles
swapped): of the pairs it finds (the same statement, in the same order, that
the default judge calls an agreement), the share labelled paraphrases; apart,
the pairs whose two texts are identical (the translation made both one
sentence; a third of them are labelled not paraphrases).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import found_precision  # noqa: E402


def pawsx(path: str) -> None:
    import csv

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from claims.index import embed
    from claims.judging import registry
    from claims.text import statements
    from claims.training.eval import load_weights

    embed.offline()
    with open(path, encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if len(r) == 3]
    alike = [r for r in rows if statements.same(r[0], r[1]) and statements.same_order(r[0], r[1])]
    judge = registry.get_judge(registry.DEFAULT, registry.JudgeOptions(weights=load_weights(None)))
    similarities = embed.pair_similarities(embed.load_model(), [(a, b) for a, b, _ in alike])
    verdicts = registry.judge_claims(judge, [registry.ClaimPair(a, b, float(s)) for (a, b, _), s in zip(alike, similarities)])
    found = [r for r, v in zip(alike, verdicts) if v is not None and v.relation == "agree"]
    apart = [r for r in found if r[0].strip() != r[1].strip()]
    same_text = [r for r in found if r[0].strip() == r[1].strip()]
    print(json.dumps({
        "pairs": len(rows), "found": len(found), "found_paraphrases": round(sum(r[2] == "agree" for r in found) / max(1, len(found)), 3),
        "not_identical": len(apart), "not_identical_paraphrases": round(sum(r[2] == "agree" for r in apart) / max(1, len(apart)), 3),
        "identical": len(same_text), "identical_labelled_paraphrases": sum(r[2] == "agree" for r in same_text),
    }))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", nargs="?")
    parser.add_argument("--story", type=Path)
    parser.add_argument("--pawsx", help="PAWS-X pairs (text_a, text_b, label): the rule's precision there")
    args = parser.parse_args(argv)
    if args.pawsx:
        return pawsx(args.pawsx)
    if not args.db:
        parser.error("a db, or --pawsx FILE")
    db = sqlite3.connect(args.db)
    linked = found_precision.gold_pairs(args.story, db) if args.story else {}
    rows = db.execute(
        """select p.claim_a, p.claim_b, ca.text, cb.text, aa.source, ab.source from claim_pairs p
           join claims ca on ca.id = p.claim_a join claims cb on cb.id = p.claim_b
           join articles aa on aa.id = ca.article_id join articles ab on ab.id = cb.article_id
           where p.found = 'same statement' order by p.claim_a, p.claim_b"""
    ).fetchall()
    for a, b, text_a, text_b, source_a, source_b in rows:
        print(json.dumps({"a": text_a, "b": text_b, "outlets": [source_a, source_b], "gold": linked.get(frozenset((a, b)))}, ensure_ascii=False))
    print(json.dumps({"db": args.db, "same_statements": len(rows)}))


if __name__ == "__main__":
    main()
