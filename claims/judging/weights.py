"""The signals judge's weights: a small logistic model over the signals, the
alignment features and the learned cue words, fitted by ``claims calibrate``
and shipped as ``claims/data/judge_weights.json``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from . import cues as learned, signals

LABELS = ("agree", "related", "conflict")
# What the weights weigh: the signals, then the learned cues (``cues.py``).
FEATURES = signals.FEATURES + ("cue_agree", "cue_conflict")


@dataclass(frozen=True)
class Weights:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (labels, features)
    intercept: np.ndarray
    conflict_threshold: float
    meta: dict
    cues: learned.Cues = learned.Cues({})
    agree_threshold: float = 0.5

    @classmethod
    def from_dict(cls, data: dict) -> "Weights":
        if tuple(data["labels"]) != LABELS:
            raise ValueError(f"weights are for labels {data['labels']}, expected {list(LABELS)}")
        return cls(
            tuple(data["features"]), np.array(data["mean"]), np.array(data["scale"]),
            np.array(data["coef"]), np.array(data["intercept"]), float(data["conflict_threshold"]),
            {k: v for k, v in data.items() if k not in {"features", "mean", "scale", "coef", "intercept", "cues", "conflict_threshold", "agree_threshold"}},
            learned.Cues.from_dict(data.get("cues")), float(data.get("agree_threshold", 0.5)),
        )

    def to_dict(self) -> dict:
        return {
            **self.meta, "labels": list(LABELS), "features": list(self.features),
            "mean": self.mean.round(6).tolist(), "scale": self.scale.round(6).tolist(),
            "coef": self.coef.round(6).tolist(), "intercept": self.intercept.round(6).tolist(),
            "conflict_threshold": round(self.conflict_threshold, 4),
            "agree_threshold": round(self.agree_threshold, 4), "cues": self.cues.to_dict(),
        }

    def digest(self) -> str:
        """Short fingerprint of the weights: recalibrated weights judge anew.
        Made once per weights (0.15 s: every judge, so every build, names it)."""
        if "_digest" not in self.__dict__:
            text = json.dumps(self.to_dict(), sort_keys=True)
            self.__dict__["_digest"] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        return self.__dict__["_digest"]

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        z = (X - self.mean) / self.scale
        logits = z @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)


@lru_cache(maxsize=8)
def load_weights(path: str | None = None) -> Weights:
    if path is None:
        text = resources.files("claims").joinpath("data", "judge_weights.json").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    weights = Weights.from_dict(json.loads(text))
    if weights.features != FEATURES:
        raise ValueError(f"{path or 'judge_weights.json'}: weights are for features {weights.features}, not {FEATURES}")
    return weights
