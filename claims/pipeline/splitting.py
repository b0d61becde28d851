"""Splitting and embedding: new articles into stored claims with their vectors.

The runner (``local.Local``, or ``cluster.Cluster`` on Ray) splits each
article (``split_article``) and embeds its claims; each article is then
written with its claims and vectors in one transaction, so an interrupted
build leaves whole articles or none, and the next build skips them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..index import embed
from ..inputs import ingest
from ..text import features, terms
from ..text.split import split
from .context import Build


@dataclass
class Split:
    """One article split into claims, ready to be stored."""

    article: ingest.Article
    replaces: int | None  # id of the stored version it replaces
    language: str | None
    claims: list
    skipped: list
    rarities: dict[str, float]  # how rare each content term's word is in the language


def split_article(article: ingest.Article):
    """Language, claims, skipped sentences, the features the judge reads of
    each claim, and how rare each content term is in the language. The claims'
    content terms are stored, so that matching later claims need not
    lemmatise these again."""
    language = detect_language(article.text)
    claims, skipped = split(article.text, article.title, language)
    # What a claim asserts, without its reporting frame, is what is matched and judged.
    found = [features.of(claim.content) for claim in claims]
    rarities: dict[str, float] = {}
    for claim, f in zip(claims, found):
        claim.terms = " ".join(sorted(f.content))
        for key, lemma in f.shown.items():
            rarities.setdefault(key, terms.rarity(lemma))
    return language, claims, skipped, found, rarities


def detect_language(text: str) -> str | None:
    import py3langid

    language, _ = py3langid.classify(text[:5000])
    return language


def add(build: Build, todo: list[tuple[ingest.Article, int | None]], story: str | None = None) -> None:
    """Split, embed and store ``todo`` (article, id of the version it
    replaces), as the runner hands each article back; ``story``: the story
    of those that name none."""
    for split_, vectors in build.runner.split_and_embed(build, todo, story):
        if not split_.claims:
            build.told(ingest.Problem(split_.article.path, "no claims found in the text", "warning"))
        with build.timed("write"):
            store(build, split_, vectors)


def store(build: Build, split_: Split, vectors) -> None:
    """One article with its claims and their vectors, in one transaction."""
    with build.store.atomic():
        if split_.replaces is not None:
            build.store.remove_article(split_.replaces)
            build.result.replaced += 1
        else:
            build.result.new += 1
        build.store.add_article(split_, vectors if split_.claims else None, build.settings.model)


def encode_once(build: Build, texts: list[str]) -> np.ndarray:
    """Vectors of ``texts``, each distinct text encoded once, and a text stored
    before taking its stored vector (as llm's collections de-duplicate by
    content). A claim repeated word for word then has one vector, not two a
    hair apart from being encoded in other batches: which claims are nearest
    to which does not depend on what was encoded with them."""
    store, model_name = build.store, build.settings.model
    stored = store.stored_vectors(model_name, texts) if store.db["claims"].count else {}
    distinct = list(dict.fromkeys(t for t in texts if t not in stored))
    fresh = dict(zip(distinct, embed.encode(build.encoder(), distinct, progress=build.progress))) if distinct else {}
    rows = [fresh[t] if t in fresh else stored[t] for t in texts]
    return np.vstack(rows).astype(np.float32, copy=False)


def embed_missing(build: Build) -> None:
    """Vectors of the settings' model for the claims without one (after a change of model)."""
    rows = build.store.unembedded(build.settings.model)
    if rows:
        vectors = encode_once(build, [text for _, text in rows])
        build.store.add_embeddings([claim_id for claim_id, _ in rows], vectors, build.settings.model)
