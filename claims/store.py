"""Store: the SQLite schema, created in this one place, and the writes.

The table and column names are a contract: users query them with SQL.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

SCHEMA_VERSION = 6

# Both claims of a pair side by side, readable without a join; one view per relation.
PAIR_VIEW = """
select
  p.rowid as pair,
  a.text as claim_a, a.speaker as speaker_a, aa.title as article_a,
  b.text as claim_b, b.speaker as speaker_b, ab.title as article_b,
  p.reason, p.kind, p.shared, p.score, p.similarity, p.overlap,
  p.claim_a as claim_a_id, p.claim_b as claim_b_id,
  a.article_id as article_a_id, b.article_id as article_b_id,
  a.content as content_a, b.content as content_b, aa.story_id
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


def open_db(path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    db.execute("pragma foreign_keys = on")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    # WAL lets Datasette keep reading while a build writes.
    if db.journal_mode != "wal":
        db.enable_wal()
    stories = db["stories"]
    if not stories.exists():
        # given: 1 when the user named the story (JSONL "story", --story), 0 when found.
        stories.create(
            {"id": int, "label": str, "articles": int, "sources": int, "first_published": str, "last_published": str, "given": int},
            pk="id",
        )
    articles = db["articles"]
    if not articles.exists():
        articles.create(
            {
                "id": int, "source": str, "title": str, "path": str, "url": str,
                "published": str, "language": str, "alt_titles": str, "sha256": str, "text": str,
                "story_id": int,
            },
            pk="id",
            foreign_keys=[("story_id", "stories", "id")],
        )
        articles.create_index(["sha256"], unique=True)
        articles.create_index(["path"])
    claims = db["claims"]
    if not claims.exists():
        claims.create(
            {
                "id": int, "article_id": int, "position": int, "text": str,
                "start": int, "end": int, "speaker": str, "speaker_kind": str, "cue": str,
                "quote": str, "negated": int, "terms": str, "content": str,
            },
            pk="id",
            foreign_keys=[("article_id", "articles", "id")],
        )
        claims.create_index(["article_id", "position"], unique=True)
        claims.create_index(["speaker"])
        claims.create_index(["speaker_kind"])
        claims.enable_fts(["text"], create_triggers=True, tokenize="unicode61")
    embeddings = db["embeddings"]
    if not embeddings.exists():
        embeddings.create(
            {"claim_id": int, "model": str, "vector": bytes},
            pk=("claim_id", "model"),
            foreign_keys=[("claim_id", "claims", "id")],
        )
    pairs = db["claim_pairs"]
    if not pairs.exists():
        pairs.create(
            {
                "claim_a": int, "claim_b": int, "similarity": float, "overlap": float, "shared": str,
                "relation": str, "score": float, "reason": str, "kind": str,
            },
            pk=("claim_a", "claim_b"),
            foreign_keys=[("claim_a", "claims", "id"), ("claim_b", "claims", "id")],
        )
        pairs.create_index(["relation"])
        pairs.create_index(["claim_b"])
    skipped = db["skipped"]
    if not skipped.exists():
        skipped.create(
            {"article_id": int, "text": str, "start": int, "end": int, "reason": str},
            foreign_keys=[("article_id", "articles", "id")],
        )
    log = db["ingest_log"]
    if not log.exists():
        log.create({"id": int, "at": str, "path": str, "action": str, "message": str}, pk="id")
    topics = db["topics"]
    if not topics.exists():
        topics.create({"id": int, "label": str, "claims": int, "sources": int, "conflicts": int}, pk="id")
    claim_topics = db["claim_topics"]
    if not claim_topics.exists():
        claim_topics.create(
            {"claim_id": int, "topic_id": int},
            pk=("claim_id", "topic_id"),
            foreign_keys=[("claim_id", "claims", "id"), ("topic_id", "topics", "id")],
        )
        claim_topics.create_index(["topic_id"])
    questions = db["questions"]
    if not questions.exists():
        questions.create({"id": str, "question": str, "proposition": str}, pk="id")
    answers = db["answers"]
    if not answers.exists():
        answers.create(
            {"question_id": str, "claim_id": int, "stance": str, "score": float, "similarity": float, "reason": str},
            pk=("question_id", "claim_id"),
            foreign_keys=[("question_id", "questions", "id"), ("claim_id", "claims", "id")],
        )
        answers.create_index(["claim_id"])
    term_weights = db["term_weights"]
    if not term_weights.exists():
        # How rare each content term's word is in the language (terms.rarity), for grouping stories.
        term_weights.create({"term": str, "weight": float}, pk="term")
    if not db["config"].exists():
        db["config"].create({"key": str, "value": str}, pk="key")
    # Columns added since the first release, for dbs built before them.
    for table, column, type_ in (
        (pairs, "kind", str), (pairs, "overlap", float), (pairs, "shared", str),
        (claims, "speaker_kind", str), (claims, "cue", str), (claims, "quote", str), (claims, "terms", str), (articles, "alt_titles", str),
        (claims, "content", str), (articles, "story_id", int),
    ):
        if column not in table.columns_dict:
            # A db built before stories: its articles are grouped on the next build.
            table.add_column(column, type_, fk="stories" if column == "story_id" else None)
    if ["story_id"] not in [i.columns for i in articles.indexes]:
        articles.create_index(["story_id"])
    db["config"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")
    for name, relation in (("conflicts", "conflict"), ("agreements", "agree")):
        db.create_view(name, PAIR_VIEW.format(relation=relation), replace=True)
    db.create_view("stances", STANCE_VIEW, replace=True)


def beside(db_path, name: str) -> str | None:
    """A project file next to the db (metadata.yml, questions.yml), if there."""
    candidate = Path(db_path).resolve().parent / name
    return str(candidate) if candidate.exists() else None


def get_config(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    row = db.execute("select value from config where key = ?", [key]).fetchone()
    return row[0] if row else default


def set_config(db: sqlite_utils.Database, **values) -> None:
    db["config"].upsert_all([{"key": k, "value": str(v)} for k, v in values.items()], pk="key")
