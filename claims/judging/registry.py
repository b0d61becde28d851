"""Judges by name: which judge decides a pair, and what every judge is made with.

A judge is named ``signals`` (the default, offline: ``judge.Judge``),
``nli:NAME_OR_PATH`` (a sentence-transformers ``CrossEncoder`` NLI model on
disk, its probabilities combined with the signals: ``nli.py``),
``llm:MODEL_ID`` (any model the ``llm`` library knows: ``llm.py``) or ``e5``
(the cross-encoder fine-tuned here: ``e5_judge.py``). Each registers itself
through the ``register_judges`` hook (``hookspecs.py``), as plugins do
(``plugins.DEFAULT_PLUGINS``).

A judge has a ``name`` (what its verdicts depend on: a change means judging
again) and ``judge_claims(pairs)``, which returns one ``Verdict`` per
``ClaimPair`` (the two texts, their cosine, speakers and story), or None for a
pair it could not judge (left for the next build). The pipeline asks every
judge through ``judge_claims`` here. Two more shapes are accepted:

- a ``judge_claims(pairs, knowledge)`` also gets what the build knows of the
  texts (``Knowledge``: how rare each term is, the features computed so far);
  the built-in judges read it, as pluggy hands a hook only the arguments it
  names;
- a judge written before ``ClaimPair`` has ``judge_pairs(pairs, speakers,
  vocabulary, known)`` over ``(text_a, text_b, similarity)`` tuples; it still
  works.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Protocol, Sequence

from ..errors import JudgeNotFound

if TYPE_CHECKING:
    from ..index.scales import Scale
    from ..text.features import FeatureMap
    from ..text.terms import Vocabulary
    from .weights import Weights

@dataclass(frozen=True)
class Verdict:
    """What a judge says of one pair of claims."""

    relation: str  # agree | related | conflict
    score: float  # confidence in ``relation``, 0..1
    reason: str
    kind: str | None = None  # for conflicts: dispute (two speakers) | self (one speaker)
    shared: tuple[str, ...] = ()  # the content words both claims name, rarest first
    judge: str = "signals"  # the judge that decided: signals, nli:..., llm:...


DEFAULT = "signals"
__all__ = [
    "DEFAULT", "ClaimPair", "JudgeNotFound", "JudgeOptions", "Knowledge", "PairJudge", "TupleJudge", "Verdict", "VerdictCache",
    "get_judge", "judge_claims", "registered",
]


@dataclass(frozen=True)
class ClaimPair:
    """What a judge reads of two claims: what each asserts, how close their
    embeddings are, who says each, and the story both are in."""

    text_a: str
    text_b: str
    similarity: float = 0.0  # cosine of the two embeddings
    speaker_a: str | None = None
    speaker_b: str | None = None
    story: int | None = None  # stories.id in the build's db; None outside a build (a question's statement)


class PairJudge(Protocol):
    """A judge: what a plugin's factory returns."""

    name: str  # what the verdicts depend on: a new name means judging again

    def judge_claims(self, pairs: Sequence[ClaimPair]) -> list[Verdict | None]: ...


@dataclass
class Knowledge:
    """What a build knows of the texts it judges, for judges that read it
    (``judge_claims(pairs, knowledge)``): the built-in judges weigh shared
    terms by their rarity in the corpus and reuse the texts' features."""

    vocabulary: Vocabulary | None = None
    features: FeatureMap | None = None


def judge_claims(judge, pairs: Sequence[ClaimPair], knowledge: Knowledge | None = None) -> list[Verdict | None]:
    """``judge``'s verdicts on ``pairs``: the one way the pipeline asks a judge,
    whichever of the shapes in the module docstring it has."""
    pairs = list(pairs)
    knowledge = knowledge or Knowledge()
    method = getattr(judge, "judge_claims", None)
    if method is None:
        vocabulary, known = knowledge.vocabulary, knowledge.features
        return judge.judge_pairs(*as_tuples(pairs), vocabulary, known)
    return method(pairs, knowledge) if _names(method, "knowledge") else method(pairs)


def as_tuples(pairs: Sequence[ClaimPair]) -> tuple[list[tuple[str, str, float]], list[tuple[str | None, str | None]]]:
    """``pairs`` as ``judge_pairs`` reads them: ``(text_a, text_b, similarity)``
    and ``(speaker_a, speaker_b)``."""
    return [(p.text_a, p.text_b, p.similarity) for p in pairs], [(p.speaker_a, p.speaker_b) for p in pairs]


def _names(method, parameter: str) -> bool:
    try:
        return parameter in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


class TupleJudge:
    """``judge_claims`` for a judge that has ``judge_pairs`` over tuples (the
    built-in ones: their tests and callers read tuples)."""

    def judge_claims(self, pairs: Sequence[ClaimPair], knowledge: Knowledge | None = None) -> list[Verdict | None]:
        knowledge = knowledge or Knowledge()
        return self.judge_pairs(*as_tuples(pairs), knowledge.vocabulary, knowledge.features)


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
