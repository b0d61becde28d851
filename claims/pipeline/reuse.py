"""Reuse: what a build keeps of the build before, where it can tell that a
fresh build would make the same.

What is derived from the stored claims is derived from all of them
(``derive.py``), because a term's weight (its idf over every claim) changes
with every article added. Adding ten articles to GNAD's thousand so judged
all 27,000 pairs and proposed the points of all 900 stories again, though
nearly all come out as they were. Two things are kept instead, each only
while everything it is made of is unchanged:

- **A pair's verdict**, when its judge says that its verdicts depend on the
  pair alone (``pair_only``, the built-in signals judge without an NLI
  model), the judge, the settings and the code are those that judged it
  (``judged_with``, kept in ``config`` with the pairs), the pair's texts,
  speakers and cosine are the same, and its shared terms come in the same
  order of rarity: that order is all a verdict reads of the rest of the corpus
  (``signals.shown_shared``).
- **A story's proposed points**, when a digest of all they are made of (the
  story's conflicts, its claims' ids, texts, terms, speakers, vectors and
  order, the settings and the code) is the one stored with them
  (``point_marks``). A story whose answers a model judge left unjudged gets
  no digest, so the next build proposes its points again.

Both checks are exact, so a build that keeps them ends where a fresh build
ends (the state machine in ``tests/test_incremental.py`` holds it to that).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..judging import registry, signals
from ..text import features
from .context import Build


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The package's code and data files: a verdict or point made by other
    code (a new release, an edited rule) is made again."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".txt", ".tsv", ".json")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def judged_with(build: Build) -> str:
    """What every stored verdict of this build depends on besides its pair."""
    key = build.settings.key(build.judge.name)
    return hashlib.blake2b(json.dumps([key, features.version(), code_digest()], sort_keys=True).encode(), digest_size=16).hexdigest()


def kept_verdicts(build: Build, pairs, refs, contents, vocabulary) -> list[registry.Verdict | None]:
    """The stored verdict of each of ``pairs`` (``match.Match``, their claims'
    ``refs`` and ``contents`` in one order) that a fresh build's judge would
    give again, None for the rest."""
    if not pairs or not getattr(build.judge, "pair_only", False) or build.store.config().get("judged_with") != judged_with(build):
        return [None] * len(pairs)
    stored = build.store.judged_pairs(build.stories)
    known, row = build.features, {ref.id: k for k, ref in enumerate(refs)}
    kept: list[registry.Verdict | None] = []
    for p in pairs:
        a, b = row[p.a], row[p.b]
        verdict = stored.get((contents[a], contents[b], refs[a].speaker, refs[b].speaker, p.similarity))
        if verdict is not None:
            fa, fb = known[contents[a]], known[contents[b]]
            if verdict.shared != signals.shown_shared(fa, fa.content & fb.content, vocabulary):
                verdict = None
        kept.append(verdict)
    return kept


def point_mark(build: Build, conflicts: list[tuple], claims, sources: list | None = None) -> str:
    """The digest of what one story's proposed points are made of: its
    ``conflicts`` (as ``Store.story_conflicts`` gives them), its ``claims``
    (``store.Loaded``) and their outlets (``sources``, one per claim), with
    the settings, judges and code."""
    order = build.order or {}
    digest = hashlib.blake2b(digest_size=16)
    digest.update(json.dumps([
        build.settings.key(build.judge.name), getattr(build.stance_judge, "name", ""), repr(build.settings.scale),
        features.version(), code_digest(), conflicts,
        claims.ids, claims.article_ids.tolist(), claims.speakers, claims.contents, claims.terms, sources,
        # Ties between answers go by this order, so the story's claims in it count.
        sorted(claims.ids, key=lambda id_: (order.get(id_, id_), id_)),
    ], ensure_ascii=False, default=str).encode())
    digest.update(np.ascontiguousarray(claims.vectors).tobytes())
    return digest.hexdigest()
