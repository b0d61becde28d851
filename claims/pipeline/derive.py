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
from . import ask, matching, reuse, scope, sides
from .propose import by_model, propose_points
from .context import Build


def derive(build: Build) -> None:
    store = build.store
    reviewed = store.review_mark()
    config = store.config()
    with store.atomic():
        if config.get("code") != reuse.code_digest():
            store.drop_profiles()  # another release may make an article's profile otherwise
            store.name_articles()  # or read its names otherwise
        place(build)
        # Only the stories whose articles changed are derived again (``scope.py``).
        scope_ = scope.of(build, config, reviewed)
        build.stories = scope_.stories
        build.result.stories_derived = len(scope_.marks if scope_.whole else scope_.stories)
        build.doing(f"deriving {build.result.stories_derived:,} of {len(scope_.marks):,} stories again")
        # The stories whose claims answered the user's questions: their claims may answer again.
        answering = {story for rows in store.user_answers().values() for _, story in rows}
        index = matching.load(build, scope_.stories)
        build.order = store.claim_order(scope_.union(answering))
        index.order = build.order
        build.previous = store.previous_claims(scope_.union(answering)) if by_model(build) else None
        stored = _stored_features(build, index.claims.contents)
    story_of = store.story_of()  # every article has its story now
    pairs, verdicts = matching.match_and_judge(build, index, story_of)
    unjudged = sum(v is None for v in verdicts)
    with build.timed("questions"):
        answered, left = ask.answer_all(build, index.claims, scope_)
    unjudged += left
    sided = store.answer_stories("user")
    with store.atomic():
        with build.timed("write"):
            store.clear_pairs(scope_.stories)
            store.save_pairs(pairs, verdicts)
            store.save_config(judged_with=reuse.judged_with(build))
            texts = set(index.claims.contents)
            store.keep_features(features.version(), {t: features.dumps(f) for t, f in build.features.items() if t in texts and t not in stored})
        store.replace_answers(answered)
        # The reader's word over the judge's, before topics count conflicts and points are proposed from them.
        store.apply_reviews()
        with build.timed("topics"):
            topics.write_topics(store, 0, build.features, stories=scope_.stories)
    with build.timed("points"):
        ids = store.story_ids()
        stories_ = ids if scope_.whole else [s for s in ids if s in scope_.stories]
        touched, proposed, story_of_point, marks, left = propose_points(build, index, story_of, stories_)
    build.result.unjudged = unjudged = unjudged + left
    with store.atomic():
        store.replace_points(touched, proposed, story_of_point, marks)
        store.apply_reviews()
        # Conflicts and agreements from the sides the points' answers take
        # (a reader's stance review included), then the reader's word on pairs;
        # in the stories derived again and those whose claims answer the user's questions.
        sided = scope_.union(sided | store.answer_stories("user"))
        if by_model(build):
            with build.timed("sides"):
                # (``Store.save_sides`` applies the reader's word to what it writes.)
                sides.apply(store, build.stance_judge.confident, build.order, sided, sides.MACHINE)
        # What two outlets say word for word is found, once the sides have taken the pairs that are theirs.
        store.find_same_statements(sided, build.features)
        # A review written while this build ran shows (applied just now), but
        # the points were proposed before it: the next build proposes them again.
        again = unjudged or store.review_mark() != reviewed
        # What the derived stories are made of, for the next build to tell which changed;
        # none where a model judge left something: the next build derives everything.
        store.save_story_marks({} if unjudged else {s: m for s, m in scope_.marks.items() if scope_.whole or s in scope_.stories}, scope_.stories)
        # matched_upto: kept for the SQL of older versions' users; "derived" is what builds read.
        key = build.settings.key(build.judge.name, getattr(build.stance_judge, "name", None))
        store.save_config(**key, stance_margin=str(getattr(build.stance_judge, "margin", "")), matched_upto=store.last_claim(),
                          derived="0" if again else "1", complete="0" if unjudged else "1", reviewed=reviewed, code=reuse.code_digest())
        # What this build changed, for a desk that watches the story (``store/changes.py``).
        build.result.changes = store.record_changes(stories=sided)


def _stored_features(build: Build, texts) -> set[str]:
    """The texts whose features the store kept, of the claims loaded, read
    into the build's features: the stored claims are not lemmatised again to
    be judged (a build adding ten articles to GNAD spent 2.4 s of its 6.7 s on it)."""
    with build.timed("load"):
        stored = build.store.features(features.version(), texts)
        build.features.update((t, features.loads(f)) for t, f in stored.items() if t not in build.features)
    return set(stored)


def place(build: Build) -> None:
    """Give each stored article without a story one (``stories.assign``),
    reading the claims of only the articles it compares."""
    with build.timed("stories"):
        placed = stories.assign(build.store, lambda ids: _story_claims(build, ids), build.settings.scale, build.settings.model)
        if placed:
            build.doing(f"placed {placed:,} articles in {build.store.db['stories'].count:,} stories")


def _story_claims(build: Build, article_ids: list[int]) -> stories.Claims:
    """The claims of ``article_ids`` as stories read them."""
    index = matching.load(build, articles=article_ids)
    claims, columns = index.claims, list(index.vocabulary.columns)
    rarity = build.store.term_weights(columns)
    rarities = np.array([rarity.get(term, terms.UNKNOWN_RARITY) for term in columns] or [terms.UNKNOWN_RARITY])
    return stories.Claims(claims.article_ids, claims.vectors, index.presence, rarities, claims.contents,
                          build.store.repeated_contents(claims.contents), columns)
