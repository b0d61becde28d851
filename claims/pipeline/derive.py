"""Deriving: what is made of the stored claims, made again from all of them.

Stories, pairs and verdicts, topics, answers and proposed points are made
from all stored claims, so that they are what a fresh build of the same
articles would make (a shared term's weight, a claim's nearest neighbours
and a story's articles all change with what else is stored). Splitting and
embedding, the costly stages, are what a build does only for new articles.

In four steps: articles are grouped into stories (one transaction); pairs
are matched and judged, and questions answered, with no transaction open, so
that a model judge keeps each batch of verdicts it is given
(``Store.cache_verdicts``) however the build ends; the pairs, topics and
answers are written in one transaction; then the contested points of every
story are proposed and answered, and written with the settings and the mark
that the build is complete (``derived``), and what changed since the last
report (``changes``). A build stopped before its end, or one that left a pair
or an answer unjudged, leaves that mark unset, so the next build does it again.
"""

from __future__ import annotations

import numpy as np

from ..index import stories, topics
from ..text import features, terms
from . import ask, matching, reuse, sides
from .propose import by_model, propose_points
from .context import Build


def derive(build: Build) -> None:
    store = build.store
    reviewed = store.review_mark()
    with store.atomic():
        index = matching.load(build)
        build.order = index.order
        place(build, index)
        stored = _stored_features(build)
    story_of = store.story_of()  # every article has its story now
    pairs, verdicts = matching.match_and_judge(build, index, story_of)
    unjudged = sum(v is None for v in verdicts)
    with build.timed("questions"):
        answered, left = ask.answer_all(build, index.claims)
    unjudged += left
    with store.atomic():
        with build.timed("write"):
            store.clear_pairs()
            store.save_pairs(pairs, verdicts)
            store.save_config(judged_with=reuse.judged_with(build))
            texts = set(index.claims.contents)
            store.keep_features(features.version(), {t: features.dumps(f) for t, f in build.features.items() if t in texts and t not in stored})
        store.replace_answers(answered)
        # The reader's word over the judge's, before topics count conflicts and points are proposed from them.
        store.apply_reviews()
        with build.timed("topics"):
            topics.write_topics(store, 0, build.features)
    with build.timed("points"):
        touched, proposed, story_of_point, marks, left = propose_points(build, index, story_of, store.story_ids())
    build.result.unjudged = unjudged = unjudged + left
    with store.atomic():
        store.replace_points(touched, proposed, story_of_point, marks)
        store.apply_reviews()
        # Conflicts and agreements from the sides the points' answers take
        # (a reader's stance review included), then the reader's word on pairs.
        if by_model(build):
            with build.timed("sides"):
                sides.apply(store, build.stance_judge.confident, build.order)
                store.apply_reviews()
        # A review written while this build ran shows (applied just now), but
        # the points were proposed before it: the next build proposes them again.
        again = unjudged or store.review_mark() != reviewed
        # matched_upto: kept for the SQL of older versions' users; "derived" is what builds read.
        key = build.settings.key(build.judge.name, getattr(build.stance_judge, "name", None))
        store.save_config(**key, stance_margin=str(getattr(build.stance_judge, "margin", "")), matched_upto=store.last_claim(), derived="0" if again else "1", reviewed=reviewed)
        # What this build changed, for a desk that watches the story (``store/changes.py``).
        build.result.changes = store.record_changes()


def _stored_features(build: Build) -> set[str]:
    """The texts whose features the store kept, read into the build's
    features: the stored claims are not lemmatised again to be judged (a
    build adding ten articles to GNAD spent 2.4 s of its 6.7 s on it)."""
    with build.timed("load"):
        stored = build.store.features(features.version())
        build.features.update((t, features.loads(f)) for t, f in stored.items() if t not in build.features)
    return set(stored)


def place(build: Build, index: matching.Index) -> None:
    """Give each stored article without a story one."""
    with build.timed("stories"):
        claims = index.claims
        rarity = build.store.term_weights()
        rarities = np.array([rarity.get(term, terms.UNKNOWN_RARITY) for term in index.vocabulary.columns] or [terms.UNKNOWN_RARITY])
        placed = stories.assign(build.store, stories.Claims(claims.article_ids, claims.vectors, index.presence, rarities, claims.contents), build.settings.scale)
        if placed:
            build.doing(f"placed {placed:,} articles in {build.store.db['stories'].count:,} stories")
