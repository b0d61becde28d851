"""Scope: which stories a build derives again, and which it keeps as stored.

Nothing derived of a story depends on another story: claims only meet the
claims of their own story; a term weighs by its rarity in the language and
its idf among the story's claims (``match.term_matrix``); the signals judge
orders shared words by that rarity; topics are found per story; points are
proposed from a story's claims. So a story's pairs, verdicts, topics, points
and sides are a function of its articles (their ids, texts and outlets), the
settings, the judges and the code: the story's **mark** is a digest of those
(``story_marks``), stored with what was derived (``story_marks`` table,
written in the build's last transaction).

A build derives again only the stories whose mark is not the stored one (an
article added, changed, removed or moved in or out), and keeps every other
story's rows. It derives everything when what its marks do not cover
changed: a reader's review (written in the browser or with SQL, it may name
claims of any story), the user's questions or the judges, or when the last
build did not end complete (a model judge left something unjudged).

The user's questions are asked of the whole db; their answers are the
``ask.USER_LIMIT`` most relevant claims. A claim's relevance depends on the claim
and the question only, so the answers of a build that keeps the stories it
does not touch are the best of the touched stories' claims and those the
stories answering before still hold (``ask.answer_all``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from itertools import groupby

from ..settings import ANSWERS, stale
from ..text import features
from . import reuse
from .context import Build


@dataclass
class Scope:
    """The stories a build derives again (``stories``; None: all of them)."""

    stories: set[int] | None
    marks: dict[int, str]  # story id -> its mark now

    @property
    def whole(self) -> bool:
        return self.stories is None

    def union(self, more: set[int]) -> set[int] | None:
        return None if self.stories is None else self.stories | more


def story_marks(build: Build) -> dict[int, str]:
    """Story id -> the digest of what its derived rows are made of."""
    judge = build.stance_judge
    base = json.dumps([
        build.settings.key(build.judge.name, getattr(judge, "name", None)), getattr(judge, "name", ""), str(getattr(judge, "confident", "")),
        repr(build.settings.scale), features.version(), reuse.code_digest(),
    ], sort_keys=True, default=str)
    marks = {}
    for story_id, rows in groupby(build.store.story_articles(), key=lambda r: r[0]):
        digest = hashlib.blake2b(base.encode(), digest_size=16)
        digest.update(json.dumps([r[1:] for r in rows], ensure_ascii=False).encode())
        marks[story_id] = digest.hexdigest()
    return marks


def of(build: Build, config: dict, reviewed: str) -> Scope:
    """The stories this build derives again (after every article has its story)."""
    marks = story_marks(build)
    key = build.settings.key(build.judge.name, getattr(build.stance_judge, "name", None))
    whole = (
        config.get("complete") != "1"  # the last build left something unjudged, or was of an older version
        or config.get("reviewed", "0:0:0") != reviewed  # a review may name claims of any story
        or stale(key, config, ANSWERS)  # other questions or judges
    )
    if whole:
        return Scope(None, marks)
    stored = build.store.story_marks()
    return Scope({s for s, mark in marks.items() if stored.get(s) != mark}, marks)
