"""Cues: words whose presence in one claim only moves the relation, learned.

The lexicons (``data/negation.txt``, ``data/antonyms.tsv`` ...) hold what
linguistics says; labelled pairs teach more: a party that "lehnt ab" answers no
to its thesis, "nie" and "niemand" mark contradictions in NLI pairs. A word
counts when exactly one of the two claims has its lemma (a word in both says
nothing about how they differ). ``claims calibrate`` fits one weight per such
lemma and relation (a multinomial logistic regression over one-sided lemma
indicators, each dev family weighted alike) and keeps the lemmas seen often
enough; the judge adds them up into two features, and names the strongest in
``reason``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..text import features, lexicon, terms

MIN_PAIRS = 5  # a lemma is learned only from at least this many pairs
MIN_WEIGHT = 0.05  # lemmas whose weights are all smaller are not kept


def one_sided(a: features.Features, b: features.Features) -> tuple[frozenset[str], frozenset[str]]:
    """Lemmas (words of letters only) that only A has, and those only B has."""
    return frozenset(w for w in a.lemmas - b.lemmas if w.isalpha()), frozenset(w for w in b.lemmas - a.lemmas if w.isalpha())


@dataclass(frozen=True)
class Cues:
    """lemma -> (agree, conflict) weight, each relative to "related"."""

    weights: dict

    @classmethod
    def from_dict(cls, data: dict | None) -> "Cues":
        return cls({k: (float(v[0]), float(v[1])) for k, v in (data or {}).items()})

    def to_dict(self) -> dict:
        return {k: [round(a, 4), round(c, 4)] for k, (a, c) in sorted(self.weights.items())}

    def score(self, a: features.Features, b: features.Features) -> tuple[float, float, str | None, str]:
        """(agree cue, conflict cue, the lemma adding most to conflict, its side).
        All learned lemmas count; the one named is a content word or a
        negation, something a reader can check ("der" may carry weight in the
        dev data, but names nothing)."""
        agree = conflict = 0.0
        best, best_side, best_weight = None, "", 0.0
        negations = lexicon.negation_cues()
        for side, lemmas in zip("AB", one_sided(a, b)):
            for lemma in sorted(lemmas):
                weight = self.weights.get(lemma)
                if weight is None:
                    continue
                agree += weight[0]
                conflict += weight[1]
                if weight[1] > best_weight and (lemma in negations or terms.content_key(lemma)):
                    best, best_side, best_weight = lemma, side, weight[1]
        return agree, conflict, best, best_side


def fit(pairs_features: list[tuple[features.Features, features.Features]], y: np.ndarray, sample_weight: np.ndarray, c: float = 0.1) -> Cues:
    """Cue weights from feature pairs with label indices ``y`` (agree, related, conflict)."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    docs = [tuple(sorted(x | z)) for x, z in (one_sided(a, b) for a, b in pairs_features)]
    counts: dict[str, int] = {}
    for doc in docs:
        for lemma in doc:
            counts[lemma] = counts.get(lemma, 0) + 1
    vocabulary = {w: i for i, w in enumerate(sorted(w for w, n in counts.items() if n >= MIN_PAIRS))}
    rows, columns = [], []
    for r, doc in enumerate(docs):
        for lemma in doc:
            if lemma in vocabulary:
                rows.append(r)
                columns.append(vocabulary[lemma])
    X = sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(docs), len(vocabulary)))
    model = LogisticRegression(C=c, max_iter=3000).fit(X, y, sample_weight=sample_weight)
    coef = model.coef_  # rows in label order: agree, related, conflict
    weights = {}
    for lemma, i in vocabulary.items():
        agree, conflict = coef[0, i] - coef[1, i], coef[2, i] - coef[1, i]
        if max(abs(agree), abs(conflict)) >= MIN_WEIGHT:
            weights[lemma] = (float(agree), float(conflict))
    return Cues(weights)
