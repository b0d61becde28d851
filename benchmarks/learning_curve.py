"""How the signals judge learns from readers' reviews: refit with 0, 10, 25, 50
and 100 reviews taken from one family's dev file (a simulated reader: its
labels), beside every other dev family, and score it on that family's
held-out fifth (which no fit sees).

    python benchmarks/learning_curve.py ../shared/eval claimdiff_train.tsv wahlomat_dev.tsv
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from pathlib import Path

from claims.training import calibrate, eval as evaluation
from claims.text import features

SIZES = (0, 10, 25, 50, 100)
SAMPLE = 1500  # held-out pairs scored per family, at most


def main(folder: str, names: list[str]) -> None:
    files = sorted(p for p in Path(folder).glob("*.tsv") if p.name != "seed_pairs.tsv")
    dev = {p.name: evaluation.read_pairs(p) for p in files}
    known, similarity = features.FeatureMap(), {}
    results = {}
    for name in names:
        others = {k: v for k, v in dev.items() if k != name}
        reviewable = [p for p in dev[name] if not evaluation.is_held_out(p[0])]
        random.Random(0).shuffle(reviewable)
        held = evaluation.read_pairs(Path(folder) / name, held_out=True)
        held = random.Random(0).sample(held, min(SAMPLE, len(held)))
        for n in SIZES:
            families = dict(others, **({"reviews": reviewable[:n]} if n else {}))
            weights = calibrate.calibrate(families, known=known, similarity=similarity)
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump(weights.to_dict(), f)
            report = evaluation.evaluate(held, weights_path=f.name).to_dict()
            labels = report["labels"]
            row = {k: round(labels[k]["f1"], 3) for k in ("conflict", "agree")} | {"accuracy": round(report["accuracy"], 3)}
            results.setdefault(name, {})[n] = row
            print(name, n, row, file=sys.stderr, flush=True)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
