"""Measuring stances: a judge of stances on labelled (proposition, text) pairs.

    claims eval --task stance ../shared/eval/wahlomat_dev.tsv --held-out

A pairs file's ``agree`` reads as *yes* (the text says the proposition is so),
``conflict`` as *no*, ``related`` as *unclear*; the judge is asked as a
build asks it (``ask.py``): the text as a claim against the proposition.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

STANCES = ("yes", "unclear", "no")
OF_LABEL = {"agree": "yes", "related": "unclear", "conflict": "no"}


@dataclass
class StanceReport:
    n: int
    accuracy: float
    labels: dict  # stance -> {precision, recall, f1, support}
    confusion: list[list[int]]  # rows: true, columns: predicted, in STANCES order
    pairs_per_second: float
    judge: str
    unjudged: int = 0

    def to_dict(self) -> dict:
        return {"task": "stance", "n": self.n, "accuracy": self.accuracy, "labels": self.labels,
                "confusion": {"labels": list(STANCES), "matrix": self.confusion},
                "pairs_per_second": self.pairs_per_second, "judge": self.judge, "unjudged": self.unjudged}

    def row(self, name: str) -> str:
        y, u, n = (self.labels[s]["f1"] for s in STANCES)
        return f"{name:28} {y:7.3f} {n:7.3f} {u:7.3f} {self.accuracy:7.3f} {self.n:7d} {self.pairs_per_second:7.0f}"

    def table(self) -> str:
        lines = [f"{'stance':10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
        for s in STANCES:
            m = self.labels[s]
            lines.append(f"{s:10} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f} {m['support']:8d}")
        unjudged = f", {self.unjudged} unjudged (counted as unclear)" if self.unjudged else ""
        lines += ["", f"accuracy {self.accuracy:.3f} on {self.n} pairs, {self.pairs_per_second:.0f} pairs/s, judge {self.judge}{unjudged}", "",
                  "confusion (rows: true, columns: predicted)", " " * 10 + "".join(f"{s:>9}" for s in STANCES)]
        for s, row in zip(STANCES, self.confusion):
            lines.append(f"{s:10}" + "".join(f"{count:9d}" for count in row))
        return "\n".join(lines)


SUMMARY_HEADER = f"{'file':28} {'yes F1':>7} {'no F1':>7} {'unc F1':>7} {'acc':>7} {'pairs':>7} {'pairs/s':>7}"


def summary(reports) -> str:
    return "\n".join([SUMMARY_HEADER] + [report.row(name) for name, report in reports])


def report_of(truth: list[str], predicted: list[str], seconds: float, judge: str, unjudged: int = 0) -> StanceReport:
    index = {s: i for i, s in enumerate(STANCES)}
    confusion = np.zeros((3, 3), dtype=int)
    for t, p in zip(truth, predicted):
        confusion[index[t], index[p]] += 1
    labels = {}
    for i, s in enumerate(STANCES):
        tp, predicted_n, actual_n = int(confusion[i, i]), int(confusion[:, i].sum()), int(confusion[i, :].sum())
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / actual_n if actual_n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        labels[s] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "support": actual_n}
    n = len(truth)
    return StanceReport(n, round(float(np.trace(confusion)) / n, 4) if n else 0.0, labels, confusion.tolist(),
                        round(n / seconds, 1) if seconds > 0 else 0.0, judge, unjudged)


def evaluate(pairs: list[tuple[str, str, str]], judge: str = "stance", model_name: str | None = None, progress: bool = False, echo=None) -> StanceReport:
    """The stance judge ``judge`` on (proposition, text, label) pairs."""
    from ..index import embed
    from ..judging import registry

    options = registry.JudgeOptions(progress=progress, echo=echo or (lambda message: None))
    judge_ = registry.get_judge(judge, options)
    start = time.perf_counter()
    if judge.partition(":")[0] == "stance":
        similarities = np.zeros(len(pairs))  # the stance model reads the texts, not their cosine
    else:
        model = embed.load_model(model_name or embed.DEFAULT_MODEL)
        start = time.perf_counter()
        similarities = embed.pair_similarities(model, [(b, a) for a, b, _ in pairs], progress=progress)
    verdicts = registry.judge_claims(judge_, [registry.ClaimPair(b, a, float(sim)) for (a, b, _), sim in zip(pairs, similarities)])
    seconds = time.perf_counter() - start
    predicted = [OF_LABEL[v.relation] if v else "unclear" for v in verdicts]
    return report_of([OF_LABEL[label] for _, _, label in pairs], predicted, seconds, judge, sum(v is None for v in verdicts))
