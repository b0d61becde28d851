"""The schema's migrations since found and candidates (m018 on, issue 44),
registered after ``schema.py``'s in the one ``MIGRATIONS``; the queue's SQL
since m020 in ``queue_views.py``. A migration is never edited once released.
"""

from __future__ import annotations

import sqlite_utils

from .queue_views import QUEUE_VIEW_ALIKE, QUEUE_VIEW_SETTLED, QUEUE_VIEW_TURNS
from .schema import MIGRATIONS, _add_columns
from .views import (
    CANDIDATES_VIEW, CANDIDATES_VIEW_ABOUT, PAIR_VIEW_FOUND, POINTS_VIEW_FOUND, QUEUE_VIEW_FOUND, QUEUE_VIEW_SURE, STANCE_VIEW_FOUND,
)


@MIGRATIONS()
def m018_found(db: sqlite_utils.Database) -> None:
    """Found and candidate (issue 44): ``claim_pairs.found`` says how a pair
    not confirmed by a reader was found (null: a candidate); ``answers.carried``
    names the review a side was carried from (status 'carried'). The pair views
    show found pairs only; ``candidates`` the rest, which feeds the queue."""
    _add_columns(db["claim_pairs"], {"found": str})
    _add_columns(db["answers"], {"carried": str})
    for name, relation in (("conflicts", "conflict"), ("agreements", "agree")):
        db.create_view(name, PAIR_VIEW_FOUND.format(relation=relation), replace=True)
    db.create_view("stances", STANCE_VIEW_FOUND, replace=True)
    db.create_view("candidates", CANDIDATES_VIEW, replace=True)
    db.create_view("review_queue", QUEUE_VIEW_FOUND, replace=True)
    db.create_view("points", POINTS_VIEW_FOUND, replace=True)


@MIGRATIONS()
def m019_sure_pairs_first(db: sqlite_utils.Database) -> None:
    """The review queue puts the pairs proposed from sure sides on the user's
    questions first (``QUEUE_VIEW_SURE``)."""
    db.create_view("review_queue", QUEUE_VIEW_SURE, replace=True)


@MIGRATIONS()
def m020_settled_sides_last(db: sqlite_utils.Database) -> None:
    """The review queue asks last about sides read by value, which are found
    without a click, and first about the claims that name most of what a
    question asks (``answers.about``, ``QUEUE_VIEW_SETTLED``)."""
    # The share of the question's predicate terms the claim names; and how
    # relevant the claim is to it (similarity, shared terms and that share),
    # what its answers are chosen by and the queue asks in.
    _add_columns(db["answers"], {"about": float, "relevance": float})
    db.create_view("candidates", CANDIDATES_VIEW_ABOUT, replace=True)
    db.create_view("review_queue", QUEUE_VIEW_SETTLED, replace=True)


@MIGRATIONS()
def m021_alike_sides(db: sqlite_utils.Database) -> None:
    """A reader's side moves the claims alike to the reviewed one
    (``Reviews._alike``): ``answers.judged_score`` keeps the model's score of a
    side so taken (``judge`` 'alike'); the review queue asks last about those
    that answer nothing (``QUEUE_VIEW_ALIKE``)."""
    _add_columns(db["answers"], {"judged_score": float})
    db.create_view("review_queue", QUEUE_VIEW_ALIKE, replace=True)


@MIGRATIONS()
def m022_article_names(db: sqlite_utils.Database) -> None:
    """The rare names each article gives (``text/names.py``), a row a name:
    stories keep the reports of one event that give two names both together
    (``index/timing.py``), and a new article past ``REGROUP_MAX`` finds the
    stored ones sharing its names through the index on ``name``."""
    from .derived_names import name_all

    db["article_names"].create({"article_id": int, "name": str}, pk=("article_id", "name"), if_not_exists=True)
    db["article_names"].create_index(["name", "article_id"], if_not_exists=True)
    if db["articles"].exists():
        name_all(db)


@MIGRATIONS()
def m023_reviewed_indexes(db: sqlite_utils.Database) -> None:
    """Partial indexes on the few pairs and answers a reader's word set (``apply_reviews``, ``_unfind``;
    thrice a build), each of which scanned every pair (20 ms at 10,000 articles)."""
    db.execute("create index if not exists idx_pairs_confirmed on claim_pairs (status) where status = 'confirmed'")
    db.execute("create index if not exists idx_pairs_reader_sides on claim_pairs (found) where found = 'reader sides'")
    db.execute("create index if not exists idx_answers_reviewed on answers (status, judge) where status in ('confirmed', 'carried') or judge = 'alike'")
    # Features of claims gone: builds swept them until now, ``Store.remove_article`` forgets them from now on.
    if db["claim_features"].exists() and db["claims"].exists():
        db.execute("delete from claim_features where text not in (select coalesce(content, text) from claims)")


@MIGRATIONS()
def m024_queue_turns(db: sqlite_utils.Database) -> None:
    """Each question's turn in the review queue counts the sides a reader
    settled on it (``QUEUE_VIEW_TURNS``): the queue page, read again after
    each click, asks every question in turn, not its first one only."""
    db.create_view("review_queue", QUEUE_VIEW_TURNS, replace=True)
