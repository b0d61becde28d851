"""Calibrate: fit the judge's weights on labelled pairs.

Every development file is one family (NLI, stance, cross-outlet claims ...);
a fifth of each (by ``eval.is_held_out``) is never seen here, so that
``claims eval --held-out`` measures what was not fitted. Each family weighs
alike, however many pairs it has.

1. The learned cues (``cues.py``): one weight per one-sided lemma. The
   logistic step sees cue scores fitted on the other half of the pairs
   (cross-fitting), so that it does not trust them more than they deserve.
2. A multinomial logistic regression over ``judge.FEATURES``, with the
   weights of conflict signals on the conflict label held >= 0 (a signal is
   evidence for a conflict, never against one).
3. The conflict and agree thresholds that give the best F1 of both labels,
   averaged over the families that have each label.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.optimize import minimize

from ..judging import cues as learned, signals
from ..text import features
from ..index import embed, scales
from .eval import HELD_OUT, is_held_out, text_hash
from ..judging.judge import AGREE, CONFLICT, FEATURES, LABELS, Weights, decide, measure
from ..judging.registry import JudgeOptions

# How strongly weights shrink towards PRIOR (per pair: L2 / n).
L2 = 3000.0
# What counts as evidence for a conflict (weights held >= 0 on that label).
CONFLICT_EVIDENCE = signals.SIGNALS + ("focused", "cue_conflict")
# Prior conflict log-odds a fired signal adds: scoped signals are strong evidence.
PRIOR = {"negation": 2.0, "opposing": 2.0, "numbers": 1.5, "polarity": 1.0}


@dataclasses.dataclass(frozen=True)
class FitOptions:
    """How ``fit`` fits: ``meta`` is kept with the weights; ``l2`` pulls the
    weights towards ``prior`` (default ``PRIOR``); ``sample_weight`` weighs
    each row; ``family`` says which file each row comes from, for the thresholds."""

    meta: dict | None = None
    l2: float = L2
    prior: dict | None = None
    sample_weight: np.ndarray | None = None
    family: np.ndarray | None = None


def fit(X: np.ndarray, y: np.ndarray, options: FitOptions = FitOptions()) -> Weights:
    """Weights for feature rows ``X`` (one column per ``judge.FEATURES``) and
    label indices ``y`` (into ``judge.LABELS``), fitted as ``options`` say."""
    meta, l2, prior, sample_weight, family = options.meta, options.l2, options.prior, options.sample_weight, options.family
    n, k = X.shape
    w = np.ones(n) if sample_weight is None else sample_weight * n / sample_weight.sum()
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (X - mean) / scale
    Y = np.eye(len(LABELS))[y]
    conflict = LABELS.index("conflict")
    # Weights shrink towards the prior, not towards zero: a signal the data
    # rarely shows (an antonym from the lexicon) keeps the weight linguistics gives it.
    M = np.zeros((len(LABELS), k))
    for name, logit in (PRIOR if prior is None else prior).items():
        i = FEATURES.index(name)
        M[conflict, i] = logit * scale[i]

    def loss(params):
        W = params[: len(LABELS) * k].reshape(len(LABELS), k)
        b = params[len(LABELS) * k :]
        logits = Z @ W.T + b
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        p = np.exp(log_p)
        value = -(w[:, None] * Y * log_p).sum() / n + l2 * ((W - M) ** 2).sum() / (2 * n)
        grad_logits = w[:, None] * (p - Y) / n
        grad_W = grad_logits.T @ Z + l2 * (W - M) / n
        return value, np.concatenate([grad_W.ravel(), grad_logits.sum(axis=0)])

    bounds = [
        (0.0, None) if label == conflict and name in CONFLICT_EVIDENCE else (None, None)
        for label in range(len(LABELS))
        for name in FEATURES
    ] + [(None, None)] * len(LABELS)
    result = minimize(loss, np.zeros(len(LABELS) * (k + 1)), jac=True, method="L-BFGS-B", bounds=bounds)
    W = result.x[: len(LABELS) * k].reshape(len(LABELS), k)
    priors = np.array([w[y == i].sum() for i in range(len(LABELS))]) / w.sum()
    meta = {**(meta or {}), "n": int(n), "priors": priors.round(4).tolist()}
    weights = Weights(FEATURES, mean, scale, W, result.x[len(LABELS) * k :], 0.5, meta)
    family = np.zeros(n, dtype=int) if family is None else family
    conflict_threshold, agree_threshold = best_thresholds(weights, X, y, family)
    return dataclasses.replace(weights, conflict_threshold=conflict_threshold, agree_threshold=agree_threshold)


def calibrate(
    families: dict[str, list[tuple[str, str, str]]], model_name: str = embed.DEFAULT_MODEL,
    known: features.FeatureMap | None = None, similarity: dict | None = None,
) -> Weights:
    """Weights for labelled ``(text_a, text_b, label)`` pairs, one list per
    family (file name), of which the pairs ``eval.is_held_out`` keeps are left out.
    ``known`` and ``similarity`` (pair -> cosine): what earlier fits computed,
    kept for the next (a learning curve fits many times on the same pairs)."""
    model = embed.load_model(model_name)
    pairs, family = [], []
    for f, (name, rows) in enumerate(sorted(families.items())):
        kept = [row for row in rows if not is_held_out(row[0])]
        pairs += kept
        family += [f] * len(kept)
    family = np.array(family)
    counts = np.bincount(family)
    sample_weight = (len(pairs) / len(counts)) / counts[family]  # each family weighs alike
    similarity = {} if similarity is None else similarity
    todo = list(dict.fromkeys((a, b) for a, b, _ in pairs if (a, b) not in similarity))
    if todo:
        similarity.update(zip(todo, (float(x) for x in embed.pair_similarities(model, todo))))
    triples = [(a, b, similarity[(a, b)]) for a, b, _ in pairs]
    y = np.array([LABELS.index(label) for _, _, label in pairs])
    known = features.FeatureMap() if known is None else known
    featured = [(known[a], known[b]) for a, b, _ in pairs]
    # Halves for cross-fitting, independent of the held-out fifth.
    half = np.array([text_hash(a) // HELD_OUT % 2 for a, _, _ in pairs])
    X = np.zeros((len(pairs), len(FEATURES)))
    for h in (0, 1):
        other = [i for i in range(len(pairs)) if half[i] != h]
        cues = learned.fit([featured[i] for i in other], y[other], sample_weight[other])
        mine = np.flatnonzero(half == h)
        X[mine] = measure([triples[i] for i in mine], cues, known=known)[0]
    weights = fit(X, y, FitOptions(meta={"model": model_name, "calibrated_on": sorted(families)}, sample_weight=sample_weight, family=family))
    return dataclasses.replace(weights, cues=learned.fit(featured, y, sample_weight))


GRID = np.round(np.arange(0.1, 0.9, 0.02), 2)


def best_thresholds(weights: Weights, X: np.ndarray, y: np.ndarray, family: np.ndarray) -> tuple[float, float]:
    """The conflict and agree thresholds with the best F1 of both labels,
    averaged over the families that have each label (a threshold that finds
    every conflict by calling most pairs conflicts loses the agreements),
    deciding as the judge decides on labelled pairs (``judge.decide``)."""
    p = weights.probabilities(X)
    families = np.unique(family)
    best, best_score = (0.5, 0.5), -1.0
    for ct in GRID:
        for at in GRID:
            relation, _, _ = decide(p, X, JudgeOptions(weights=dataclasses.replace(weights, conflict_threshold=ct, agree_threshold=at)))
            score = (_f1(relation == CONFLICT, y == CONFLICT, family, families) + _f1(relation == AGREE, y == AGREE, family, families)) / 2
            if score > best_score + 1e-9:
                best, best_score = (float(ct), float(at)), score
    return best


def _f1(predicted: np.ndarray, truth: np.ndarray, family: np.ndarray, families) -> float:
    """F1 of ``predicted`` averaged over the families where ``truth`` occurs."""
    scores = []
    for f in families:
        m = family == f
        if truth[m].any():
            tp = (predicted[m] & truth[m]).sum()
            scores.append(2 * tp / max(1, predicted[m].sum() + truth[m].sum()))
    return float(np.mean(scores)) if scores else 0.0


def fit_scale(families: dict[str, list[tuple[str, str, str]]], model_name: str) -> "scales.Scale":
    """The cut-offs of ``model_name`` (``scales.Scale``), fitted to the
    reference model's on the texts of ``families`` (their held-out pairs
    left out): on each pair as written, and on each first text against the
    second text of another pair, so that the cosines of unrelated texts, where
    the low cut-offs lie, are among those compared too."""
    kept = [(a, b) for rows in families.values() for a, b, _ in rows if not is_held_out(a)]
    rng = np.random.default_rng(0)
    others = rng.permutation(len(kept))
    pairs = kept + [(kept[k][0], kept[j][1]) for k, j in enumerate(others.tolist()) if j != k]
    reference = embed.pair_similarities(embed.load_model(scales.REFERENCE), pairs)
    other = embed.pair_similarities(embed.load_model(model_name), pairs)
    return scales.fit(reference, other, model_name)
