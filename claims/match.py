"""Match: pairs of claims that talk about the same thing.

A pair is every two claims whose cosine similarity reaches the threshold, from
different articles, or from one article when different speakers say them. The
rule depends on the two claims only, so matching new claims against a built db
gives the same pairs as matching everything from scratch. Similarities come from
blocked matrix products; a vector index can replace ``neighbours`` later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_THRESHOLD = 0.45
BLOCK = 2048


@dataclass(frozen=True)
class ClaimRef:
    id: int
    article_id: int
    speaker: str | None


def _voice(speaker: str | None) -> str:
    return (speaker or "").strip().lower()


def neighbours(queries: np.ndarray, corpus: np.ndarray, threshold: float):
    """(query row, corpus row, similarity) for every product >= threshold."""
    for lo in range(0, len(queries), BLOCK):
        sims = queries[lo : lo + BLOCK] @ corpus.T
        rows, cols = np.nonzero(sims >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist()):
            yield lo + r, c, float(sims[r, c])


def match(
    new: list[ClaimRef],
    new_vectors: np.ndarray,
    corpus: list[ClaimRef],
    corpus_vectors: np.ndarray,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[tuple[int, int, float]]:
    """Pairs ``(claim_a, claim_b, similarity)`` with ``claim_a < claim_b`` that
    involve at least one claim of ``new``; ``corpus`` may include ``new``."""
    pairs: dict[tuple[int, int], float] = {}
    if not new or not corpus:
        return []
    for q, c, sim in neighbours(new_vectors, corpus_vectors, threshold):
        a, b = new[q], corpus[c]
        if a.id == b.id:
            continue
        if a.article_id == b.article_id and _voice(a.speaker) == _voice(b.speaker):
            continue
        key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        pairs[key] = sim
    return sorted((a, b, sim) for (a, b), sim in pairs.items())
