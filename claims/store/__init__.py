"""Store: the one owner of the SQLite db. It creates and migrates the schema,
does every write, and loads the corpus for the stages that read it.

The table and column names are a contract: users query them with SQL. The
schema changes only through numbered migrations (``MIGRATIONS``, sqlite-utils'
``Migrations``, recorded in ``_sqlite_migrations``): a db built by an older
version is migrated when it is opened, never rebuilt. A migration is never
edited once released; a change is a new one.
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import sqlite_utils
from sqlite_utils import Migrations
from sqlite_utils.utils import sqlite3

from ..errors import NotADatabase
from ..index import embed

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
BUSY_MS = 60_000  # how long a write waits for another's lock

# What a reader can say of a pair and of a claim's stance on a point.
REVIEW_VALUES = {"pair": ("agree", "related", "conflict"), "stance": ("yes", "no", "unclear")}


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


@dataclass
class Loaded:
    """Claims as the matching stages read them, row k of each field one claim,
    in id order."""

    ids: list[int]
    article_ids: np.ndarray
    speakers: list[str | None]
    contents: list[str]  # what each claim asserts (claims.content, else its text)
    terms: list[str | None]  # claims.terms as stored (None before that column)
    vectors: np.ndarray  # unit-length embeddings of the contents, one row per claim

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, rows: list[int]) -> "Loaded":
        """The claims of ``rows``, in their order."""
        return Loaded(
            ids=[self.ids[k] for k in rows], article_ids=self.article_ids[rows], speakers=[self.speakers[k] for k in rows],
            contents=[self.contents[k] for k in rows], terms=[self.terms[k] for k in rows],
            vectors=self.vectors[rows] if rows else np.zeros((0, self.vectors.shape[1]), dtype=np.float32),
        )



def readable(path: str | Path) -> None:
    """Raise ``NotADatabase`` unless ``path`` opens read-only as SQLite."""
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            conn.execute("select count(*) from sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise NotADatabase(f"{path}: cannot be read as a SQLite database ({e})") from e


class Store:
    """The db behind a corpus: ``Store(path)`` opens (creating the folder and
    the file when needed) and migrates it. ``db`` is the ``sqlite_utils``
    database for reading; every write goes through a method here."""

    def __init__(self, path_or_db: str | Path | sqlite_utils.Database):
        if isinstance(path_or_db, sqlite_utils.Database):
            self.db = path_or_db
        else:
            Path(path_or_db).parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(path_or_db)
        try:
            self.db.execute("pragma foreign_keys = on")
            # A build and a reader's review take turns at the write lock: wait for it.
            self.db.execute(f"pragma busy_timeout = {BUSY_MS}")
            # WAL lets Datasette keep reading while a build writes.
            if self.db.journal_mode != "wal":
                self.db.enable_wal()
        except sqlite3.DatabaseError as e:
            raise NotADatabase(f"{path_or_db}: cannot be read as a SQLite database ({e})") from e
        if MIGRATIONS.pending(self.db):
            MIGRATIONS.apply(self.db)

    @contextmanager
    def atomic(self):
        """One transaction (a savepoint inside another): all of it or none.
        It takes the write lock when it begins (BEGIN IMMEDIATE): a deferred
        transaction that reads first and writes later fails at once, without
        waiting, when another writer (a reader's review in the browser)
        committed in between."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield
            return
        conn.execute("begin immediate")
        try:
            yield
        except BaseException:
            conn.rollback()
            raise
        conn.commit()

    # Settings ------------------------------------------------------------

    def config(self) -> dict[str, str]:
        return dict(self.db.execute("select key, value from config"))

    def save_config(self, **values) -> None:
        self.db["config"].upsert_all([{"key": k, "value": str(v)} for k, v in values.items()], pk="key")

    # Articles ------------------------------------------------------------

    def articles_with_texts(self, sha256s: list[str]) -> dict[str, tuple[int, str, str | None]]:
        """sha256 -> (id, path, the story label the user gave it) of the stored
        articles with these texts."""
        rows = self.db.execute(
            """select a.sha256, a.id, a.path, s.label from articles a left join stories s on s.id = a.story_id and s.given = 1
               where a.sha256 in (select value from json_each(?))""",
            [json.dumps(sha256s)],
        ).fetchall()
        return {sha: (id_, path, label) for sha, id_, path, label in rows}

    def articles_at(self, paths: list[str]) -> dict[str, int]:
        """path -> id of the stored articles read from these paths."""
        rows = self.db.execute("select path, min(id) from articles where path in (select value from json_each(?)) group by path", [json.dumps(paths)]).fetchall()
        return dict(rows)

    def add_article(self, article, language: str | None, claims, skipped, vectors, model: str, rarities: dict[str, float]) -> int:
        """Write one article with its claims, skipped lines and claim vectors,
        in one transaction, and the rarity of its terms; its id."""
        alt_titles = [s.text for s in skipped if s.reason.startswith("other language")]
        with self.atomic():
            article_id = self.db["articles"].insert(
                {
                    "source": article.source, "title": article.title, "path": article.path,
                    "url": article.url, "published": article.published, "language": language,
                    "alt_titles": json.dumps(alt_titles, ensure_ascii=False) if alt_titles else None,
                    "sha256": article.sha256, "text": article.text, "author": getattr(article, "author", None),
                    # A story the user named; the others are found after all articles are in.
                    "story_id": self.story_named(article.story) if article.story else None,
                }
            ).last_pk
            self.db["claims"].insert_all(
                {
                    "article_id": article_id, "position": c.position, "text": c.text, "start": c.start,
                    "end": c.end, "speaker": c.speaker, "speaker_kind": c.speaker_kind, "cue": c.cue,
                    "quote": c.quote, "negated": int(c.negated), "terms": c.terms, "content": c.content,
                }
                for c in claims
            )
            self.db["skipped"].insert_all(
                {"article_id": article_id, "text": s.text, "start": s.start, "end": s.end, "reason": s.reason}
                for s in skipped
            )
            if claims:
                ids = [row[0] for row in self.db.execute("select id from claims where article_id = ? order by position", [article_id])]
                self.add_embeddings(ids, vectors, model)
            self.db["article_terms"].insert_all(({"article_id": article_id, "term": k, "weight": round(w, 3)} for k, w in rarities.items()), pk=("article_id", "term"))
            self.mark_changed()
        return article_id

    def remove_article(self, article_id: int) -> None:
        """An article and everything made of its claims."""
        claim_ids = "select id from claims where article_id = ?"
        with self.atomic():
            self.db.execute(f"delete from claim_pairs where claim_a in ({claim_ids}) or claim_b in ({claim_ids})", [article_id, article_id])
            for table in ("embeddings", "claim_topics", "answers"):
                self.db.execute(f"delete from {table} where claim_id in ({claim_ids})", [article_id])
            self.db.execute("delete from claims where article_id = ?", [article_id])
            self.db.execute("delete from skipped where article_id = ?", [article_id])
            self.db.execute("delete from article_terms where article_id = ?", [article_id])
            self.db.execute("delete from articles where id = ?", [article_id])
            self.mark_changed()

    def mark_changed(self) -> None:
        """The stored articles changed: what is made of them (stories, pairs,
        topics, answers, points) is to be made again. Written in the same
        transaction as the change, so a build killed right after it still
        leaves the flag for the next build to find."""
        self.save_config(derived="0")

    def changed(self) -> bool:
        """Whether articles were added or removed since the last complete build."""
        return self.config().get("derived") == "0"

    def articles_under(self, paths: list[str]) -> list[tuple[int, str]]:
        """(id, path) of the stored articles read from a file at or under one
        of ``paths`` (a JSONL or Parquet file's rows ``FILE:n`` included)."""
        found = {}
        for given in paths:
            base = str(Path(given))
            rows = self.db.execute(
                "select id, path from articles where path = ? or substr(path, 1, ?) = ? or substr(path, 1, ?) = ?",
                [base, len(base) + 1, base.rstrip("/") + "/", len(base) + 1, base + ":"],
            ).fetchall()
            found.update(rows)
        return sorted(found.items())

    def claim_order(self) -> dict[int, int]:
        """claim id -> its rank by article path, then place in the article:
        an order that does not depend on which build stored a claim, as ids
        do, so that pairs and topics come out alike however the db was built."""
        rows = self.db.execute(
            "select c.id from claims c join articles a on a.id = c.article_id order by a.path, a.id, c.position, c.id"
        ).fetchall()
        return {claim_id: k for k, (claim_id,) in enumerate(rows)}

    def log(self, problems) -> None:
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self.db["ingest_log"].insert_all({"at": now, "path": p.path, "action": p.action, "message": p.message} for p in problems)

    # Embeddings ----------------------------------------------------------

    def stored_vectors(self, model: str, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """The stored vector of each of ``texts`` that a claim has as its content."""
        found: dict[str, np.ndarray] = {}
        # Only the vectors of these texts leave SQLite, not every stored one.
        for content, vector in self.db.execute(
            """select coalesce(c.content, c.text), e.vector from claims c
               join embeddings e on e.claim_id = c.id and e.model = ?
               where coalesce(c.content, c.text) in (select value from json_each(?))""",
            [model, json.dumps(sorted(set(texts)), ensure_ascii=False)],
        ):
            found.setdefault(content, embed.from_blob(vector))
        return found

    def unembedded(self, model: str) -> list[tuple[int, str]]:
        """(id, content) of the claims without a vector of ``model``."""
        return self.db.execute(
            "select id, coalesce(content, text) from claims where id not in (select claim_id from embeddings where model = ?) order by id",
            [model],
        ).fetchall()

    def add_embeddings(self, claim_ids: list[int], vectors: np.ndarray, model: str) -> None:
        self.db["embeddings"].insert_all(
            {"claim_id": claim_id, "model": model, "vector": embed.to_blob(vector)} for claim_id, vector in zip(claim_ids, vectors)
        )

    # Loading the corpus ----------------------------------------------------

    def load(self, model: str, stories: Iterable[int] | None = None) -> Loaded:
        """The claims with a vector of ``model``, in id order; with
        ``stories``, only the claims of those stories' articles."""
        if stories is None:
            # From the embeddings, in the order of their primary key (claim_id,
            # model): ordering by claims.id made SQLite sort every vector.
            rows = self.db.execute(
                """select c.id, c.article_id, c.speaker, coalesce(c.content, c.text), c.terms, e.vector
                   from embeddings e join claims c on c.id = e.claim_id where e.model = ? order by e.claim_id""",
                [model],
            ).fetchall()
        else:
            # From the stories' articles down (the story_id and article_id indexes): a few claims of many.
            rows = self.db.execute(
                """select c.id, c.article_id, c.speaker, coalesce(c.content, c.text), c.terms, e.vector
                   from articles a join claims c on c.article_id = a.id
                   join embeddings e on e.claim_id = c.id and e.model = ?
                   where a.story_id in (select value from json_each(?)) order by c.id""",
                [model, json.dumps(sorted(stories))],
            ).fetchall()
        return Loaded(
            ids=[r[0] for r in rows], article_ids=np.array([r[1] for r in rows], dtype=np.int64),
            speakers=[r[2] for r in rows], contents=[r[3] for r in rows], terms=[r[4] for r in rows],
            vectors=embed.from_blobs([r[5] for r in rows]) if rows else np.zeros((0, 1), dtype=np.float32),
        )

    def claims_shown(self, claim_ids: list[int]) -> dict[int, dict]:
        """What a reader is shown of each claim: its text, speaker, article and source."""
        rows = self.db.query(
            """select c.id, c.article_id, c.text, c.speaker, c.speaker_kind, a.source, a.title
               from claims c join articles a on a.id = c.article_id where c.id in (select value from json_each(?))""",
            [json.dumps(claim_ids)],
        )
        return {row["id"]: row for row in rows}

    def last_claim(self) -> int:
        return self.db.execute("select max(id) from claims").fetchone()[0] or 0

    def counts(self) -> dict[str, int]:
        tables = ("articles", "stories", "claims", "claim_pairs", "topics", "answers")
        counts = {t: self.db[t].count for t in tables}
        for relation in ("conflict", "agree"):
            counts[relation] = self.db.execute("select count(*) from claim_pairs where relation = ?", [relation]).fetchone()[0]
        return counts

    # Stories -------------------------------------------------------------

    def story_named(self, label: str) -> int:
        """The id of the story the user named ``label``, made if new."""
        row = self.db.execute("select id from stories where given = 1 and label = ?", [label]).fetchone()
        if row:
            return row[0]
        return self.db["stories"].insert({"label": label, "given": 1, "articles": 0, "sources": 0}).last_pk

    def new_story(self) -> int:
        return self.db["stories"].insert({"label": None, "given": 0, "articles": 0, "sources": 0}).last_pk

    def unplaced(self) -> list[int]:
        """Articles without a story, in id order."""
        return [r[0] for r in self.db.execute("select id from articles where story_id is null order by id")]

    def named_articles(self) -> set[int]:
        """Ids of the articles in stories the user named."""
        return {r[0] for r in self.db.execute("select a.id from articles a join stories s on s.id = a.story_id where s.given = 1")}

    def story_of(self) -> dict[int, int]:
        """article id -> story id, for the articles that have one."""
        return dict(self.db.execute("select id, story_id from articles where story_id is not null"))

    def found_stories(self) -> bool:
        """Whether stories were found (grouped) before, not only given."""
        return self.db.execute("select 1 from stories where given = 0 limit 1").fetchone() is not None

    def found_articles(self) -> list[tuple[int, int | None]]:
        """(id, found story or None) of every article not in a story the
        user named, in the order of their texts' sha256: grouping them does
        not depend on the order they were stored in."""
        return self.db.execute(
            """select a.id, a.story_id from articles a left join stories s on s.id = a.story_id
               where s.given is not 1 order by a.sha256, a.id"""
        ).fetchall()

    def place(self, article_id: int, story_id: int) -> None:
        self.db["articles"].update(article_id, {"story_id": story_id})

    def term_weights(self) -> dict[str, float]:
        """term -> how rare it is: the rarity of the word the first stored
        article by path shows it by (``article_terms``), written to
        ``term_weights`` too. First by path, as a fresh build of a folder reads
        its files, not first stored: a db's stories do not depend on the
        order its articles came in. (The least rare of its words, or the
        rarest, also order-free, grouped GNAD worse: 14 and 73 conflicts across
        newspaper sections against 2.)"""
        self.db.execute("delete from term_weights")
        self.db.execute(
            """insert into term_weights (term, weight)
               select term, weight from (
                 select t.term, t.weight, row_number() over (partition by t.term order by a.path, a.id) as k
                 from article_terms t join articles a on a.id = t.article_id)
               where k = 1"""
        )
        return dict(self.db.execute("select term, weight from term_weights"))

    def count_stories(self) -> None:
        """Counts, dates and labels of the stories from their articles; a story
        left without articles goes. A found story is labelled with the title of
        its first article."""
        self.db.execute(
            """update stories set
                 articles = (select count(*) from articles where story_id = stories.id),
                 sources = (select count(distinct source) from articles where story_id = stories.id),
                 first_published = (select min(published) from articles where story_id = stories.id),
                 last_published = (select max(published) from articles where story_id = stories.id),
                 label = case when given = 1 then label else (
                   select title from articles where story_id = stories.id
                   order by coalesce(published, ''), path, id limit 1) end"""
        )
        # A story left without articles goes, and with it the points proposed
        # for it (questions.story_id refers to it).
        empty = "select id from questions where origin = 'auto' and story_id in (select id from stories where articles = 0)"
        self.db.execute(f"delete from answers where question_id in ({empty})")
        self.db.execute(f"delete from questions where id in ({empty})")
        self.db.execute("delete from stories where articles = 0")

    # Pairs ---------------------------------------------------------------

    def story_conflicts(self, story_id: int) -> list[tuple[int, int, str, str, float]]:
        """(claim_a, claim_b, content_a, content_b, score) of the conflicts
        between claims of one story, strongest first."""
        return self.db.execute(
            """select p.claim_a, p.claim_b, coalesce(a.content, a.text), coalesce(b.content, b.text), p.score
               from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
               join articles aa on aa.id = a.article_id
               where p.relation = 'conflict' and aa.story_id = ? order by p.score desc, p.claim_a, p.claim_b""",
            [story_id],
        ).fetchall()

    def story_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute("select id from stories order by id")]

    def clear_pairs(self) -> None:
        self.db.execute("delete from claim_pairs")

    def save_pairs(self, pairs, verdicts) -> None:
        """Matched pairs (``match.Match``) with their verdicts (``judge.Verdict``)."""
        self.db["claim_pairs"].upsert_all(
            (
                {
                    "claim_a": p.a, "claim_b": p.b, "similarity": p.similarity, "overlap": p.overlap,
                    "shared": ", ".join(v.shared) or None,
                    "relation": v.relation, "score": v.score, "reason": v.reason, "kind": v.kind, "judge": v.judge,
                    "judged_relation": v.relation, "judged_by": v.judge, "status": "proposed",
                }
                for p, v in zip(pairs, verdicts)
                if v is not None  # a pair its judge could not judge waits for the next build
            ),
            pk=("claim_a", "claim_b"),
        )

    # Fetched pages -----------------------------------------------------------

    def stored_pages(self, urls: list[str]) -> dict[str, dict]:
        """url -> the stored page (``final_url``, ``html`` ...) of those fetched before."""
        rows = self.db.query("select * from pages where url in (select value from json_each(?))", [json.dumps(urls)])
        return {r["url"]: r for r in rows}

    def save_page(self, url: str, final_url: str, status: int, headers: str, html: bytes) -> None:
        """One fetched page, committed at once: a build killed after it keeps it."""
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self.atomic():
            self.db["pages"].upsert(
                {"url": url, "final_url": final_url, "fetched_at": now, "status": status, "headers": headers, "html": html}, pk="url",
            )

    # Reviews ---------------------------------------------------------------

    def add_review(self, kind: str, value: str, text_a: str, text_b: str | None = None, question: str | None = None,
                   note: str | None = None, actor: str | None = None) -> int:
        """Keep what a reader decided and show it at once: a pair's relation
        (``kind`` 'pair', the two claims' texts) or a claim's stance on a point
        (``kind`` 'stance', the claim's text and the point's proposition). The
        latest review of a pair or a stance is the one that holds. Articles are
        untouched, so a build does not start over: it applies the reviews again
        as it writes, and the points it proposes follow the reviewed conflicts."""
        if kind not in REVIEW_VALUES or value not in REVIEW_VALUES[kind]:
            raise ValueError(f"a {kind} review is one of {', '.join(REVIEW_VALUES.get(kind, ()))}, not {value!r}")
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self.atomic():
            review_id = self.db["reviews"].insert({
                "kind": kind, "text_a": text_a, "text_b": text_b, "question": question, "value": value,
                "note": note or None, "at": now, "actor": actor,
            }).last_pk
            self.apply_reviews()
            if kind == "pair":
                # The points proposed from a story's conflicts are made again by the next build.
                self.save_config(derived="0")
        return review_id

    def remove_reviews(self, kind: str, text_a: str, text_b: str | None = None, question: str | None = None) -> int:
        """Undo: the reviews of one pair (in either order) or one stance go, and
        the judge's verdict shows again; how many went."""
        with self.atomic():
            if kind == "pair":
                gone = self.db.execute(
                    "delete from reviews where kind = 'pair' and ((text_a = ? and text_b = ?) or (text_a = ? and text_b = ?))",
                    [text_a, text_b, text_b, text_a],
                ).rowcount
            else:
                gone = self.db.execute("delete from reviews where kind = 'stance' and text_a = ? and question = ?", [text_a, question]).rowcount
            self.apply_reviews()
            if gone and kind == "pair":
                self.save_config(derived="0")
        return gone

    def apply_reviews(self) -> None:
        """Show the reviews' values in ``claim_pairs`` and ``answers``
        (``judge`` 'reader', ``status`` 'confirmed'), the judge's own kept in
        ``judged_relation`` / ``judged_stance``; a verdict whose review is gone
        shows the judge's again. A review matches claims by their text (or what
        they assert, ``content``), so it outlives ids, rebuilds and models."""
        self.db.execute("update claim_pairs set relation = judged_relation, judge = judged_by, status = 'proposed' where status = 'confirmed'")
        self.db.execute("update answers set stance = judged_stance, judge = judged_by, status = 'proposed' where status = 'confirmed'")
        rows = self.db.execute(
            "select kind, text_a, text_b, question, value from reviews where kind in ('pair', 'stance') order by id"
        ).fetchall()
        if not rows:
            return
        texts = {t for _, a, b, _, _ in rows for t in (a, b) if t is not None}
        ids_of: dict[str, set[int]] = {}
        for claim_id, text, content in self.db.execute(
            """select id, text, content from claims where text in (select value from json_each(:t))
               or content in (select value from json_each(:t))""", {"t": json.dumps(sorted(texts), ensure_ascii=False)},
        ):
            for t in {text, content} & texts:
                ids_of.setdefault(t, set()).add(claim_id)
        pair_value: dict[tuple[int, int], str] = {}
        stance_value: dict[tuple[str, int], str] = {}
        questions: dict[str, list[str]] = {}
        for proposition, question_id in self.db.execute("select proposition, id from questions union all select question, id from questions"):
            questions.setdefault(proposition, []).append(question_id)
        for kind, a, b, question, value in rows:  # in id order: the latest review holds
            if kind == "pair":
                for x in ids_of.get(a, ()):
                    for y in ids_of.get(b, ()):
                        pair_value[(x, y)] = pair_value[(y, x)] = value
            else:
                for question_id in questions.get(question, ()):
                    for x in ids_of.get(a, ()):
                        stance_value[(question_id, x)] = value
        if pair_value:
            self.db.conn.executemany(
                "update claim_pairs set relation = ?, judge = 'reader', status = 'confirmed' where claim_a = ? and claim_b = ?",
                [(v, x, y) for (x, y), v in pair_value.items()],
            )
        if stance_value:
            self.db.conn.executemany(
                "update answers set stance = ?, judge = 'reader', status = 'confirmed' where question_id = ? and claim_id = ?",
                [(v, q, c) for (q, c), v in stance_value.items()],
            )

    def review_mark(self) -> str:
        """What changes whenever a review is written or undone, with SQL too
        (``config.reviewed`` keeps it as of the last complete build)."""
        count, last, total = self.db.execute("select count(*), max(id), total(id) from reviews").fetchone()
        return f"{count}:{last or 0}:{int(total)}"

    def reviews(self) -> list[dict]:
        return list(self.db.query("select * from reviews order by id"))

    # Model verdicts ----------------------------------------------------------

    def cached_verdicts(self, judge: str, keys: list[str]) -> dict[str, tuple[str, float, str]]:
        """pair key -> (relation, score, reason) that ``judge`` gave before."""
        rows = self.db.execute(
            "select pair, relation, score, reason from verdict_cache where judge = ? and pair in (select value from json_each(?))",
            [judge, json.dumps(keys)],
        ).fetchall()
        return {pair: (relation, score, reason) for pair, relation, score, reason in rows}

    def cache_verdicts(self, judge: str, rows: list[tuple[str, str, float, str]]) -> None:
        """Keep ``judge``'s verdicts, (pair key, relation, score, reason) each,
        committed at once when no build transaction is open: a build
        interrupted after this keeps them."""
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self.db["verdict_cache"].upsert_all(
            ({"judge": judge, "pair": key, "relation": r, "score": score, "reason": reason, "at": now} for key, r, score, reason in rows),
            pk=("judge", "pair"),
        )

    def pair_edges(self) -> list[tuple[int, int, float, float | None]]:
        """(claim_a, claim_b, similarity, overlap) of every matched pair."""
        return self.db.execute("select claim_a, claim_b, similarity, overlap from claim_pairs").fetchall()

    # Topics --------------------------------------------------------------

    def topic_of(self) -> dict[int, int]:
        """claim id -> topic id."""
        return dict(self.db.execute("select claim_id, topic_id from claim_topics"))

    def contents(self) -> dict[int, str]:
        """claim id -> what it asserts."""
        return dict(self.db.execute("select id, coalesce(content, text) from claims"))

    def replace_topics(self, topics: list[tuple[int, str, list[int]]]) -> None:
        """All topics, each (id, label, its claim ids), in place of the stored ones."""
        self.db.execute("delete from claim_topics")
        self.db.execute("delete from topics")
        self.db["topics"].insert_all({"id": id_, "label": label, "claims": len(group), "sources": 0, "conflicts": 0} for id_, label, group in topics)
        self.db["claim_topics"].insert_all({"claim_id": claim, "topic_id": id_} for id_, _, group in topics for claim in group)
        self.count_topics()

    def count_topics(self, where: str = "", params=()) -> None:
        # Sources and conflicts from the tables, so the counts mean what SQL means.
        # "+p.relation" keeps SQLite off the relation index: going from the topic's
        # claims to their pairs, not through every conflict of the corpus per topic.
        self.db.execute(
            """update topics set
                 claims = (select count(*) from claim_topics where topic_id = topics.id),
                 sources = (select count(distinct a.source) from claim_topics t
                            join claims c on c.id = t.claim_id join articles a on a.id = c.article_id
                            where t.topic_id = topics.id),
                 conflicts = (select count(*) from claim_topics ta
                              join claim_pairs p on p.claim_a = ta.claim_id
                              join claim_topics tb on tb.claim_id = p.claim_b and tb.topic_id = ta.topic_id
                              where ta.topic_id = topics.id and +p.relation = 'conflict') """
            + where,
            params,
        )

    # Questions -------------------------------------------------------------

    def replace_answers(self, answered: list[tuple[object, str, list]]) -> None:
        """All the user's questions, each (``settings.Question``, the
        proposition asked about, its ``ask.Answer`` list), in place of the
        stored ones; the proposed points stay."""
        user = "select id from questions where coalesce(origin, 'user') = 'user'"
        self.db.execute(f"delete from answers where question_id in ({user})")
        self.db.execute(f"delete from questions where id in ({user})")
        self._insert_answered(answered, "user")

    def replace_points(self, story_ids, answered: list[tuple[object, str, list]], story_of_point: dict[str, int]) -> None:
        """The proposed points of ``story_ids``, each (``settings.Question``,
        its proposition, its answers), in place of the stored ones."""
        stale = "select id from questions where origin = 'auto' and story_id in (select value from json_each(?))"
        ids = json.dumps(sorted(set(story_ids)))
        self.db.execute(f"delete from answers where question_id in ({stale})", [ids])
        self.db.execute(f"delete from questions where id in ({stale})", [ids])
        self._insert_answered(answered, "auto", story_of_point)

    def _insert_answered(self, answered, origin: str, story_of_point: dict[str, int] | None = None) -> None:
        for question, statement, answers in answered:
            self.db["questions"].insert({
                "id": question.id, "question": question.question, "proposition": statement, "origin": origin,
                "story_id": (story_of_point or {}).get(question.id),
            })
            self.db["answers"].insert_all(
                {
                    "question_id": question.id, "claim_id": a.claim_id, "stance": a.stance,
                    "score": a.score, "similarity": a.similarity, "reason": a.reason, "judge": a.judge,
                    "judged_stance": a.stance, "judged_by": a.judge, "status": "proposed",
                }
                for a in answers
            )


def beside(db_path, name: str) -> str | None:
    """A project file next to the db (metadata.yml, questions.yml), if there."""
    candidate = Path(db_path).resolve().parent / name
    return str(candidate) if candidate.exists() else None
