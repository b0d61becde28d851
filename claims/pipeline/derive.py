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
that the build is complete (``derived``). A build stopped before its end, or
one that left a pair or an answer unjudged, leaves that mark unset, so the
next build does it again.
"""

from __future__ import annotations

import numpy as np

from .. import settings as settings_
from ..index import points, stories, topics
from ..text import features, terms
from . import ask, matching, reuse
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
        # A review written while this build ran shows (applied just now), but
        # the points were proposed before it: the next build proposes them again.
        again = unjudged or store.review_mark() != reviewed
        # matched_upto: kept for the SQL of older versions' users; "derived" is what builds read.
        key = build.settings.key(build.judge.name)
        store.save_config(**key, matched_upto=store.last_claim(), derived="0" if again else "1", reviewed=reviewed)


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


def propose_points(build: Build, index: matching.Index, story_of: dict[int, int], stories_: list[int]):
    """The contested points proposed for those of ``stories_`` (``points.py``)
    whose points are not stored as a fresh build would make them
    (``reuse.point_mark``), answered by the claims of their story. Returns
    those stories, (question, proposition, answers) of each point, the story
    of each point, the mark of each story whose points are complete, and how
    many answers a model judge left."""
    proposed, story_of_point, marks, unjudged = [], {}, {}, 0
    rows_of: dict[int, list[int]] = {}
    for k, article_id in enumerate(index.claims.article_ids.tolist()):
        rows_of.setdefault(story_of.get(article_id, -1), []).append(k)
    conflicts_of = build.store.story_conflicts()
    stored_marks = build.store.point_marks()
    touched = []
    for story_id in stories_:
        rows = conflicts_of.get(story_id, [])
        # The story's claims, as the build has loaded them (in id order, as ``Store.load`` gives a story's).
        stored = index.claims.subset(rows_of.get(story_id, []))
        mark = reuse.point_mark(build, rows, stored)
        if stored_marks.get(story_id) == mark:
            continue  # its stored points are what proposing them again would give
        touched.append(story_id)
        left = 0
        if rows:
            vector_of = dict(zip(stored.ids, stored.vectors))
            found = points.propose([points.Conflict(*row) for row in rows], vector_of, build.settings.scale)
            for k, (statement, members) in enumerate(found, 1):
                question = settings_.Question(f"auto-{story_id}-{k}", points.question_for(statement), statement)
                answers = ask.ask(build, question.question, statement, query=vector_of[points.asserting_side(members[0])], loaded=stored)
                left += getattr(build.stance_judge, "unjudged", 0)
                proposed.append((question, statement, answers))
                story_of_point[question.id] = story_id
        if not left:
            marks[story_id] = mark
        unjudged += left
    return touched, proposed, story_of_point, marks, unjudged
