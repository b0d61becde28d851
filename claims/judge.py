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
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon

AGREE_SIMILARITY = 0.75
NEGATION_SIMILARITY = 0.45
MIN_LEMMA_LENGTH = 3
MIN_SHARED = 2  # content lemmas two claims must share before a conflict is possible
SCOPE = 6  # tokens either side of a negation or an opposing word
PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|Prozent\b|percent\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    relation: str  # agree | conflict | related
    score: float
    reason: str


@dataclass(frozen=True)
class Features:
    sequence: tuple[str, ...]  # lemmas in text order
    lemmas: frozenset[str]
    content: frozenset[str]
    negations: tuple[int, ...]  # positions in ``sequence``
    percents: frozenset[float]

    clauses: tuple[int, ...]  # clause number of each token

    def near(self, position: int) -> frozenset[str]:
        """Content lemmas within the scope window around ``position``."""
        window = self.sequence[max(0, position - SCOPE) : position + SCOPE + 1]
        return frozenset(window) & self.content

    def scope(self, position: int) -> frozenset[str]:
        """Content lemmas in the clause of ``position``, within the window."""
        clause = self.clauses[position]
        lo, hi = max(0, position - SCOPE), position + SCOPE + 1
        return frozenset(
            lemma for lemma, c in zip(self.sequence[lo:hi], self.clauses[lo:hi]) if c == clause
        ) & self.content


@lru_cache(maxsize=100_000)
def features(text: str) -> Features:
    tokens, clauses = lexicon.clauses(text)
    sequence = tuple(lexicon.lemma(w) for w in tokens)
    lemmas = frozenset(sequence)
    stop = lexicon.stopwords()
    content = frozenset(l for l in lemmas if len(l) >= MIN_LEMMA_LENGTH and l not in stop and not l.isdigit())
    negations = tuple(lexicon.negation_positions(tokens))
    percents = frozenset(float(m.group(1).replace(",", ".")) for m in PERCENT.finditer(text))
    return Features(sequence, lemmas, content, negations, percents, tuple(clauses))


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
            about = a.near(i) & b.near(j) & shared
            if about:
                found.append((word, other, about))
    return found


def _negated_scope(a: Features, b: Features, shared: frozenset[str]):
    """(side, cue, shared words in its scope) when exactly one claim is negated
    and the negation governs words the other claim also says."""
    if bool(a.negations) == bool(b.negations) or len(shared) < MIN_SHARED:
        return None
    side, negated = ("A", a) if a.negations else ("B", b)
    for position in negated.negations:
        about = negated.scope(position) & shared
        if about:
            return side, negated.sequence[position], about
    return None


def _shared(words: frozenset[str], limit: int = 4) -> str:
    return ", ".join(sorted(words)[:limit])


def judge(text_a: str, text_b: str, similarity: float) -> Verdict:
    a, b = features(text_a), features(text_b)
    shared = a.content & b.content
    opposed = _opposed(a, b, shared) if len(shared) >= MIN_SHARED else []
    if opposed:
        word, other, about = opposed[0]
        return Verdict(
            "conflict",
            round(min(1.0, 0.6 + similarity / 2), 3),
            f"opposing: '{word}' in A vs '{other}' in B, about {_shared(about)}",
        )
    negated = _negated_scope(a, b, shared) if similarity >= NEGATION_SIMILARITY else None
    if negated:
        side, cue, about = negated
        return Verdict(
            "conflict",
            round(min(1.0, 0.4 + similarity / 2), 3),
            f"negation: '{cue}' only in {side}, about {_shared(about)}",
        )
    if a.percents and b.percents and not (a.percents & b.percents) and len(shared) >= 2:
        fmt = lambda values: "/".join(f"{v:g} %" for v in sorted(values))  # noqa: E731
        return Verdict(
            "conflict",
            round(min(1.0, 0.4 + similarity / 2), 3),
            f"numbers differ: {fmt(a.percents)} vs {fmt(b.percents)}; shared: {_shared(shared)}",
        )
    if similarity >= AGREE_SIMILARITY:
        return Verdict("agree", round(similarity, 3), f"similar ({similarity:.2f}), same polarity")
    return Verdict("related", round(similarity, 3), f"similar ({similarity:.2f})")


def judge_pairs(pairs: list[tuple[str, str, float]]) -> list[Verdict]:
    """Judge many ``(text_a, text_b, similarity)`` pairs; features are cached per text."""
    return [judge(a, b, sim) for a, b, sim in pairs]
