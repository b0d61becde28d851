"""How often two claims alike take the same side on one point: what
``store.reviews.ALIKE`` (a reader's side moves the claims alike to the
reviewed one) is chosen by.

On Wahl-O-Mat's dev theses (a sample of ``--theses``), every two parties'
justifications of one thesis whose vectors (the default embedder) are at least
a threshold close, with the same numbers and negations
(``statements.comparable``): the share that gave the same answer.

    python benchmarks/alike_sides.py ../shared/eval/wahlomat_dev.tsv [--theses 400]

Prints one JSON line: per threshold, the pairs and the share alike in side.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claims.index import embed  # noqa: E402
from claims.text import statements  # noqa: E402

THRESHOLDS = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wahlomat")
    parser.add_argument("--theses", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    embed.offline()
    by_thesis: dict[str, list[tuple[str, str]]] = {}
    with open(args.wahlomat, encoding="utf-8") as f:
        for thesis, text, label in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(text.split()) >= 4:  # "Ja." is no statement to be alike
                by_thesis.setdefault(thesis, []).append((text, label))
    theses = random.Random(args.seed).sample(sorted(by_thesis), min(args.theses, len(by_thesis)))
    model = embed.load_model()
    counts = {t: [0, 0] for t in THRESHOLDS}
    for thesis in theses:
        rows = by_thesis[thesis]
        if len(rows) < 2:
            continue
        vectors = embed.encode(model, [text for text, _ in rows])
        close = vectors @ vectors.T
        for i in range(len(rows)):
            for k in range(len(rows)):
                if i == k or rows[i][0] == rows[k][0] or close[i, k] < THRESHOLDS[0]:
                    continue
                if not statements.comparable(rows[i][0], rows[k][0]):
                    continue
                for t in THRESHOLDS:
                    if close[i, k] >= t:
                        counts[t][0] += rows[i][1] == rows[k][1]
                        counts[t][1] += 1
    print(json.dumps({"theses": len(theses), "by_threshold": [
        {"at_least": t, "pairs": n, "same_side": round(same / n, 3) if n else None} for t, (same, n) in counts.items()]}))


if __name__ == "__main__":
    main()
