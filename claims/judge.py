"""Judge: is a matched pair an agreement, a conflict, or merely related?

Signals, each named in ``reason`` so a reader can check the call:
- opposing predicates from ``data/antonyms.tsv`` (zeremoniell vs wichtig),
- negation on one side only ("er glaube nicht, dass ..." vs "... wird ... sitzen"),
- percentages that differ,
all of them only when the two claims share content words, so that a negation
in an unrelated sentence does not make a conflict; then embedding similarity
for agreement. The weights are first guesses; a calibrated judge replaces them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from . import lexicon

AGREE_SIMILARITY = 0.75
NEGATION_SIMILARITY = 0.45
MIN_LEMMA_LENGTH = 3
MIN_SHARED = 2  # content lemmas two claims must share before a conflict is possible
SCOPE = 6  # tokens either side of a negation or an opposing word
# An opposing adjective or verb sits next to what it is about ("wichtige Rolle").
ANTONYM_SCOPE = 3
# One shared word in the scope of a negation is weak evidence; it needs close texts.
SINGLE_WORD_SIMILARITY = 0.6
STEM = 6  # leading letters of a lemma that identify a content word
PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|Prozent\b|percent\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    relation: str  # agree | conflict | related
    score: float
    reason: str


@dataclass(frozen=True)
class Features:
    sequence: tuple[str, ...]  # lemmas in text order
    keys: tuple[str | None, ...]  # content key of each lemma, None for function words
    lemmas: frozenset[str]
    negations: tuple[int, ...]  # positions in ``sequence``
    percents: frozenset[float]
    clauses: tuple[int, ...]  # clause number of each token
    shown: dict = field(compare=False)  # content key -> a lemma to show in reasons

    @cached_property
    def content(self) -> frozenset[str]:
        return frozenset(self.shown)

    def near(self, position: int, width: int = SCOPE) -> frozenset[str]:
        """Content keys within ``width`` tokens of ``position``."""
        return frozenset(k for k in self.keys[max(0, position - width) : position + width + 1] if k)

    def scope(self, position: int) -> frozenset[str]:
        """Content keys in the clause of ``position``, within the window."""
        clause = self.clauses[position]
        lo, hi = max(0, position - SCOPE), position + SCOPE + 1
        return frozenset(k for k, c in zip(self.keys[lo:hi], self.clauses[lo:hi]) if k and c == clause)


def content_key(lemma: str) -> str | None:
    """What two content words must share to count as the same word: a common
    stem, so that Europäer/europäisch or Kellogg/Kelloggs match."""
    if len(lemma) < MIN_LEMMA_LENGTH or lemma in lexicon.stopwords() or lemma.isdigit():
        return None
    return lemma[:STEM]


@lru_cache(maxsize=100_000)
def features(text: str) -> Features:
    tokens, clauses = lexicon.clauses(text)
    sequence = tuple(lexicon.lemma(w) for w in tokens)
    keys = tuple(content_key(lemma) for lemma in sequence)
    shown: dict[str, str] = {}
    for key, lemma in zip(keys, sequence):
        if key:
            shown.setdefault(key, lemma)
    negations = tuple(lexicon.negation_positions(tokens))
    percents = frozenset(float(m.group(1).replace(",", ".")) for m in PERCENT.finditer(text))
    return Features(
        sequence, keys, frozenset(sequence), negations, percents, tuple(clauses), shown
    )


def _opposed(a: Features, b: Features, shared: frozenset[str]) -> list[tuple[str, str, frozenset[str]]]:
    """Opposing lemmas, each next to a content word both claims share."""
    opposite = lexicon.antonyms()
    found = []
    for i, word in enumerate(a.sequence):
        for other in sorted(opposite.get(word, frozenset()) & b.lemmas):
            # Both words on both sides is a contrast inside each claim, not between them.
            if other in a.lemmas or word in b.lemmas:
                continue
            j = b.sequence.index(other)
            about = a.near(i, ANTONYM_SCOPE) & b.near(j, ANTONYM_SCOPE) & shared
            if about:
                found.append((word, other, about))
    return found


def _negated_scope(a: Features, b: Features, shared: frozenset[str], similarity: float):
    """(side, cue, shared words in its scope) when exactly one claim is negated
    and the negation governs words the other claim also says."""
    if bool(a.negations) == bool(b.negations) or len(shared) < MIN_SHARED:
        return None
    side, negated = ("A", a) if a.negations else ("B", b)
    for position in negated.negations:
        about = negated.scope(position) & shared
        if len(about) >= 2 or (about and similarity >= SINGLE_WORD_SIMILARITY):
            return side, negated.sequence[position], about
    return None


def _shared(keys: frozenset[str], shown: dict, limit: int = 4) -> str:
    return ", ".join(sorted(shown[k] for k in keys)[:limit])


def judge(text_a: str, text_b: str, similarity: float) -> Verdict:
    a, b = features(text_a), features(text_b)
    shared = a.content & b.content
    opposed = _opposed(a, b, shared) if len(shared) >= MIN_SHARED else []
    if opposed:
        word, other, about = opposed[0]
        return Verdict(
            "conflict",
            round(min(1.0, 0.6 + similarity / 2), 3),
            f"opposing: '{word}' in A vs '{other}' in B, about {_shared(about, a.shown)}",
        )
    negated = _negated_scope(a, b, shared, similarity) if similarity >= NEGATION_SIMILARITY else None
    if negated:
        side, cue, about = negated
        return Verdict(
            "conflict",
            round(min(1.0, 0.4 + similarity / 2), 3),
            f"negation: '{cue}' only in {side}, about {_shared(about, (a if side == 'A' else b).shown)}",
        )
    if a.percents and b.percents and not (a.percents & b.percents) and len(shared) >= MIN_SHARED:
        fmt = lambda values: "/".join(f"{v:g} %" for v in sorted(values))  # noqa: E731
        return Verdict(
            "conflict",
            round(min(1.0, 0.4 + similarity / 2), 3),
            f"numbers differ: {fmt(a.percents)} vs {fmt(b.percents)}, about {_shared(shared, a.shown)}",
        )
    if similarity >= AGREE_SIMILARITY:
        return Verdict("agree", round(similarity, 3), f"similar ({similarity:.2f}), same polarity")
    return Verdict("related", round(similarity, 3), f"similar ({similarity:.2f})")


def judge_pairs(pairs: list[tuple[str, str, float]]) -> list[Verdict]:
    """Judge many ``(text_a, text_b, similarity)`` pairs; features are cached per text."""
    return [judge(a, b, sim) for a, b, sim in pairs]
