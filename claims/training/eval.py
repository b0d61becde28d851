"""Eval: how good is the judge, on labelled pairs anyone can rerun.

Pairs are tab-separated ``premise<TAB>hypothesis<TAB>label``, the label one of
entailment/neutral/contradiction or agree/related/conflict. The judge is the
one ``claims build`` uses: similarities from the same embedding model, the
same signals and weights.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..index import embed
from ..judging.judge import ALIASES, LABELS, load_weights
from ..errors import PairsError


HELD_OUT = 5  # one pair in this many is held out of calibration


def text_hash(text: str) -> int:
    """A number for a text, the same in every process (Python's hash is salted)."""
    return int(hashlib.md5(text.encode("utf-8")).hexdigest()[:8], 16)


def is_held_out(text_a: str) -> bool:
    """Whether a pair is in the part of a development file that ``claims
    calibrate`` never fits on. Decided by its first text, so that all pairs
    on one premise or thesis fall on the same side."""
    return text_hash(text_a) % HELD_OUT == 0



def read_pairs(path: str | Path, held_out: bool = False) -> list[tuple[str, str, str]]:
    """Labelled pairs of a file; ``held_out``: only those ``claims calibrate`` leaves out."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PairsError(f"{path}: no such file")
    except UnicodeDecodeError:
        raise PairsError(f"{path}: not UTF-8 text")
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 3:
            raise PairsError(f"{path}:{number}: expected premise<TAB>hypothesis<TAB>label, found {len(fields)} field(s)")
        a, b, label = fields[0].strip(), fields[1].strip(), fields[2].strip().lower()
        label = ALIASES.get(label, label)
        if label not in LABELS:
            if number == 1 and not pairs:
                continue  # a header row
            raise PairsError(f"{path}:{number}: unknown label {fields[2].strip()!r}")
        pairs.append((a, b, label))
    if not pairs:
        raise PairsError(f"{path}: no labelled pairs")
    if held_out:
        pairs = [pair for pair in pairs if is_held_out(pair[0])]
        if not pairs:
            raise PairsError(f"{path}: no pair in the held-out fifth")
    return pairs


@dataclass
class Report:
    n: int
    accuracy: float
    labels: dict  # label -> {precision, recall, f1, support}
    confusion: list[list[int]]  # rows: true label, columns: predicted, in LABELS order
    pairs_per_second: float
    judge: str = "signals"  # the judge measured
    unjudged: int = 0  # pairs a model judge could not judge, counted as "related"

    def to_dict(self) -> dict:
        return {
            "n": self.n, "accuracy": self.accuracy, "labels": self.labels,
            "confusion": {"labels": list(LABELS), "matrix": self.confusion},
            "pairs_per_second": self.pairs_per_second, "judge": self.judge, "unjudged": self.unjudged,
        }

    def row(self, name: str) -> str:
        """One line of ``summary``."""
        c, a = self.labels["conflict"], self.labels["agree"]
        return (
            f"{name:28} {c['precision']:7.3f} {c['recall']:7.3f} {c['f1']:7.3f} {a['f1']:7.3f}"
            f" {self.accuracy:7.3f} {self.n:7d} {self.pairs_per_second:7.0f}"
        )

    def table(self) -> str:
        lines = [f"{'label':10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
        for label in LABELS:
            m = self.labels[label]
            lines.append(f"{label:10} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f} {m['support']:8d}")
        unjudged = f", {self.unjudged} unjudged (counted as related)" if self.unjudged else ""
        lines += ["", f"accuracy {self.accuracy:.3f} on {self.n} pairs, {self.pairs_per_second:.0f} pairs/s, judge {self.judge}{unjudged}", "",
                  "confusion (rows: true, columns: predicted)", " " * 10 + "".join(f"{label:>9}" for label in LABELS)]
        for label, row in zip(LABELS, self.confusion):
            lines.append(f"{label:10}" + "".join(f"{count:9d}" for count in row))
        return "\n".join(lines)


SUMMARY_HEADER = f"{'file':28} {'conf P':>7} {'conf R':>7} {'conf F1':>7} {'agr F1':>7} {'acc':>7} {'pairs':>7} {'pairs/s':>7}"


def summary(reports: list[tuple[str, "Report"]]) -> str:
    """One row per file: conflict precision, recall and F1, agree F1, accuracy,
    pairs and pairs per second."""
    return "\n".join([SUMMARY_HEADER] + [report.row(name) for name, report in reports])


def metrics(truth: list[str], predicted: list[str], seconds: float = 0.0) -> Report:
    index = {label: i for i, label in enumerate(LABELS)}
    confusion = np.zeros((len(LABELS), len(LABELS)), dtype=int)
    for t, p in zip(truth, predicted):
        confusion[index[t], index[p]] += 1
    labels = {}
    for i, label in enumerate(LABELS):
        tp = int(confusion[i, i])
        predicted_n, actual_n = int(confusion[:, i].sum()), int(confusion[i, :].sum())
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / actual_n if actual_n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        labels[label] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "support": actual_n}
    n = len(truth)
    return Report(
        n=n,
        accuracy=round(float(np.trace(confusion)) / n, 4) if n else 0.0,
        labels=labels,
        confusion=confusion.tolist(),
        pairs_per_second=round(n / seconds, 1) if seconds > 0 else 0.0,
    )


def negation_rule(pairs: list[tuple[str, str, str]]) -> Report:
    """The baseline to beat: conflict when a negation word is in exactly one
    text, related otherwise."""
    from ..text.lexicon import negations

    start = time.perf_counter()
    predicted = ["conflict" if bool(negations(a)) != bool(negations(b)) else "related" for a, b, _ in pairs]
    return metrics([label for _, _, label in pairs], predicted, time.perf_counter() - start)


@dataclass(frozen=True)
class EvalOptions:
    """What ``evaluate`` measures with: the embedding model, the judge and its settings."""

    model_name: str = embed.DEFAULT_MODEL
    nli_model: str | None = None
    prior: float | None = None
    progress: bool = False
    weights_path: str | None = None
    judge: str | None = None
    judge_all: bool = False
    echo: object = None


def evaluate(pairs: list[tuple[str, str, str]], options: EvalOptions | None = None, **given) -> Report:
    """The judge named ``options.judge`` (``registry.get_judge``; default
    signals, or ``nli:NLI_MODEL``) on labelled pairs, as labelled pairs are
    judged: at the calibration prior unless ``prior``. ``given``: fields of
    ``EvalOptions`` instead of the object."""
    o = options or EvalOptions(**given)
    model_name, nli_model, prior, progress, weights_path, judge, judge_all, echo = (
        o.model_name, o.nli_model, o.prior, o.progress, o.weights_path, o.judge, o.judge_all, o.echo)
    from ..judging import registry

    name = judge or (f"nli:{nli_model}" if nli_model else registry.DEFAULT)
    model = embed.load_model(model_name)
    options = registry.JudgeOptions(
        prior=prior, weights=load_weights(weights_path), judge_all=judge_all, progress=progress, echo=echo or (lambda message: None),
    )
    judge_ = registry.get_judge(name, options)
    # Timed from here: embedding and judging, not loading the models.
    start = time.perf_counter()
    similarities = embed.pair_similarities(model, [(a, b) for a, b, _ in pairs], progress=progress)
    verdicts = registry.judge_claims(judge_, [registry.ClaimPair(a, b, float(sim)) for (a, b, _), sim in zip(pairs, similarities)])
    seconds = time.perf_counter() - start
    report = metrics([label for _, _, label in pairs], [v.relation if v else "related" for v in verdicts], seconds)
    report.judge, report.unjudged = name, sum(v is None for v in verdicts)
    return report
