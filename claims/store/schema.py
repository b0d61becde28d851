"""The schema: tables, views and their numbered migrations (the views' SQL
in ``views.py`` and ``queue_views.py``; the migrations since m018 in
``schema_found.py``, registered in order when this module is imported).

The table and column names are a contract: users query them with SQL. The
schema changes only through numbered migrations (``MIGRATIONS``, sqlite-utils'
``Migrations``, recorded in ``_sqlite_migrations``): a db built by an older
version is migrated when it is opened, never rebuilt. A migration is never
edited once released; a change is a new one.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

# The views' SQL (``views.py``), each name also importable from here.
from .queue_views import QUEUE_VIEW_ALIKE, QUEUE_VIEW_SETTLED, QUEUE_VIEW_TURNS  # noqa: F401
from .views import (  # noqa: F401
    CANDIDATES_VIEW, CANDIDATES_VIEW_ABOUT, FOUND, PAIR_CANDIDATES, PAIR_VIEW, PAIR_VIEW_FOUND, PAIR_VIEW_POINTS, PAIR_VIEW_REVIEWED,
    POINTS_VIEW, POINTS_VIEW_FOUND, QUEUE_VIEW, QUEUE_VIEW_FOUND, QUEUE_VIEW_POINTS, QUEUE_VIEW_SURE,
    SURE_PAIR, STANCE_VIEW, STANCE_VIEW_FOUND, STANCE_VIEW_REVIEWED, UNAPPLIED_VIEW,
)

MIGRATIONS = Migrations("claims")


def _add_columns(table: sqlite_utils.db.Table, columns: dict) -> None:
    # Dbs from before migrations may have some of these already.
    for column, type_ in columns.items():
        if column not in table.columns_dict:
            table.add_column(column, type_)


@MIGRATIONS()
def m001_tables(db: sqlite_utils.Database) -> None:
    """The tables of the first releases (up to main at 76473f7), for a new db
    or one built before migrations, whose tables may lack later columns."""
    if not db["articles"].exists():
        db["articles"].create({"id": int, "source": str, "title": str, "path": str, "url": str, "published": str, "language": str,
                               "alt_titles": str, "sha256": str, "text": str}, pk="id")
        db["articles"].create_index(["sha256"], unique=True)
        db["articles"].create_index(["path"])
    _add_columns(db["articles"], {"alt_titles": str})
    if not db["claims"].exists():
        db["claims"].create(
            {
                "id": int, "article_id": int, "position": int, "text": str,
                "start": int, "end": int, "speaker": str, "speaker_kind": str, "cue": str,
                "quote": str, "negated": int, "terms": str,
            },
            pk="id",
            foreign_keys=[("article_id", "articles", "id")],
        )
        db["claims"].create_index(["article_id", "position"], unique=True)
        db["claims"].create_index(["speaker"])
        db["claims"].create_index(["speaker_kind"])
        db["claims"].enable_fts(["text"], create_triggers=True, tokenize="unicode61")
    _add_columns(db["claims"], {"speaker_kind": str, "cue": str, "quote": str, "terms": str})
    if not db["embeddings"].exists():
        db["embeddings"].create(
            {"claim_id": int, "model": str, "vector": bytes}, pk=("claim_id", "model"), foreign_keys=[("claim_id", "claims", "id")]
        )
    if not db["claim_pairs"].exists():
        db["claim_pairs"].create(
            {
                "claim_a": int, "claim_b": int, "similarity": float, "overlap": float, "shared": str,
                "relation": str, "score": float, "reason": str, "kind": str,
            },
            pk=("claim_a", "claim_b"),
            foreign_keys=[("claim_a", "claims", "id"), ("claim_b", "claims", "id")],
        )
        db["claim_pairs"].create_index(["relation"])
        db["claim_pairs"].create_index(["claim_b"])
    _add_columns(db["claim_pairs"], {"kind": str, "overlap": float, "shared": str})
    if not db["skipped"].exists():
        db["skipped"].create(
            {"article_id": int, "text": str, "start": int, "end": int, "reason": str}, foreign_keys=[("article_id", "articles", "id")]
        )
    if not db["ingest_log"].exists():
        db["ingest_log"].create({"id": int, "at": str, "path": str, "action": str, "message": str}, pk="id")
    if not db["topics"].exists():
        db["topics"].create({"id": int, "label": str, "claims": int, "sources": int, "conflicts": int}, pk="id")
    if not db["claim_topics"].exists():
        db["claim_topics"].create(
            {"claim_id": int, "topic_id": int}, pk=("claim_id", "topic_id"),
            foreign_keys=[("claim_id", "claims", "id"), ("topic_id", "topics", "id")],
        )
        db["claim_topics"].create_index(["topic_id"])
    if not db["questions"].exists():
        db["questions"].create({"id": str, "question": str, "proposition": str}, pk="id")
    if not db["answers"].exists():
        db["answers"].create(
            {"question_id": str, "claim_id": int, "stance": str, "score": float, "similarity": float, "reason": str},
            pk=("question_id", "claim_id"),
            foreign_keys=[("question_id", "questions", "id"), ("claim_id", "claims", "id")],
        )
        db["answers"].create_index(["claim_id"])
    if not db["config"].exists():
        db["config"].create({"key": str, "value": str}, pk="key")


@MIGRATIONS()
def m002_stories(db: sqlite_utils.Database) -> None:
    """Stories (issue 13): articles grouped by what they report; what a claim
    asserts without its reporting frame; how rare each term is. A db built
    before stories has its articles grouped, and its claims matched again, on
    its next build (its ``judge`` setting is another)."""
    if not db["stories"].exists():
        # given: 1 when the user named the story (JSONL "story", --story), 0 when found.
        db["stories"].create(
            {"id": int, "label": str, "articles": int, "sources": int, "first_published": str, "last_published": str, "given": int},
            pk="id",
        )
    if "story_id" not in db["articles"].columns_dict:
        db["articles"].add_column("story_id", int, fk="stories")
    if ["story_id"] not in [i.columns for i in db["articles"].indexes]:
        db["articles"].create_index(["story_id"])
    _add_columns(db["claims"], {"content": str})
    if not db["term_weights"].exists():
        # How rare each content term's word is in the language (terms.rarity), for grouping stories.
        db["term_weights"].create({"term": str, "weight": float}, pk="term")


@MIGRATIONS()
def m003_judges(db: sqlite_utils.Database) -> None:
    """Judges as plugins (issue 16): the judge that decided each pair and
    each answer, and the verdicts of model judges kept by (judge, the two
    texts), so that no model is asked twice about a pair."""
    _add_columns(db["claim_pairs"], {"judge": str})
    _add_columns(db["answers"], {"judge": str})
    if not db["verdict_cache"].exists():
        db["verdict_cache"].create(
            {"judge": str, "pair": str, "relation": str, "score": float, "reason": str, "at": str}, pk=("judge", "pair"),
        )


@MIGRATIONS()
def m004_points(db: sqlite_utils.Database) -> None:
    """Contested points (issue 17): a question is the user's (``origin``
    'user': questions.yml, claims ask) or proposed from a story's conflicts
    ('auto', with its ``story_id``)."""
    _add_columns(db["questions"], {"origin": str})
    if "story_id" not in db["questions"].columns_dict:
        db["questions"].add_column("story_id", int, fk="stories")
    db.execute("update questions set origin = 'user' where origin is null")


@MIGRATIONS()
def m005_views(db: sqlite_utils.Database) -> None:
    """The views readers start from, with the stories' and the judges'
    columns; the config row ``schema_version`` is gone (the migrations table
    says it now). A later change to a view is a new migration."""
    for name, relation in (("conflicts", "conflict"), ("agreements", "agree")):
        db.create_view(name, PAIR_VIEW.format(relation=relation), replace=True)
    db.create_view("stances", STANCE_VIEW, replace=True)
    db.execute("delete from config where key = 'schema_version'")


@MIGRATIONS()
def m006_content_index(db: sqlite_utils.Database) -> None:
    """An index on what each claim asserts, the expression ``stored_vectors``
    looks texts up by: without it each lookup read every stored vector (30 ms
    on GNAD's 22,607 claims), and a build that writes article by article
    (``--ray``) looked up once per article."""
    db.execute("create index if not exists idx_claims_content on claims (coalesce(content, text))")


@MIGRATIONS()
def m007_article_terms(db: sqlite_utils.Database) -> None:
    """How rare each content term of each article is (``article_terms``), so
    that a term's weight (``term_weights``, see ``Store.term_weights``)
    depends on the articles stored, not on which came first: a term is shown
    by a different word in different articles ("Verhandlung",
    "Friedensverhandlung"). A db built before has its articles' terms weighed
    as ``term_weights`` had them."""
    if not db["article_terms"].exists():
        db["article_terms"].create(
            {"article_id": int, "term": str, "weight": float}, pk=("article_id", "term"),
            foreign_keys=[("article_id", "articles", "id")],
        )
    weight = dict(db.execute("select term, weight from term_weights").fetchall()) if db["term_weights"].exists() else {}
    rows = {}
    for article_id, stored in db.execute("select article_id, terms from claims where terms is not null"):
        for term in stored.split():
            if term in weight:
                rows[(article_id, term)] = weight[term]
    db["article_terms"].insert_all(
        ({"article_id": a, "term": t, "weight": w} for (a, t), w in rows.items()), pk=("article_id", "term"), ignore=True
    )


@MIGRATIONS()
def m008_reviews(db: sqlite_utils.Database) -> None:
    """Reader reviews (issue 26): ``reviews`` keeps what a reader decided,
    keyed by the claims' texts so that it outlives ids and rebuilds; a build
    applies them (``Store.apply_reviews``). ``claim_pairs`` and ``answers``
    keep the judge's own verdict beside the one shown (``judged_relation``,
    ``judged_stance``, ``judged_by``) and say whether a reader confirmed it
    (``status``: confirmed | proposed)."""
    if not db["reviews"].exists():
        db["reviews"].create(
            {"id": int, "kind": str, "text_a": str, "text_b": str, "question": str, "value": str, "note": str, "at": str, "actor": str},
            pk="id",
        )
        db["reviews"].create_index(["kind", "text_a"])
    _add_columns(db["claim_pairs"], {"judged_relation": str, "judged_by": str, "status": str})
    _add_columns(db["answers"], {"judged_stance": str, "judged_by": str, "status": str})
    db.execute("update claim_pairs set judged_relation = relation, judged_by = judge, status = 'proposed' where status is null")
    db.execute("update answers set judged_stance = stance, judged_by = judge, status = 'proposed' where status is null")
    for name, relation in (("conflicts", "conflict"), ("agreements", "agree")):
        db.create_view(name, PAIR_VIEW_REVIEWED.format(relation=relation), replace=True)
    db.create_view("stances", STANCE_VIEW_REVIEWED, replace=True)
    db.create_view("unapplied_reviews", UNAPPLIED_VIEW, replace=True)
    db.create_view("review_queue", QUEUE_VIEW, replace=True)


@MIGRATIONS()
def m009_authors(db: sqlite_utils.Database) -> None:
    """Saved pages (issue 28) name their authors: ``articles.author``."""
    _add_columns(db["articles"], {"author": str})


@MIGRATIONS()
def m010_pages(db: sqlite_utils.Database) -> None:
    """Fetched pages (issue 28), raw, each once: a rebuild, a build killed
    while fetching and a new model never fetch them again (``fetch.py``)."""
    if not db["pages"].exists():
        db["pages"].create(
            {"url": str, "final_url": str, "fetched_at": str, "status": int, "headers": str, "html": bytes}, pk="url",
        )


@MIGRATIONS()
def m011_claim_features(db: sqlite_utils.Database) -> None:
    """What the judge reads of each claim text (``features.Features``, JSON),
    kept so that a build adding ten articles does not lemmatise the stored
    claims again to judge their pairs (``Store.features``)."""
    if not db["claim_features"].exists():
        db["claim_features"].create({"text": str, "version": str, "features": str}, pk="text")


@MIGRATIONS()
def m012_point_marks(db: sqlite_utils.Database) -> None:
    """The digest of what each story's proposed points were made of
    (``pipeline/reuse.py``): a build that adds articles proposes the points of
    the stories they change, and keeps the others'."""
    if not db["point_marks"].exists():
        db["point_marks"].create({"story_id": int, "mark": str}, pk="story_id")


@MIGRATIONS()
def m013_points(db: sqlite_utils.Database) -> None:
    """Conflicts and agreements derived from sides (``pipeline/sides.py``): a
    pair of claims on opposite (or the same) confident sides of one point
    names it in ``claim_pairs.point``; the ``points`` view shows each point
    and each source's side; ``answers.lean`` keeps the stance model's
    P(yes) - P(no), and the review queue puts its sides nearest the line first."""
    # ``cue``: the pairwise judge's verdict (JSON) of a pair a verdict from sides is shown for.
    _add_columns(db["claim_pairs"], {"point": str, "cue": str})
    db["claim_pairs"].create_index(["point"], if_not_exists=True)
    _add_columns(db["questions"], {"contested": int})  # confident sides of two voices stand opposite on it
    _add_columns(db["answers"], {"lean": float})  # the stance model's P(yes) - P(no); null for other judges
    db.create_view("review_queue", QUEUE_VIEW_POINTS, replace=True)
    for name, relation in (("conflicts", "conflict"), ("agreements", "agree")):
        db.create_view(name, PAIR_VIEW_POINTS.format(relation=relation), replace=True)
    db.create_view("points", POINTS_VIEW, replace=True)


@MIGRATIONS()
def m014_changes(db: sqlite_utils.Database) -> None:
    """What each build changed (``store/changes.py``): ``changes``, one row
    per conflict, agreement, point or side added, removed or moved, with the
    build's number and time; ``reported_state``, what the last report saw;
    the view ``latest_changes``, the last build's."""
    about = {"story_id": int, "point": str, "claim_a": int, "claim_b": int, "text": str}
    db["changes"].create(
        {"id": int, "build": int, "at": str, "what": str, "change": str, "key": str, "before": str, "after": str, **about},
        pk="id", if_not_exists=True,
    )
    db["changes"].create_index(["at"], if_not_exists=True)
    db["changes"].create_index(["build"], if_not_exists=True)
    db["reported_state"].create({"what": str, "key": str, "value": str, **about}, pk=("what", "key"), if_not_exists=True)
    db.create_view("latest_changes", "select * from changes where build = (select max(build) from changes) order by id", replace=True)


@MIGRATIONS()
def m015_story_marks(db: sqlite_utils.Database) -> None:
    """The digest of what each story's pairs, verdicts, topics and sides were
    derived from (``pipeline/scope.py``): its articles, their texts and
    outlets, the settings and the code. A build derives again only the
    stories whose digest changed, and keeps the rest as stored."""
    db["story_marks"].create({"story_id": int, "mark": str}, pk="story_id", if_not_exists=True)


@MIGRATIONS()
def m016_article_profiles(db: sqlite_utils.Database) -> None:
    """What stories compare articles by, kept per article (``index/stories.py``):
    ``article_profiles`` (its claims' mean vector under a model) and
    ``profile_terms`` (its terms' weights), so that placing a new article in
    a db of many reads these rows, not every stored claim's vector; and an
    index on ``article_terms.term``, so that a term's weight (``term_weights``)
    is brought up to date for the terms of an article added or removed, not
    for every term."""
    db["article_profiles"].create({"article_id": int, "model": str, "mean": bytes}, pk=("article_id", "model"), if_not_exists=True)
    db["profile_terms"].create({"article_id": int, "term": str, "weight": float}, pk=("article_id", "term"), if_not_exists=True)
    # Covering: a new article's dot products with every kept profile read the index alone (``Store.term_dots``).
    db["profile_terms"].create_index(["term", "article_id", "weight"], if_not_exists=True)
    db["article_terms"].create_index(["term"], if_not_exists=True)
    # From now on kept up to date article by article, each weight with the
    # article it is from; once here for all.
    if db["term_weights"].exists() and "article_id" not in db["term_weights"].columns_dict:
        db["term_weights"].add_column("article_id", int)
    if db["term_weights"].exists() and db["article_terms"].exists():
        from .derived import refresh_term_weights

        refresh_term_weights(db)


@MIGRATIONS()
def m017_kept_profiles(db: sqlite_utils.Database) -> None:
    """An article's profile kept whole (``article_profiles.terms``: its terms'
    weights as one JSON object), so that grouping the found stories again
    reads one row an article, not its claims. Profiles kept before have none
    and are made again when next compared: they may predate the rule that
    drops the profiles an added or removed article changes."""
    if db["article_profiles"].exists() and "terms" not in db["article_profiles"].columns_dict:
        db["article_profiles"].add_column("terms", str)


# The migrations since found and candidates register after the ones above.
from . import schema_found  # noqa: E402,F401
