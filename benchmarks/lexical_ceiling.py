"""How far words alone go on one family of labelled pairs.

Fits a logistic regression over the lemmas that only one of the two texts has
(the judge's learned cues, ``claims/judging/cues.py``) on one dev file alone, and
prints F1 per label on the fifth ``claims calibrate`` holds out. The judge
fits one set of weights for every family; this is what a word model could
reach if it only ever saw this one, an upper bound for the judge's cues.

    .venv/bin/python benchmarks/lexical_ceiling.py ../shared/eval/wahlomat_dev.tsv
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from claims.judging import cues
from claims.text import features
from claims.training.eval import is_held_out, read_pairs
from claims.judging.judge import LABELS


def main(path: str) -> None:
    pairs = read_pairs(path)
    docs = [sorted(a | b) for a, b in (cues.one_sided(features.of(x), features.of(z)) for x, z, _ in pairs)]
    vocabulary: dict[str, int] = {}
    for doc in docs:
        for lemma in doc:
            vocabulary.setdefault(lemma, len(vocabulary))
    rows = [r for r, doc in enumerate(docs) for _ in doc]
    columns = [vocabulary[lemma] for doc in docs for lemma in doc]
    X = sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(docs), len(vocabulary)))
    y = np.array([LABELS.index(label) for _, _, label in pairs])
    held = np.array([is_held_out(a) for a, _, _ in pairs])
    for c in (0.1, 0.3, 1.0):
        predicted = LogisticRegression(C=c, max_iter=3000).fit(X[~held], y[~held]).predict(X[held])
        f1 = f1_score(y[held], predicted, labels=range(len(LABELS)), average=None, zero_division=0)
        scores = "  ".join(f"{label} F1 {value:.3f}" for label, value in zip(LABELS, f1))
        print(f"{path}  C={c}  held out {held.sum()}  {scores}  accuracy {(predicted == y[held]).mean():.3f}")


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        main(argument)
