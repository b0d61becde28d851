"""Does the stance model know when a text answers the point? (issue 46, item 1)

On Wahl-O-Mat's held-out fifth (the theses ``claims eval --held-out`` keeps
out of training), each thesis is read against mixed candidates: its own
parties' justifications (they answer, yes or no, unless the party was
neutral) and the justifications of the same election's other theses that
look most like it (``training/negatives.py``: they do not answer). Reports
the precision and recall of "answers" (the model says yes or no), and the
side's accuracy where both the model and the gold say it answers.

    python benchmarks/stance_answers.py ../shared/eval/wahlomat_dev.tsv [--model FOLDER] [--pairs 1500]

``--counting``: instead, the held-out theses that count ("... auf 15 Euro")
against their parties' justifications without a comparable number
(``quantities.compare``): how often the model's yes or no is right at each
P(side), what ``ask.COUNTLESS_SURE`` is chosen by.

FOLDER: a stance model's folder (default: the shipped ``claims/data/stance``;
``make train-stance`` writes one to ~/.cache/claims/train-stance/model).
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claims.index import embed  # noqa: E402
from claims.judging import stance  # noqa: E402
from claims.training.eval import read_pairs  # noqa: E402
from claims.training.negatives import hard_negatives  # noqa: E402

SIDE = {"agree": 0, "related": 1, "conflict": 2}
SURE_PRECISION = 0.85  # --counting: how often a countless side must be right to stand


def candidates(path: str, pairs: int, seed: int = 0) -> list[tuple[str, str, int]]:
    """(thesis, text, gold: 0 yes, 1 does not answer, 2 no) on the held-out theses."""
    rows = read_pairs(path, held_out=True)
    own = [(a, b, SIDE[label]) for a, b, label in rows]
    negatives = [(a, b, 1) for a, b in hard_negatives(rows, embed.load_model(), seed=seed)]
    mixed = own + negatives
    random.Random(seed).shuffle(mixed)
    return mixed[:pairs]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wahlomat")
    parser.add_argument("--model", default=str(stance.WEIGHTS))
    parser.add_argument("--pairs", type=int, default=1500, help="candidates read at most (drawn with the seed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gate", action="store_true", help="a side on a text that names none of the thesis' predicate stands only "
                        "from ask.NAMELESS_SURE, as on a user's question")
    parser.add_argument("--subject", action="store_true", help="with --gate: so does one on a text that names none of its subject")
    parser.add_argument("--counting", action="store_true", help="theses that count, against justifications without a comparable number: "
                        "the side's accuracy by P(side)")
    args = parser.parse_args(argv)
    embed.offline()
    if args.counting:
        return counting(args)
    mixed = candidates(args.wahlomat, args.pairs, args.seed)
    margin = stance.fitted(Path(args.model))["margin"]
    model, tokenizer = stance.load(args.model)
    start = time.perf_counter()
    p = stance.predict(model, tokenizer, [(a, b) for a, b, _ in mixed])
    seconds = time.perf_counter() - start
    pred = stance.decide(p, margin)
    if args.gate:
        from claims.pipeline import ask
        from claims.text import features

        known = features.FeatureMap()
        for k, (thesis, text, _) in enumerate(mixed):
            [named] = ask.naming(thesis, [known[text].content], known)
            side = {0: "yes", 1: "unclear", 2: "no"}[int(pred[k])]
            subject = not args.subject or ask.names_subject(known[text], ask.about(thesis, known)[0])
            if not ask.gate(side, float(p[k, pred[k]]), float(named), subject=subject):
                pred[k] = 1
    gold = np.array([g for _, _, g in mixed])
    says, answers = pred != 1, gold != 1
    both = says & answers
    precision = float((says & answers).sum() / max(1, says.sum()))
    recall = float((says & answers).sum() / max(1, answers.sum()))
    print(json.dumps({
        "model": args.model, "gate": args.gate, "subject": args.subject, "head": "factored" if stance.factored(model) else "three classes", "margin": margin,
        "pairs": len(mixed), "answering": int(answers.sum()), "hard_negatives": int((gold == 1).sum()),
        "answers_precision": round(precision, 3), "answers_recall": round(recall, 3),
        "answers_f1": round(2 * precision * recall / max(1e-9, precision + recall), 3),
        "side_accuracy_given_answers": round(float((pred[both] == gold[both]).mean()) if both.any() else 0.0, 3),
        "pairs_per_second": round(len(mixed) / seconds, 1),
    }))


def counting(args) -> None:
    from claims.text import quantities

    rows = [(a, b, SIDE[label]) for a, b, label in read_pairs(args.wahlomat, held_out=True)
            if quantities.quantities(a) and quantities.compare(a, b) is None]
    model, tokenizer = stance.load(args.model)
    p = stance.predict(model, tokenizer, [(a, b) for a, b, _ in rows])
    pred = stance.decide(p, stance.fitted(Path(args.model))["margin"])
    gold = np.array([g for _, _, g in rows])
    sure = p[np.arange(len(rows)), pred]
    buckets = []
    for low, high in ((0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.75), (0.75, 0.8), (0.8, 0.82), (0.82, 0.84), (0.84, 1.01)):
        says = (pred != 1) & (sure >= low) & (sure < high)
        buckets.append({"p": f"{low:.2f}-{min(high, 1.0):.2f}", "sides": int(says.sum()),
                        "right": round(float((pred[says] == gold[says]).mean()), 3) if says.any() else None})
    # The lowest P(side) from which the sides at or above it are right
    # ``SURE_PRECISION`` of the time (at least 20 of them): ask.COUNTLESS_SURE.
    sure_from = next((round(float(t), 2) for t in np.arange(0.5, 0.96, 0.01)
                      if ((pred != 1) & (sure >= t)).sum() >= 20
                      and (pred == gold)[(pred != 1) & (sure >= t)].mean() >= SURE_PRECISION), None)
    print(json.dumps({"model": args.model, "counting_rows": len(rows), "by_p": buckets, "sure_from": sure_from}))


if __name__ == "__main__":
    main()
