"""The schema: tables, views and their numbered migrations.

The table and column names are a contract: users query them with SQL. The
schema changes only through numbered migrations (``MIGRATIONS``, sqlite-utils'
``Migrations``, recorded in ``_sqlite_migrations``): a db built by an older
version is migrated when it is opened, never rebuilt. A migration is never
edited once released; a change is a new one.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

# Both claims of a pair side by side, readable without a join; one view per relation.
PAIR_VIEW = """
select
  p.rowid as pair,
  a.text as claim_a, a.speaker as speaker_a, aa.title as article_a,
  b.text as claim_b, b.speaker as speaker_b, ab.title as article_b,
  p.reason, p.kind, p.shared, p.score, p.similarity, p.overlap,
  p.claim_a as claim_a_id, p.claim_b as claim_b_id,
  a.article_id as article_a_id, b.article_id as article_b_id,
  a.content as content_a, b.content as content_b, aa.story_id, p.judge
from claim_pairs p
join claims a on a.id = p.claim_a
join claims b on b.id = p.claim_b
join articles aa on aa.id = a.article_id
join articles ab on ab.id = b.article_id
where p.relation = '{relation}'
order by p.score desc
"""

# Each question's answers, who gave them and where, yes before no before unclear.
STANCE_VIEW = """
select
  q.question, s.stance, c.speaker, c.speaker_kind, ar.source, ar.title as article,
  c.text as claim, s.reason, s.score, s.similarity,
  s.question_id, s.claim_id, c.article_id
from answers s
join questions q on q.id = s.question_id
join claims c on c.id = s.claim_id
join articles ar on ar.id = c.article_id
order by q.id, case s.stance when 'yes' then 0 when 'no' then 1 else 2 end, s.score desc
"""

# The pair views since reviews (m008): whether a reader confirmed the relation
# (status) and what the judge had said; confirmed first.
PAIR_VIEW_REVIEWED = """
select
  p.rowid as pair,
  a.text as claim_a, a.speaker as speaker_a, aa.title as article_a,
  b.text as claim_b, b.speaker as speaker_b, ab.title as article_b,
  p.reason, p.kind, p.shared, p.score, p.similarity, p.overlap,
  p.claim_a as claim_a_id, p.claim_b as claim_b_id,
  a.article_id as article_a_id, b.article_id as article_b_id,
  a.content as content_a, b.content as content_b, aa.story_id, p.judge,
  coalesce(p.status, 'proposed') as status, coalesce(p.judged_relation, p.relation) as judged_relation
from claim_pairs p
join claims a on a.id = p.claim_a
join claims b on b.id = p.claim_b
join articles aa on aa.id = a.article_id
join articles ab on ab.id = b.article_id
where p.relation = '{relation}'
order by case p.status when 'confirmed' then 0 else 1 end, p.score desc
"""

STANCE_VIEW_REVIEWED = """
select
  q.question, s.stance, c.speaker, c.speaker_kind, ar.source, ar.title as article,
  c.text as claim, s.reason, s.score, s.similarity,
  s.question_id, s.claim_id, c.article_id,
  coalesce(s.status, 'proposed') as status, coalesce(s.judged_stance, s.stance) as judged_stance, s.judge
from answers s
join questions q on q.id = s.question_id
join claims c on c.id = s.claim_id
join articles ar on ar.id = c.article_id
order by q.id, case s.status when 'confirmed' then 0 else 1 end,
  case s.stance when 'yes' then 0 when 'no' then 1 else 2 end, s.score desc
"""

# The reviews that match no stored pair or answer: kept (a later build may
# bring their claims back), and listed, never dropped.
UNAPPLIED_VIEW = """
select r.* from reviews r
where (r.kind = 'pair' and not exists (
         select 1 from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
         where (a.text = r.text_a and b.text = r.text_b) or (a.text = r.text_b and b.text = r.text_a)))
   or (r.kind = 'stance' and not exists (
         select 1 from answers s join questions q on q.id = s.question_id join claims c on c.id = s.claim_id
         where c.text = r.text_a and r.question in (q.proposition, q.question)))
order by r.id
"""

# What a reader's time is best spent on first: the judge's proposals that
# a story's page shows (conflicts, which its points are proposed from, then
# agreements, then the stances that take a side on a point), the least
# sure of them first: a score near the middle is a verdict that could go
# either way. Confirmed ones are done.
QUEUE_VIEW = """
select * from (
  select 'pair' as kind, p.relation as proposed, p.score, abs(p.score - 0.5) as sureness,
    a.text as claim_a, b.text as claim_b, null as question, aa.story_id, p.reason, p.judge,
    p.claim_a as claim_a_id, p.claim_b as claim_b_id, null as question_id,
    case p.relation when 'conflict' then 0 else 1 end as rank
  from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
  join articles aa on aa.id = a.article_id
  where p.relation in ('conflict', 'agree') and coalesce(p.status, 'proposed') = 'proposed'
  union all
  select 'stance', s.stance, s.score, abs(s.score - 0.5), c.text, null, q.question, ar.story_id, s.reason, s.judge,
    s.claim_id, null, s.question_id, 2
  from answers s join questions q on q.id = s.question_id join claims c on c.id = s.claim_id
  join articles ar on ar.id = c.article_id
  where s.stance in ('yes', 'no') and coalesce(s.status, 'proposed') = 'proposed'
)
order by rank, sureness, score desc
"""

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
        db["articles"].create(
            {
                "id": int, "source": str, "title": str, "path": str, "url": str,
                "published": str, "language": str, "alt_titles": str, "sha256": str, "text": str,
            },
            pk="id",
        )
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


# The pair views since points (m013): the point a side-derived verdict comes
# from (``questions.id``; null for a cue of the pairwise judge or a reader's pair).
PAIR_VIEW_POINTS = PAIR_VIEW_REVIEWED.replace(
    "coalesce(p.judged_relation, p.relation) as judged_relation\n",
    "coalesce(p.judged_relation, p.relation) as judged_relation, p.point\n",
)

# Each point (a question a user asks, or one proposed for a story) with each
# source's side: "yes", "no", "both" (its claims take both sides) or
# "unclear"; contested when two sources (or two speakers) stand on opposite
# confident sides (``questions.contested``, set where the sides are derived).
POINTS_VIEW = """
with side as (
  select s.question_id, coalesce(ar.source, '') as source,
    sum(s.stance = 'yes') as yes, sum(s.stance = 'no') as no
  from answers s join claims c on c.id = s.claim_id join articles ar on ar.id = c.article_id
  group by s.question_id, coalesce(ar.source, '')
)
select
  q.id as point, q.story_id, q.question, q.proposition, coalesce(q.origin, 'user') as origin,
  coalesce(q.contested, 0) as contested,
  (select count(*) from claim_pairs p where p.point = q.id and p.relation = 'conflict') as conflicts,
  (select count(*) from claim_pairs p where p.point = q.id and p.relation = 'agree') as agreements,
  (select json_group_object(source, case when yes > 0 and no > 0 then 'both' when yes > 0 then 'yes'
                                          when no > 0 then 'no' else 'unclear' end)
   from side where side.question_id = q.id) as sides
from questions q
order by q.story_id is null, q.story_id, contested desc, q.id
"""


# The queue since points (m013): a reader's click on a side finds what the
# judge missed, so the stance model's sides come first, those nearest the line
# between the sides first (|P(yes) - P(no)| nearest the model's margin: a yes
# or no that could be unclear, an unclear the model leans on); then the
# conflicts and agreements, least sure first; then other judges' stances.
QUEUE_VIEW_POINTS = """
select * from (
  select 'stance' as kind, s.stance as proposed, s.score,
    abs(abs(s.lean) - coalesce((select cast(value as real) from config where key = 'stance_margin'), 0)) as sureness,
    c.text as claim_a, null as claim_b, q.question, ar.story_id, s.reason, s.judge,
    s.claim_id as claim_a_id, null as claim_b_id, s.question_id, 0 as rank
  from answers s join questions q on q.id = s.question_id join claims c on c.id = s.claim_id
  join articles ar on ar.id = c.article_id
  where s.lean is not null and coalesce(s.status, 'proposed') = 'proposed'
  union all
  select 'pair', p.relation, p.score, abs(p.score - 0.5),
    a.text, b.text, null, aa.story_id, p.reason, p.judge,
    p.claim_a, p.claim_b, p.point, case p.relation when 'conflict' then 1 else 2 end
  from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
  join articles aa on aa.id = a.article_id
  where p.relation in ('conflict', 'agree') and coalesce(p.status, 'proposed') = 'proposed'
  union all
  select 'stance', s.stance, s.score, abs(s.score - 0.5), c.text, null, q.question, ar.story_id, s.reason, s.judge,
    s.claim_id, null, s.question_id, 3
  from answers s join questions q on q.id = s.question_id join claims c on c.id = s.claim_id
  join articles ar on ar.id = c.article_id
  where s.lean is null and s.stance in ('yes', 'no') and coalesce(s.status, 'proposed') = 'proposed'
)
order by rank, sureness, score desc
"""


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


# Shown means trusted (m018). A pair is *found* when a reader confirmed it
# (``status`` 'confirmed'), when it joins two claims whose sides on a point a
# reader confirmed or a review carried (``found`` 'reader sides'), or when the
# machine decided it where its measured precision is at least 0.8
# (``found`` 'machine'); ``found`` null is a candidate. The conflicts and
# agreements views show found pairs only; ``candidates`` shows the rest.
FOUND = "case when p.status = 'confirmed' then 'reader' else p.found end"
PAIR_VIEW_FOUND = PAIR_VIEW_POINTS.replace(
    "p.point\n", f"p.point, {FOUND} as found\n"
).replace(
    "where p.relation = '{relation}'\n", "where p.relation = '{relation}' and (p.status = 'confirmed' or p.found is not null)\n"
)

# The pairs a story page shows as candidates, beside the found ones: the
# machine's conflicts and agreements no reader has settled (as the pair views'
# rows, for one story: ``story_id = ?``).
PAIR_CANDIDATES = PAIR_VIEW_FOUND.replace(
    "where p.relation = '{relation}' and (p.status = 'confirmed' or p.found is not null)\n",
    "where p.relation in ('conflict', 'agree') and coalesce(p.status, 'proposed') = 'proposed' and p.found is null and aa.story_id = ?\n",
).replace("p.rowid as pair,", "p.rowid as pair, p.relation,")

# Answers since m018: a side a review carried to the same statement in another
# report has status 'carried' and its reason names the review (``carried``).
STANCE_VIEW_FOUND = STANCE_VIEW_REVIEWED.replace("s.reason,", "coalesce(s.carried, s.reason) as reason,")

# Candidates: what the machine suspects and no reader has settled: the sides
# the stance model gives on each point (on a user's question its "unclear"
# too: a claim close to the question may answer it), and the pairs it proposes (from
# sides not yet confirmed, or from the pairwise cues: a negation or a number
# in one claim only). ``would_change``: how many found conflicts and
# agreements confirming it would make, counted against the confirmed sides
# of other voices on the same point (0 for a pair: confirming it makes one).
CANDIDATES_VIEW = """
select * from (
  select 'stance' as kind, s.stance as proposed, s.score, c.text as claim_a, null as claim_b, q.question,
    q.proposition, coalesce(q.origin, 'user') as origin, ar.story_id, s.reason, s.judge,
    (select count(*) from answers o join claims oc on oc.id = o.claim_id join articles oa on oa.id = oc.article_id
      where o.question_id = s.question_id and o.status in ('confirmed', 'carried') and o.stance in ('yes', 'no')
        and o.claim_id != s.claim_id and oa.story_id is ar.story_id
        and (coalesce(oa.source, '') != coalesce(ar.source, '')
             or (nullif(trim(oc.speaker), '') is not null and nullif(trim(c.speaker), '') is not null
                 and lower(trim(oc.speaker)) != lower(trim(c.speaker))))) as would_change,
    s.claim_id as claim_a_id, null as claim_b_id, s.question_id, s.lean, s.similarity
  from answers s join questions q on q.id = s.question_id join claims c on c.id = s.claim_id
  join articles ar on ar.id = c.article_id
  where (s.stance in ('yes', 'no') or coalesce(q.origin, 'user') = 'user') and coalesce(s.status, 'proposed') = 'proposed'
  union all
  select 'pair', p.relation, p.score, a.text, b.text, q.question, q.proposition, coalesce(q.origin, case when p.point is null then null else 'user' end),
    aa.story_id, p.reason, p.judge, 1, p.claim_a, p.claim_b, p.point, null, p.similarity
  from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
  join articles aa on aa.id = a.article_id left join questions q on q.id = p.point
  where p.relation in ('conflict', 'agree') and coalesce(p.status, 'proposed') = 'proposed' and p.found is null
)
order by story_id, kind desc, would_change desc, score desc
"""

# What a click changes most, first (issue 44): the sides on the user's
# questions (rank 0), within them those whose confirmed side would make or
# unmake a found conflict or agreement between two voices, then the claims
# closest to each question in turn (``place``: the closest of every question,
# then the second closest ...: a reader's first clicks settle the claims that
# answer, on every question), the model's least sure first; then the sides on
# contested automatic points (1), the pairs proposed from sides (2), the
# pairwise judge's agreements between two outlets (3: what a reader notes
# though no question asks it, agency copy most often), the sides on other
# automatic points (4), and last the other cue candidates (5). An
# automatic point whose proposition does not stand alone is never proposed
# (``index/points.py``), so never queued.
QUEUE_VIEW_FOUND = """
select kind, proposed, score, sureness, claim_a, claim_b, question, story_id, reason, judge,
  claim_a_id, claim_b_id, question_id, rank, would_change
from (
  select c.kind, c.proposed, c.score,
    case when c.kind = 'stance' and c.lean is not null
         then abs(abs(c.lean) - coalesce((select cast(value as real) from config where key = 'stance_margin'), 0))
         else abs(c.score - 0.5) end as sureness,
    c.claim_a, c.claim_b, c.question, c.story_id, c.reason, c.judge, c.claim_a_id, c.claim_b_id, c.question_id,
    case when c.kind = 'stance' and c.origin = 'user' then 0
         when c.kind = 'stance' and q.contested then 1
         when c.kind = 'pair' and c.question_id is not null then 2
         when c.kind = 'pair' and c.proposed = 'agree'
              and (select coalesce(ar.source, '') from claims cl join articles ar on ar.id = cl.article_id where cl.id = c.claim_a_id)
               != (select coalesce(ar.source, '') from claims cl join articles ar on ar.id = cl.article_id where cl.id = c.claim_b_id) then 3
         when c.kind = 'stance' then 4
         else 5 end as rank,
    c.would_change,
    row_number() over (partition by c.kind, c.question_id, c.story_id order by c.similarity desc, c.claim_a_id) as place
  from candidates c left join questions q on q.id = c.question_id
)
order by rank, would_change > 0 desc, case rank when 0 then place else 0 end, sureness, score desc
"""


# The points view since m018: its conflicts and agreements are the found ones.
POINTS_VIEW_FOUND = POINTS_VIEW.replace(
    "where p.point = q.id and p.relation = 'conflict')", "where p.point = q.id and p.relation = 'conflict' and (p.status = 'confirmed' or p.found is not null))"
).replace(
    "where p.point = q.id and p.relation = 'agree')", "where p.point = q.id and p.relation = 'agree' and (p.status = 'confirmed' or p.found is not null))"
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


# Since m019: a pair proposed from two sure sides on a user's question (both
# sides read with at least ``SURE_PAIR``: a number compared as a value,
# ``ask.NUMBERS_SCORE``) comes first of all, the surest first: one click
# settles a conflict or an agreement the reader asked about, where a click on
# a side settles one claim (issue 44).
SURE_PAIR = 0.8
QUEUE_VIEW_SURE = QUEUE_VIEW_FOUND.replace(
    "case when c.kind = 'stance' and c.origin = 'user' then 0",
    f"case when c.kind = 'stance' and c.origin = 'user' then 0\n         when c.kind = 'pair' and c.origin = 'user' and c.score >= {SURE_PAIR} then 0",
).replace(
    "row_number() over (partition by c.kind, c.question_id, c.story_id order by c.similarity desc, c.claim_a_id) as place",
    "row_number() over (partition by c.kind, c.question_id, c.story_id order by case c.kind when 'pair' then -c.score else -c.similarity end, c.claim_a_id) as place",
)


@MIGRATIONS()
def m019_sure_pairs_first(db: sqlite_utils.Database) -> None:
    """The review queue puts the pairs proposed from sure sides on the user's
    questions first (``QUEUE_VIEW_SURE``)."""
    db.create_view("review_queue", QUEUE_VIEW_SURE, replace=True)
