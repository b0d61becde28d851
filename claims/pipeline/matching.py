"""Matching and judging: the pairs of claims within each story, and their verdicts.

Claims only meet the claims of their own story, so stories are the unit of
work: the claims of each story (small stories together, up to
``TASK_CLAIMS``) make one task (``match_task``), and the build's runner runs
the tasks, here one after the other (``local.Local``) or on a Ray cluster
(``cluster.Cluster``), where the signals judge judges each task's pairs
where they were found. Either way the pairs come back in one order and are
judged by one judge, so a local and a cluster build store the same verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..index import match
from ..judging import registry
from ..text import features, terms
from . import reuse
from .context import Build

TASK_CLAIMS = 5000  # claims per match task (a second or so of work): a big story alone, small ones together


@dataclass
class Index:
    """The stored claims as matching reads them: their rows, the terms of
    each, the vocabulary and the claims x terms presence matrix."""

    claims: object  # store.Loaded
    term_lists: list[list[str]]
    vocabulary: terms.Vocabulary
    presence: object  # scipy.sparse.csr_matrix
    order: dict = field(default_factory=dict)  # claim id -> rank by article path and position (Store.claim_order)


def load(build: Build, stories=None, articles=None) -> Index:
    """The stored claims with a vector of the settings' model (of ``stories``,
    or of ``articles``; default: all), and their terms. Their ``order`` is
    left for the caller to set (``Store.claim_order``)."""
    with build.timed("load"):
        claims = build.store.load(build.settings.model, stories, articles)
    with build.timed("match"):
        known = build.features
        term_lists = [stored.split() if stored is not None else sorted(known[content].content) for content, stored in zip(claims.contents, claims.terms)]
        vocabulary, presence = terms.Vocabulary.index(claims.contents, term_lists)
    return Index(claims, term_lists, vocabulary, presence)


@dataclass
class Task:
    """The claims of some stories, as a match task reads them."""

    refs: list[match.ClaimRef]
    vectors: np.ndarray
    terms: object  # their rows of the presence matrix, over ``Shared.vocabulary``
    contents: list[str]
    features: dict  # what the build knows of their texts' features already


@dataclass
class Shared:
    """What every task of a build reads alike."""

    vocabulary: terms.Vocabulary
    judge: object | None  # judges the pairs in the task, when the runner says so
    scale: object  # the model's cut-offs (``scales.Scale``)


def match_task(task: Task, shared: Shared):
    """The pairs among the claims of ``task``, judged here when
    ``shared.judge`` is given; and the features of the claims computed on the
    way, for the build's later stages."""
    pairs = match.match(task.refs, task.vectors, task.refs, task.vectors, shared.scale, vocabulary=shared.vocabulary, corpus_terms=task.terms)
    known = features.FeatureMap(task.features)
    verdicts = None
    if shared.judge is not None:
        verdicts = judge_matches(shared.judge, pairs, task.refs, task.contents, registry.Knowledge(shared.vocabulary, known))
    return pairs, verdicts, {text: f for text, f in known.items() if text not in task.features}


def match_and_judge(build: Build, index: Index, story_of: dict[int, int]) -> tuple[list[match.Match], list]:
    """Every pair of claims within a story, in one order, and the judge's
    verdict on each (None where a model judge could not judge it)."""
    claims = index.claims
    if not len(claims):
        return [], []
    in_tasks = build.runner.judges_in_tasks(build.judge)
    with build.timed("match"):
        story = np.array([story_of.get(a, -1) for a in claims.article_ids.tolist()])
        tasks = [_task(build, index, rows, story, in_tasks) for rows in _story_rows(story)]
        build.doing(f"matching {len(claims):,} claims within their stories" + (f", in {len(tasks):,} tasks" if len(tasks) > 1 else ""))
        shared = Shared(index.vocabulary, build.judge if in_tasks else None, build.settings.scale)
        pairs, verdicts = [], []
        for found, judged, computed in build.runner.run(match_task, tasks, shared):
            pairs += found
            verdicts += judged if judged is not None else [None] * len(found)
            build.features.update(computed)
    order = sorted(range(len(pairs)), key=lambda k: pairs[k])
    pairs, verdicts = [pairs[k] for k in order], [verdicts[k] for k in order]
    if not in_tasks:
        with build.timed("judge"):
            refs = _refs(index, story)
            verdicts = reuse.kept_verdicts(build, pairs, refs, claims.contents, index.vocabulary)
            todo = [k for k, v in enumerate(verdicts) if v is None]
            build.doing(f"judging {len(todo):,} pairs" + (f" ({len(pairs) - len(todo):,} judged as before)" if len(todo) < len(pairs) else ""))
            judged = judge_matches(build.judge, [pairs[k] for k in todo], refs, claims.contents, registry.Knowledge(index.vocabulary, build.features))
            for k, verdict in zip(todo, judged):
                verdicts[k] = verdict
    return pairs, verdicts


def _story_rows(story: np.ndarray) -> list[np.ndarray]:
    """The rows of the claims of each story, stories in id order (-1, claims
    of an article no story holds, together), small stories together up to
    ``TASK_CLAIMS``."""
    by_story = np.argsort(story, kind="stable")
    bounds = np.flatnonzero(np.diff(story[by_story])) + 1
    tasks, members, size = [], [], 0
    for one in np.split(by_story, bounds) if len(by_story) else []:
        members.append(one)
        size += len(one)
        if size >= TASK_CLAIMS:
            tasks.append(np.concatenate(members))
            members, size = [], 0
    if members:
        tasks.append(np.concatenate(members))
    return tasks


def _task(build: Build, index: Index, rows: np.ndarray, story: np.ndarray, judged_there: bool) -> Task:
    claims, known = index.claims, build.features
    refs = _refs(index, story, rows)
    contents = [claims.contents[k] for k in rows.tolist()]
    return Task(
        refs, claims.vectors[rows], match.term_matrix(refs, index.vocabulary, index.presence[rows]), contents,
        # The features the build knows travel with a task only where the task judges.
        {c: known[c] for c in contents if c in known} if judged_there else {},
    )


def _refs(index: Index, story: np.ndarray, rows: np.ndarray | None = None) -> list[match.ClaimRef]:
    """The claims of ``rows`` (default: all) as matching reads them."""
    claims = index.claims
    return [
        match.ClaimRef(
            claims.ids[k], int(claims.article_ids[k]), claims.speakers[k], frozenset(index.term_lists[k]), int(story[k]),
            index.order.get(claims.ids[k], claims.ids[k]),
        )
        for k in (range(len(claims)) if rows is None else rows.tolist())
    ]


def judge_matches(judge_, pairs: list[match.Match], refs: list[match.ClaimRef], contents, knowledge: registry.Knowledge) -> list:
    """The judge's verdict on each matched pair, from the claims' ``refs``
    and ``contents`` (in one order)."""
    row = {ref.id: k for k, ref in enumerate(refs)}
    return registry.judge_claims(judge_, [
        registry.ClaimPair(
            contents[row[p.a]], contents[row[p.b]], p.similarity, refs[row[p.a]].speaker, refs[row[p.b]].speaker,
            # Claims of no story (-1) are matched together, but have no story to name.
            refs[row[p.a]].story if refs[row[p.a]].story not in (None, -1) else None,
        )
        for p in pairs
    ], knowledge)
