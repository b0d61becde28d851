"""Judges by name: which judge decides a pair, and what every judge is made with.

A judge is named ``signals`` (the default, offline: ``judge.Judge``),
``nli:NAME_OR_PATH`` (a sentence-transformers ``CrossEncoder`` NLI model on
disk, its probabilities combined with the signals: ``nli.py``),
``llm:MODEL_ID`` (any model the ``llm`` library knows: ``llm.py``) or ``e5``
(the cross-encoder fine-tuned here: ``e5_judge.py``). Each registers itself
through the ``register_judges`` hook (``hookspecs.py``), as plugins do
(``plugins.DEFAULT_PLUGINS``).

A judge has a ``name`` (what its verdicts depend on: a change means judging
again) and ``judge_pairs(pairs, speakers, vocabulary, known)``, which returns
one ``judge.Verdict`` per ``(text_a, text_b, similarity)`` pair, or None for a
pair it could not judge (left for the next build).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Protocol

from ..errors import JudgeNotFound

if TYPE_CHECKING:
    from ..index.scales import Scale
    from .weights import Weights

DEFAULT = "signals"
__all__ = ["DEFAULT", "JudgeNotFound", "JudgeOptions", "VerdictCache", "get_judge", "registered"]


class VerdictCache(Protocol):
    """Where a model judge keeps what it was told (``Store`` is one): by
    the judge's ``cache_name`` and a pair's key (``model.pair_key``)."""

    def cached_verdicts(self, judge: str, keys: list[str]) -> dict[str, tuple[str, float, str]]: ...

    def cache_verdicts(self, judge: str, rows: list[tuple[str, str, float, str]]) -> None: ...


@dataclass(frozen=True)
class JudgeOptions:
    """What every judge is made with."""

    prior: float | None = None  # share of conflicts (and agreements) expected; None: the calibration's
    matched: bool = False  # pairs found by similarity (a build), not written about one thing
    weights: Weights | None = None
    scale: Scale | None = None  # the cut-offs on the embedding model's cosines (default: USE's)  # the signals judge's weights (default: the shipped ones)
    cache: VerdictCache | None = None  # where a model judge keeps its verdicts (the db's ``Store``), or None
    judge_all: bool = False  # model judges: every pair, not only those the signals do not call unrelated
    progress: bool = False
    echo: Callable[[str], None] = field(default=lambda message: None, compare=False)
    batch_size: int = 8  # pairs judged (and stored) together


def registered() -> dict[str, tuple[Callable, str]]:
    """prefix -> (factory, description) of every installed judge."""
    from ..plugins import pm

    found: dict[str, tuple[Callable, str]] = {}
    pm.hook.register_judges(register=lambda prefix, factory, description="": found.setdefault(prefix, (factory, description)))
    return found


def get_judge(name: str | None = None, options: JudgeOptions | None = None):
    """The judge called ``name`` (default ``signals``), made with ``options``."""
    name = (name or DEFAULT).strip()
    prefix, _, argument = name.partition(":")
    known = registered()
    if prefix not in known:
        raise JudgeNotFound(f"{name}: no such judge (installed: {', '.join(sorted(known))})")
    return known[prefix][0](argument or None, options or JudgeOptions())
