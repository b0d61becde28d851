"""Points: the contested points of a story, proposed from its conflicts.

A reader opening a story wants the points the sources disagree on, as
questions each source answers (after the "discord questions" of Laban et al.
2022, found here from the judged conflicts instead of generated). Each
conflict is two claims that cannot both be true; the point they dispute is the
proposition one of them asserts, the one without a negation (the other denies
it). Conflicts whose propositions say the same thing (close in meaning and
sharing content words), or that share a claim, are one point. Each point is
stored in ``questions`` with ``origin = 'auto'`` and its story, and every
relevant claim of the story is answered toward it, as the questions a user
asks are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..text import lexicon
from .scales import Scale

# Two conflicts are about one point when their propositions are ``Scale.same_point`` close.
MAX_POINTS = 8  # per story, strongest conflicts first: a page a reader can take in


@dataclass(frozen=True)
class Conflict:
    claim_a: int
    claim_b: int
    content_a: str
    content_b: str
    score: float


def asserting_side(conflict: Conflict) -> int:
    """Which claim states what the two dispute (its id): the one that does not
    negate (the other denies it); of two such, the shorter, the point stated plainly."""
    sides = [(conflict.claim_a, conflict.content_a), (conflict.claim_b, conflict.content_b)]
    plain = [side for side in sides if not lexicon.negations(side[1])]
    return min(plain or sides, key=lambda side: len(side[1]))[0]


def proposition_of(conflict: Conflict) -> str:
    """What the two claims dispute, as a statement (``asserting_side``)."""
    # The claim's content as it is: its stored vector is the proposition's.
    return conflict.content_a if asserting_side(conflict) == conflict.claim_a else conflict.content_b


def question_for(statement: str) -> str:
    """The point as a yes/no question a reader can answer per source."""
    return f"Stimmt es: {statement.strip().rstrip('.!?:;,')}?"


def group(conflicts: list[Conflict], vectors: np.ndarray, same_point: float = Scale.same_point) -> list[list[int]]:
    """Conflicts (indices) about one point: their propositions' vectors
    (unit length, row k for conflict k) are ``same_point`` close, or they
    share a claim; strongest conflict first in each, strongest points first."""
    n = len(conflicts)
    parent = list(range(n))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    alike = vectors @ vectors.T if n else np.zeros((0, 0))
    for i in range(n):
        for j in range(i + 1, n):
            shared_claim = {conflicts[i].claim_a, conflicts[i].claim_b} & {conflicts[j].claim_a, conflicts[j].claim_b}
            if shared_claim or alike[i, j] >= same_point:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for k in sorted(range(n), key=lambda k: -conflicts[k].score):
        groups.setdefault(find(k), []).append(k)
    return sorted(groups.values(), key=lambda g: -conflicts[g[0]].score)[:MAX_POINTS]


def propose(conflicts: list[Conflict], vector_of: dict[int, np.ndarray], scale: Scale = Scale()) -> list[tuple[str, list[Conflict]]]:
    """The points of one story's conflicts: (proposition, its conflicts),
    strongest first. ``vector_of``: claim id -> its stored embedding (the
    proposition is a claim's content: nothing is embedded again); ``scale``:
    the model's cut-offs."""
    if not conflicts:
        return []
    statements = [proposition_of(c) for c in conflicts]
    vectors = np.vstack([vector_of[asserting_side(c)] for c in conflicts]).astype(np.float32)
    points = []
    for members in group(conflicts, vectors, scale.same_point):
        points.append((statements[members[0]], [conflicts[k] for k in members]))
    return points
