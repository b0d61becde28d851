"""Proposing points: the propositions a story's sources answer, each answered
by every relevant claim of the story, contested ones first.

Candidates come from two places (``index/points.py``): the pairwise judge's
cue conflicts (numbers, negations of one proposition), and groups of claims
close in meaning that two voices (two outlets, or two named speakers of one)
say, each stated by its plainest claim. Each candidate is asked of the
story's claims as a user's question is (``ask.py``: the stance model by
default), within a budget of reads per story (``CANDIDATES`` x ``ask.LIMIT``);
the points whose answers stand on both sides come first, then those most
voices answer, at most ``points.MAX_POINTS`` a story.

A point's id is ``auto-<story>-<digest of its proposition>``: it stays the
same while the story and the proposition do, so reviews and links keep
pointing at it.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .. import settings as settings_
from ..index import points
from ..text.propositions import stands_alone
from . import ask, matching, reuse, sides
from .context import Build

CANDIDATES = 12  # propositions asked per story: at most this x ask.LIMIT reads of the stance model


def point_id(story_id: int, statement: str) -> str:
    return f"auto-{story_id}-{hashlib.sha256(statement.encode('utf-8')).hexdigest()[:10]}"


def candidates(build: Build, conflicts: list[tuple], stored, source_of: dict) -> list[tuple[str, int]]:
    """(proposition, the claim id whose vector asks it) of one story: cue
    conflicts' points first, then what two voices say; one per meaning."""
    vector_of = dict(zip(stored.ids, stored.vectors))
    scale = build.settings.scale
    found: list[tuple[str, int]] = []
    for statement, members in points.propose([points.Conflict(*row) for row in conflicts], vector_of, scale):
        if stands_alone(statement):  # a point a reader can answer per report (issue 44)
            found.append((statement, points.asserting_side(members[0])))
    if not by_model(build):
        return _distinct(found, vector_of, scale)  # a pair judge's stances: the cue points, as before the stance model
    order = build.order or {}
    voices = [(source_of.get(a) or "", (s or "").strip().lower()) for a, s in zip(stored.article_ids.tolist(), stored.speakers)]
    ranks = [order.get(id_, id_) for id_ in stored.ids]
    for row, rows in points.gather(stored.contents, stored.vectors, voices, ranks, scale.same_point):
        # Stated by its plainest claim if that reads on its own, else by the
        # first of its claims (in gather's order) that does; none: no point.
        row = next((r for r in [row, *rows] if stands_alone(stored.contents[r])), None)
        if row is not None:
            found.append((stored.contents[row], stored.ids[row]))
    return _distinct(found, vector_of, scale)


def by_model(build: Build) -> bool:
    """Whether the build's stances are the stance model's: only then are
    points found from what sources say, and conflicts derived from sides
    (``--judge signals`` keeps what it did before)."""
    return getattr(build.stance_judge, "spec", None) == "stance"


def _distinct(found: list[tuple[str, int]], vector_of: dict, scale) -> list[tuple[str, int]]:
    kept: list[tuple[str, int]] = []
    for statement, claim in found:
        if len(kept) >= CANDIDATES:
            break
        if any(s == statement or float(vector_of[claim] @ vector_of[c]) >= scale.same_point for s, c in kept):
            continue  # the same point, asked once
        kept.append((statement, claim))
    return kept


def contested(answers: list[ask.Answer], question_id: str, confident: float = sides.CONFIDENT) -> tuple[bool, int]:
    """Whether confident answers of two voices stand on opposite sides, and how many voices take a side."""
    found = [sides.Side(question_id, "", None, a.claim_id, a.source, a.speaker, a.stance, a.score, False) for a in answers if a.stance in ("yes", "no")]
    taking = points.heard_by([sides.voice(s) for s in found if s.score >= confident])
    return bool(sides.contested(found, confident)), taking


def propose_points(build: Build, index: matching.Index, story_of: dict[int, int], stories_: list[int]):
    """The points proposed for those of ``stories_`` whose points are not
    stored as a fresh build would make them (``reuse.point_mark``), answered
    by the claims of their story. Returns those stories, (question,
    proposition, answers) of each point, the story of each point, the mark of
    each story whose points are complete, and how many answers a model judge left."""
    proposed, story_of_point, marks, unjudged = [], {}, {}, 0
    rows_of: dict[int, list[int]] = {}
    for k, article_id in enumerate(index.claims.article_ids.tolist()):
        rows_of.setdefault(story_of.get(article_id, -1), []).append(k)
    conflicts_of = build.store.story_conflicts(None if build.stories is None else stories_)
    stored_marks = build.store.point_marks()
    source_of = build.store.article_sources()
    touched = []
    for story_id in stories_:
        rows = conflicts_of.get(story_id, [])
        # The story's claims, as the build has loaded them (in id order, as ``Store.load`` gives a story's).
        stored = index.claims.subset(rows_of.get(story_id, []))
        mark = reuse.point_mark(build, rows, stored, [source_of.get(a) for a in stored.article_ids.tolist()])
        if stored_marks.get(story_id) == mark:
            continue  # its stored points are what proposing them again would give
        touched.append(story_id)
        left = 0
        vector_of = dict(zip(stored.ids, stored.vectors))
        asked = []
        reads, read_seconds = getattr(build.stance_judge, "reads", 0), getattr(build.stance_judge, "read_seconds", 0.0)
        for k, (statement, claim) in enumerate(candidates(build, rows, stored, source_of)):
            question = settings_.Question(point_id(story_id, statement), points.question_for(statement), statement)
            answers = ask.ask(build, question.question, statement, query=vector_of[claim], loaded=stored)
            left += getattr(build.stance_judge, "unjudged", 0)
            disputed, taking = contested(answers, question.id, build.stance_judge.confident) if by_model(build) else (False, 0)
            asked.append(((not disputed, -taking, k), (question, statement, answers)))
        build.result.stance_reads[story_id] = getattr(build.stance_judge, "reads", 0) - reads
        build.result.stance_read_seconds += getattr(build.stance_judge, "read_seconds", 0.0) - read_seconds
        for _, point in sorted(asked, key=lambda item: item[0])[: points.MAX_POINTS]:
            proposed.append(point)
            story_of_point[point[0].id] = story_id
        if not left:
            marks[story_id] = mark
        unjudged += left
    return touched, proposed, story_of_point, marks, unjudged
