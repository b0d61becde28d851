"""Match: pairs of claims that talk about the same thing.

Matching is hybrid. Embeddings find paraphrases that share no word, but on one
story they also rate any two claims about the war as close; shared terms
(``terms.py``: "Kellogg", "Rolle", "Tisch" in "Verhandlungstisch") find claims
about the same thing that a multilingual model scores low. So a pair is two
claims that

- share specific terms (weighted by rarity, ``overlap``) and score
  ``similarity + LEXICAL_WEIGHT * overlap >= threshold``, with a cosine of at
  least ``MIN_SIMILARITY``; or
- share none but reach ``semantic_threshold`` (a paraphrase, a translation),

from different articles, or from one article when different speakers say them.
The rule depends on the two claims and the vocabulary only, so matching new
claims against a built db gives the pairs matching everything would.

Up to ``EXACT_MAX``² new × stored claims every pair is scored with blocked
matrix products (so adding a few articles to a large db stays exact and cheap).
Beyond, each claim is scored against its ``NEIGHBOURS`` nearest claims from a
faiss HNSW index: on 22k news claims it was the fastest index that grows less
than quadratically (usearch built slower here; sqlite-vec scans every vector).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import sparse

from .terms import Vocabulary

DEFAULT_THRESHOLD = 0.45
SEMANTIC_THRESHOLD = 0.6
LEXICAL_WEIGHT = 0.5
MIN_SIMILARITY = 0.25
BLOCK = 512
# Up to EXACT_MAX² products (new claims × corpus) every pair is scored (exact,
# and fast enough); beyond, each claim is scored against its NEIGHBOURS nearest
# claims from an HNSW index, so matching grows as n log n instead of n².
EXACT_MAX = 5000
NEIGHBOURS = 50


@dataclass(frozen=True)
class ClaimRef:
    id: int
    article_id: int
    speaker: str | None
    terms: frozenset[str] = frozenset()  # content terms, see signals.features


class Match(NamedTuple):
    a: int
    b: int
    similarity: float  # cosine of the embeddings
    overlap: float  # cosine of the claims' specific terms, weighted by idf


def _voice(speaker: str | None) -> str:
    return (speaker or "").strip().lower()


def term_matrix(refs: list[ClaimRef], vocabulary: Vocabulary) -> sparse.csr_matrix:
    """Rows of idf weights of each claim's specific terms, unit length; one
    column per term of ``vocabulary``."""
    columns, background = vocabulary.columns, vocabulary.background
    rows, cols = [], []
    for row, ref in enumerate(refs):
        found = [columns[t] for t in ref.terms if t in columns and t not in background]
        rows += [row] * len(found)
        cols += found
    values = vocabulary.idfs[cols] if cols else np.zeros(0)
    norms = np.sqrt(np.bincount(np.asarray(rows, dtype=np.int64), weights=values**2, minlength=len(refs)))
    values = values / np.where(norms > 0, norms, 1.0)[np.asarray(rows, dtype=np.int64)]
    return sparse.csr_matrix((values, (rows, cols)), shape=(len(refs), max(1, len(columns))), dtype=np.float32)


def _admitted(sims: np.ndarray, overlap: np.ndarray, threshold: float, semantic_threshold: float) -> np.ndarray:
    """The matching rule (see the module docstring), elementwise."""
    hybrid = (overlap > 0) & (sims >= MIN_SIMILARITY) & (sims + LEXICAL_WEIGHT * overlap >= threshold)
    return hybrid | (sims >= semantic_threshold)


def neighbours(
    queries: np.ndarray,
    corpus: np.ndarray,
    threshold: float,
    semantic_threshold: float,
    query_terms: sparse.csr_matrix | None = None,
    corpus_terms: sparse.csr_matrix | None = None,
):
    """(query row, corpus row, similarity, overlap) for every pair the rule admits."""
    for lo in range(0, len(queries), BLOCK):
        sims = queries[lo : lo + BLOCK] @ corpus.T
        if query_terms is not None:
            overlap = (query_terms[lo : lo + BLOCK] @ corpus_terms.T).toarray()
        else:
            overlap = np.zeros_like(sims)
        rows, cols = np.nonzero(_admitted(sims, overlap, threshold, semantic_threshold))
        for r, c in zip(rows.tolist(), cols.tolist()):
            yield lo + r, c, float(sims[r, c]), float(overlap[r, c])


def nearest(
    queries: np.ndarray,
    corpus: np.ndarray,
    threshold: float,
    semantic_threshold: float,
    query_terms: sparse.csr_matrix | None = None,
    corpus_terms: sparse.csr_matrix | None = None,
    k: int = NEIGHBOURS,
):
    """Like ``neighbours``, among each query's ``k`` nearest corpus rows by an
    HNSW index (faiss): pairs beyond a claim's k nearest are not seen."""
    import faiss

    faiss.omp_set_num_threads(os.cpu_count() or 1)
    index = faiss.IndexHNSWFlat(corpus.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efSearch = 2 * k
    index.add(np.ascontiguousarray(corpus, dtype=np.float32))
    sims, cols = index.search(np.ascontiguousarray(queries, dtype=np.float32), min(k, len(corpus)))
    rows = np.repeat(np.arange(len(queries)), cols.shape[1])
    cols, sims = cols.ravel(), sims.ravel()
    keep = cols >= 0
    rows, cols, sims = rows[keep], cols[keep], sims[keep]
    if query_terms is not None:
        # Row-wise dot products of the candidate pairs' term vectors.
        overlap = np.asarray(query_terms[rows].multiply(corpus_terms[cols]).sum(axis=1)).ravel()
    else:
        overlap = np.zeros_like(sims)
    for i in np.nonzero(_admitted(sims, overlap, threshold, semantic_threshold))[0].tolist():
        yield int(rows[i]), int(cols[i]), float(sims[i]), float(overlap[i])


def match(
    new: list[ClaimRef],
    new_vectors: np.ndarray,
    corpus: list[ClaimRef],
    corpus_vectors: np.ndarray,
    threshold: float = DEFAULT_THRESHOLD,
    vocabulary: Vocabulary | None = None,
    semantic_threshold: float = SEMANTIC_THRESHOLD,
) -> list[Match]:
    """Pairs with ``a < b`` that involve at least one claim of ``new``;
    ``corpus`` may include ``new``. Without a ``vocabulary`` no terms are
    shared and only ``semantic_threshold`` matches."""
    pairs: dict[tuple[int, int], Match] = {}
    if not new or not corpus:
        return []
    query_terms = corpus_terms = None
    if vocabulary is not None:
        corpus_terms = term_matrix(corpus, vocabulary)
        # A build matches its new claims against all claims, them included:
        # their rows are in the corpus matrix already (a row depends on its claim only).
        row = {ref.id: k for k, ref in enumerate(corpus)}
        if all(ref.id in row for ref in new):
            query_terms = corpus_terms[[row[ref.id] for ref in new]]
        else:
            query_terms = term_matrix(new, vocabulary)
    search = neighbours if len(new) * len(corpus) <= EXACT_MAX**2 else nearest
    for q, c, sim, overlap in search(new_vectors, corpus_vectors, threshold, semantic_threshold, query_terms, corpus_terms):
        a, b = new[q], corpus[c]
        if a.id == b.id:
            continue
        if a.article_id == b.article_id and _voice(a.speaker) == _voice(b.speaker):
            continue
        key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        pairs[key] = Match(*key, round(sim, 4), round(overlap, 4))
    return sorted(pairs.values())
