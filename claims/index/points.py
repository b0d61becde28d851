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


def gather(contents: list[str], vectors: np.ndarray, voices: list[tuple], ranks: list[int], same_point: float = Scale.same_point) -> list[tuple[int, list[int]]]:
    """Points found from what sources say: groups of one story's claims
    (rows) close in meaning (``same_point``) that at least two voices (two
    outlets, or two named speakers) say, each as (the row of its plainest
    claim, its rows), said by most voices first. The plainest claim states
    the point: without a negation, then the shortest (what a claim asserts is
    already without its reporting frame and speaker). ``ranks``: each row's
    place by article path and position, for ties (not by id: which claim
    states a point does not depend on which build stored it)."""
    n = len(contents)
    if n < 2:
        return []
    # The product in rank order: float rounding then does not depend on which
    # build stored which claim first (as ``match.py`` computes its neighbours).
    ranked = sorted(range(n), key=lambda i: ranks[i])
    alike = np.empty((n, n), dtype=np.float32)
    alike[np.ix_(ranked, ranked)] = vectors[ranked] @ vectors[ranked].T
    near = [[j for j in np.nonzero(alike[i] >= same_point)[0].tolist()] for i in range(n)]
    heard = [heard_by([voices[j] for j in near[i]]) for i in range(n)]
    taken: set[int] = set()
    found = []
    for i in sorted(range(n), key=lambda i: (-heard[i], ranks[i])):
        members = sorted((j for j in near[i] if j not in taken), key=lambda j: ranks[j])
        if i in taken or heard_by([voices[j] for j in members]) < 2:
            continue
        taken.update(members)
        plain = min(members, key=lambda j: (bool(lexicon.negations(contents[j])), len(contents[j]), ranks[j]))
        found.append((heard_by([voices[j] for j in members]), plain, members))
    found.sort(key=lambda g: (-g[0], ranks[g[1]]))
    return [(plain, members) for _, plain, members in found]


def heard_by(voices: list[tuple[str, str]]) -> int:
    """How many voices of (source, speaker) say something: the outlets, or
    within one outlet its named speakers (its own voice and one quoted
    speaker are not two)."""
    sources = {source for source, _ in voices}
    if len(sources) > 1:
        return len(sources)
    return len({speaker for _, speaker in voices if speaker})
