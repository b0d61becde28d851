"""Calibrate: fit the judge's weights on labelled pairs.

A multinomial logistic regression over ``signals.FEATURES``, with the weights
of conflict signals on the conflict label held >= 0 (a signal is evidence for a
conflict, never against one), then the conflict threshold that gives the best
conflict F1 on the same pairs among those where a signal fired. A few dozen
numbers, written to a JSON file the judge loads.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.optimize import minimize

from . import embed, signals
from .judge import LABELS, Weights

L2 = 30.0
# Prior conflict log-odds a fired signal adds: scoped signals are strong evidence.
PRIOR = {"negation": 2.0, "opposing": 2.0, "numbers": 1.5, "polarity": 1.0}


def fit(X: np.ndarray, y: np.ndarray, meta: dict | None = None, l2: float = L2, prior: dict | None = None) -> Weights:
    """Weights for feature rows ``X`` (one column per ``signals.FEATURES``) and
    label indices ``y`` (into ``judge.LABELS``)."""
    n, k = X.shape
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
        i = signals.FEATURES.index(name)
        M[conflict, i] = logit * scale[i]

    def loss(params):
        W = params[: len(LABELS) * k].reshape(len(LABELS), k)
        b = params[len(LABELS) * k :]
        logits = Z @ W.T + b
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        p = np.exp(log_p)
        value = -(Y * log_p).sum() / n + l2 * ((W - M) ** 2).sum() / (2 * n)
        grad_logits = (p - Y) / n
        grad_W = grad_logits.T @ Z + l2 * (W - M) / n
        return value, np.concatenate([grad_W.ravel(), grad_logits.sum(axis=0)])

    bounds = [
        (0.0, None) if label == conflict and name in signals.SIGNALS else (None, None)
        for label in range(len(LABELS))
        for name in signals.FEATURES
    ] + [(None, None)] * len(LABELS)
    result = minimize(loss, np.zeros(len(LABELS) * (k + 1)), jac=True, method="L-BFGS-B", bounds=bounds)
    W = result.x[: len(LABELS) * k].reshape(len(LABELS), k)
    meta = {**(meta or {}), "n": int(n), "priors": (np.bincount(y, minlength=len(LABELS)) / n).round(4).tolist()}
    weights = Weights(signals.FEATURES, mean, scale, W, result.x[len(LABELS) * k :], 0.5, meta)
    threshold = best_threshold(weights.probabilities(X)[:, conflict], fired(X), y == conflict)
    return dataclasses.replace(weights, conflict_threshold=threshold)


def calibrate(pairs: list[tuple[str, str, str]], model_name: str = embed.DEFAULT_MODEL, source: str = "") -> Weights:
    """Weights for labelled ``(text_a, text_b, label)`` pairs, with similarities from ``model_name``."""
    similarities = embed.pair_similarities(embed.load_model(model_name), [(a, b) for a, b, _ in pairs])
    vocabulary = signals.vocabulary(t for a, b, _ in pairs for t in (a, b))
    X = np.array([signals.compare(a, b, sim, vocabulary).values for (a, b, _), sim in zip(pairs, similarities)])
    y = np.array([LABELS.index(label) for _, _, label in pairs])
    return fit(X, y, meta={"model": model_name, "calibrated_on": source})


def fired(X: np.ndarray) -> np.ndarray:
    """Rows where at least one conflict signal fired."""
    columns = [signals.FEATURES.index(name) for name in signals.SIGNALS]
    return (X[:, columns] > 0).any(axis=1)


def best_threshold(p_conflict: np.ndarray, gate: np.ndarray, truth: np.ndarray) -> float:
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.1, 0.9, 0.01):
        predicted = (p_conflict >= threshold) & gate
        tp = (predicted & truth).sum()
        f1 = 2 * tp / max(1, predicted.sum() + truth.sum())
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(threshold), f1
    return best
