"""Match: pairs of claims that could be about the same thing, within a story.

Claims are compared only with the claims of their own story (``stories.py``):
the articles that report on one event. Within a story, matching is for recall:
the judge, not a threshold, decides what is merely related. A pair is two
claims that

- are among each other's ``NEIGHBOURS_IN_STORY`` nearest claims by embedding
  (of their content, the proposition without its reporting frame), with a
  cosine of at least ``scale.nearest``; or
- share terms (weighted by rarity, ``overlap``) and score
  ``similarity + LEXICAL_WEIGHT * overlap >= scale.match``, with a cosine of at
  least ``scale.shared_terms``; frequent terms weigh little, but they count: on a
  story about Kellogg, "Kellogg" is what the contested claims share; or
- reach ``scale.semantic`` (a paraphrase, a translation),

the cut-offs on the embedding model's cosines (``scales.py``),

from different articles, or from one article when different speakers say them.
The rule depends on the story's claims and the vocabulary only, so matching
new claims against a built db finds every pair matching everything would (an
older claim whose nearest claims now include a new one is matched with it);
two older claims that were each other's nearest stay a pair.

Up to ``EXACT_MAX`` claims a story's pairs are all scored with blocked matrix
products. Beyond, each claim is scored against its ``NEIGHBOURS`` nearest claims
from a faiss HNSW index: on 22k news claims it was the fastest index that grows
less than quadratically (usearch built slower here; sqlite-vec scans every vector).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np
from scipy import sparse

from ..text.terms import Vocabulary
from .scales import Scale

LEXICAL_WEIGHT = 0.5
NEIGHBOURS_IN_STORY = 8
ROUND = 4  # decimals of the cosines that rank a claim's nearest (and are stored)
BLOCK = 512
# Up to EXACT_MAX claims in a story every pair is scored (exact, and fast
# enough); beyond, each claim is scored against its NEIGHBOURS nearest claims
# from an HNSW index, so matching grows as n log n instead of n².
EXACT_MAX = 5000
NEIGHBOURS = 50


@dataclass(frozen=True)
class ClaimRef:
    id: int
    article_id: int
    speaker: str | None
    terms: frozenset[str] = frozenset()  # content terms, see features.of
    story: int | None = None  # articles.story_id: claims meet the claims of their story only
    rank: int | None = None  # where the claim comes in an order of its own (Store.claim_order); default its id


class Match(NamedTuple):
    a: int
    b: int
    similarity: float  # cosine of the embeddings
    overlap: float  # cosine of the claims' terms, weighted by rarity (``terms.key_rarity``)


def score(similarity, overlap):
    """How strongly two claims are about one thing: their cosine plus
    ``LEXICAL_WEIGHT`` times the overlap of their terms (numbers or arrays).
    Matching, topics and questions rank by it."""
    return similarity + LEXICAL_WEIGHT * overlap


def _voice(speaker: str | None) -> str:
    return (speaker or "").strip().lower()


def term_matrix(refs: list[ClaimRef], vocabulary: Vocabulary, presence: sparse.csr_matrix | None = None) -> sparse.csr_matrix:
    """Rows of weights of each claim's terms, unit length; one column per
    term of ``vocabulary``. A term weighs how rare its word is in the
    language (``terms.key_rarity``) times its idf among the claims of the
    claim's story (``ClaimRef.story``; claims of no story: 1): a word most of a
    story's claims name (its subject, "Ukraine" in a story on Ukraine) says
    little about two of them. Both depend on nothing outside the story, so an
    article added to one story changes no weight in another.
    ``presence``: ``vocabulary.presence`` of the claims' terms, if made already."""
    presence = vocabulary.presence([ref.terms for ref in refs]) if presence is None else presence
    if not len(vocabulary.columns):
        return sparse.csr_matrix(presence.shape, dtype=np.float32)
    weighted = presence.multiply(vocabulary.weights[None, :]).tocsr()
    stories = np.array([-1 if ref.story is None else ref.story for ref in refs])
    if (stories >= 0).any():
        rows = []
        order = np.argsort(stories, kind="stable")
        bounds = np.flatnonzero(np.diff(stories[order])) + 1
        for members in np.split(order, bounds):
            part = weighted[members]
            if stories[members[0]] >= 0:
                df = np.bincount(presence[members].indices, minlength=presence.shape[1])
                part = part.multiply((np.log((len(members) + 1) / (df + 1.0)) + 1)[None, :]).tocsr()
            rows.append((members, part))
        weighted = sparse.vstack([part for _, part in rows]).tocsr()[np.argsort(np.concatenate([m for m, _ in rows]), kind="stable")]
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    return (sparse.diags(1 / np.where(norms > 0, norms, 1.0)) @ weighted).astype(np.float32).tocsr()


def _admitted(sims: np.ndarray, overlap: np.ndarray, scale: Scale, nearest: np.ndarray | None = None) -> np.ndarray:
    """The matching rule (see the module docstring), elementwise."""
    hybrid = (overlap > 0) & (sims >= scale.shared_terms) & (score(sims, overlap) >= scale.match)
    admitted = hybrid | (sims >= scale.semantic)
    if nearest is not None:
        admitted |= nearest & (sims >= scale.nearest)
    return admitted


def _apart(articles: np.ndarray, voices: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Whether two claims may pair: other articles, or other speakers in one."""
    return (articles[rows] != articles[cols]) | (voices[rows] != voices[cols])


@dataclass
class _Story:
    """One story's claims, rows in rank order, as the pair searches read them."""

    vectors: np.ndarray
    terms: sparse.csr_matrix | None  # claims x terms, weighted; None: no terms shared
    articles: np.ndarray
    voices: np.ndarray
    is_new: np.ndarray


def _story_pairs(story: _Story, scale: Scale, k: int):
    """(row, row, similarity, overlap) for each pair of one story's claims the
    rule admits, at least one of them new; exact."""
    vectors, terms, articles, voices, is_new = story.vectors, story.terms, story.articles, story.voices, story.is_new
    n = len(vectors)
    found = []
    for lo in range(0, n, BLOCK):
        hi = min(n, lo + BLOCK)
        sims = vectors[lo:hi] @ vectors.T
        rows = np.arange(lo, hi)[:, None]
        cols = np.arange(n)[None, :]
        allowed = (rows != cols) & _apart(articles, voices, rows, cols)
        masked = np.where(allowed, sims, -np.inf)
        nearest = np.zeros_like(allowed)
        if k and n > 1:
            kk = min(k, n - 1)
            # Rounded, ties to the earlier claim: a claim repeated word for word
            # (its vectors a hair apart when encoded in another batch) must not
            # change which claims are nearest from one build to the next.
            top = np.argsort(-np.round(masked, ROUND), axis=1, kind="stable")[:, :kk]
            np.put_along_axis(nearest, top, True, axis=1)
            nearest &= allowed
        overlap = (terms[lo:hi] @ terms.T).toarray() if terms is not None else np.zeros_like(sims)
        ok = allowed & _admitted(sims, overlap, scale, nearest) & (is_new[lo:hi, None] | is_new[None, :])
        r, c = np.nonzero(ok)
        found.append((r + lo, c, sims[r, c], overlap[r, c]))
    return found


def _story_pairs_indexed(story: _Story, scale: Scale, k: int):
    """Like ``_story_pairs``, among each claim's ``NEIGHBOURS`` nearest by an
    HNSW index (faiss): pairs beyond a claim's nearest are not seen."""
    import faiss

    vectors, terms, articles, voices, is_new = story.vectors, story.terms, story.articles, story.voices, story.is_new
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efSearch = 2 * NEIGHBOURS
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    sims, cols = index.search(np.ascontiguousarray(vectors, dtype=np.float32), min(NEIGHBOURS, len(vectors)))
    rows = np.repeat(np.arange(len(vectors)), cols.shape[1])
    cols, sims = cols.ravel(), sims.ravel()
    keep = (cols >= 0) & (cols != rows)
    rows, cols, sims = rows[keep], cols[keep], sims[keep]
    keep = _apart(articles, voices, rows, cols)
    rows, cols, sims = rows[keep], cols[keep], sims[keep]
    # Nearest first, ties to the earlier claim (see _story_pairs): the first k
    # allowed of each row are its nearest.
    order = np.lexsort((cols, -np.round(sims, ROUND), rows))
    rows, cols, sims = rows[order], cols[order], sims[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    nearest = rank < k
    if terms is not None:
        # Row-wise dot products of the candidate pairs' term vectors.
        overlap = np.asarray(terms[rows].multiply(terms[cols]).sum(axis=1)).ravel()
    else:
        overlap = np.zeros_like(sims)
    ok = _admitted(sims, overlap, scale, nearest) & (is_new[rows] | is_new[cols])
    return [(rows[ok], cols[ok], sims[ok], overlap[ok])]


@dataclass(frozen=True)
class MatchOptions:
    """The keywords of ``match`` besides the claims and the scale."""

    vocabulary: Vocabulary | None = None  # without one no terms are shared
    corpus_terms: sparse.csr_matrix | None = None  # ``term_matrix(corpus, vocabulary)``, if known
    neighbours_in_story: int = NEIGHBOURS_IN_STORY


def match(
    new: list[ClaimRef],
    new_vectors: np.ndarray,
    corpus: list[ClaimRef],
    corpus_vectors: np.ndarray,
    scale: Scale | None = None,
    **options,
) -> list[Match]:
    """Pairs, ``a`` the claim of lower rank (``ClaimRef.rank``), within a story that involve at least one claim of
    ``new``; ``corpus`` may include ``new``. ``scale``: the model's cut-offs
    (default: USE's). ``options``: ``MatchOptions``' fields (``vocabulary``,
    ``corpus_terms``, ``neighbours_in_story``)."""
    unknown = sorted(set(options) - {f.name for f in fields(MatchOptions)})
    if unknown:
        raise TypeError(f"match() got an unexpected keyword argument {unknown[0]!r}")
    given = MatchOptions(**options)
    vocabulary, corpus_terms, neighbours_in_story = given.vocabulary, given.corpus_terms, given.neighbours_in_story
    scale = scale or Scale()
    if not new or not corpus:
        return []
    row = {ref.id: k for k, ref in enumerate(corpus)}
    missing = [k for k, ref in enumerate(new) if ref.id not in row]
    if missing:
        corpus = corpus + [new[k] for k in missing]
        corpus_vectors = np.vstack([corpus_vectors, new_vectors[missing]])
        corpus_terms = None
    if vocabulary is not None and corpus_terms is None:
        corpus_terms = term_matrix(corpus, vocabulary)
    new_ids = {ref.id for ref in new}
    voice_ids: dict[str, int] = {}
    voices = np.array([voice_ids.setdefault(_voice(ref.speaker), len(voice_ids)) for ref in corpus])
    articles = np.array([ref.article_id for ref in corpus])
    by_story: dict[object, list[int]] = {}
    for k, ref in enumerate(corpus):
        by_story.setdefault(ref.story, []).append(k)
    new_stories = {ref.story for ref in new}
    pairs: dict[tuple[int, int], Match] = {}
    for story, members in by_story.items():
        if story not in new_stories or len(members) < 2:
            continue
        # In rank order (article path and position), not load order (ids):
        # ties for a claim's nearest go to the earlier claim by rank, and the
        # matrix products see the same rows in the same places, so the pairs
        # do not depend on which build stored which article.
        members = np.array(sorted(members, key=lambda k: _rank(corpus[k])))
        is_new = np.array([corpus[k].id in new_ids for k in members])
        search = _story_pairs if len(members) <= EXACT_MAX else _story_pairs_indexed
        found = search(_Story(
            corpus_vectors[members], corpus_terms[members] if corpus_terms is not None else None,
            articles[members], voices[members], is_new,
        ), scale, neighbours_in_story)
        for rows, cols, sims, overlaps in found:
            for r, c, sim, overlap in zip(rows.tolist(), cols.tolist(), sims.tolist(), overlaps.tolist()):
                ref_a, ref_b = corpus[members[r]], corpus[members[c]]
                # A pair's first claim is the one that comes first by rank (by
                # article path where builds give it), not by id: which claim is
                # A, whom a reason names first, does not depend on which build
                # stored which article.
                if _rank(ref_b) < _rank(ref_a):
                    ref_a, ref_b = ref_b, ref_a
                key = (ref_a.id, ref_b.id)
                if key not in pairs:
                    pairs[key] = Match(*key, round(sim, ROUND), round(overlap, 4))
    return sorted(pairs.values())


def _rank(ref: ClaimRef) -> tuple[int, int]:
    return (ref.id if ref.rank is None else ref.rank, ref.id)
