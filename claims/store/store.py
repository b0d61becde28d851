"""The ``Store``: the one owner of the SQLite db. It opens and migrates it
(``schema.py``), does every write, and loads the corpus for the stages that
read it: articles, claims and vectors here, what is derived from them in
``derived.py``, readers' reviews in ``reviews.py``, what builds changed in
``changes.py``, fetched pages in ``pages.py``.
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
from sqlite_utils.utils import sqlite3

from ..errors import NotADatabase
from ..inputs import ingest
from .changes import Changes
from .derived import Derived, in_stories, unweigh_terms_of, weigh_terms_of
from .lock import path_of as lock_path_of, writing
from .pages import Pages
from .reviews import Reviews
from .schema import MIGRATIONS
from . import vectors as embed  # the stored vector format

BUSY_MS = 60_000  # how long a write waits for another's lock


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


SQLITE_HEADER = b"SQLite format 3\x00"


def _refuse_other_files(path: str | Path) -> None:
    """A file that is there and is no SQLite db is never made one: SQLite
    would take a file shorter than its header for an empty db and overwrite it."""
    path = Path(path)
    if str(path) == ":memory:" or not path.is_file() or path.stat().st_size == 0:
        return
    with open(path, "rb") as f:
        if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise NotADatabase(f"{path}: not a SQLite database; give --db a new file or a claims db (nothing was written)")


class Store(Derived, Reviews, Changes, Pages):
    """The db behind a corpus: ``Store(path)`` opens (creating the folder and
    the file when needed) and migrates it. ``db`` is the ``sqlite_utils``
    database for reading; every write goes through a method here."""

    def __init__(self, path_or_db: str | Path | sqlite_utils.Database):
        if isinstance(path_or_db, sqlite_utils.Database):
            self.db = path_or_db
        else:
            _refuse_other_files(path_or_db)
            Path(path_or_db).parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(path_or_db)
        try:
            self.db.execute("pragma foreign_keys = on")
            # A build and a reader's review take turns at the write lock: wait for it.
            self.db.execute(f"pragma busy_timeout = {BUSY_MS}")
            # WAL lets Datasette keep reading while a build writes.
            if self.db.journal_mode != "wal":
                self.db.enable_wal()
            # In WAL mode a commit need not wait for the disk: a killed build
            # loses nothing committed (only a power cut may lose the last
            # commits, and the db stays whole). Waiting cost a build of GNAD,
            # a commit an article, about 2 s.
            self.db.execute("pragma synchronous = normal")
        except sqlite3.DatabaseError as e:
            raise NotADatabase(f"{path_or_db}: cannot be read as a SQLite database ({e})") from e
        if MIGRATIONS.pending(self.db):
            # Two builds opening a new db at once must not both migrate it.
            with self.writing():
                if MIGRATIONS.pending(self.db):
                    MIGRATIONS.apply(self.db)

    def writing(self, echo=lambda message: None, wait: bool = True):
        """Hold the db's build lock (``lock.py``) while the block runs: one
        build writes at a time; readers never wait for it."""
        return writing(lock_path_of(self.db), echo, wait)

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

    def paths_naming(self, names: set[str]) -> list[str]:
        """Stored article paths that contain one of these file names (for
        another spelling of a stored file's path: ``pipeline/articles.py``)."""
        return [r[0] for name in sorted(names) for r in self.db.execute("select path from articles where instr(path, ?) > 0", [name])]

    def add_article(self, split, vectors, model: str) -> int:
        """Write one article split into claims (``splitting.Split``: the
        article, its language, claims, skipped lines and how rare each of its
        terms is) with its claims' vectors under ``model``, in one
        transaction; its id."""
        article, claims, skipped, rarities = split.article, split.claims, split.skipped, split.rarities
        alt_titles = [s.text for s in skipped if s.reason.startswith("other language")]
        with self.atomic():
            article_id = self.db["articles"].insert(
                {
                    "source": article.source, "title": article.title, "path": article.path,
                    "url": article.url, "published": article.published, "language": split.language,
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
            # One prepared statement (the table is the schema's): sqlite-utils'
            # insert_all builds and checks each of an article's hundreds of rows in Python.
            self.db.conn.executemany("insert into article_terms (article_id, term, weight) values (?, ?, ?)",
                                     ((article_id, k, round(w, 3)) for k, w in rarities.items()))
            self.keep_names(article_id, article.text)
            weights = self.term_weights(rarities)
            weigh_terms_of(self.db, article_id)
            self._drop_profiles_changed(self.articles_sharing_claims(article_id), list(rarities), weights)
            self.mark_changed()
        return article_id

    # What a reader's file says of an article besides its text: an edit of
    # only these (a JSONL record's date, a page's title fixed) is applied in
    # place, the claims kept; dates take part in stories and titles label them.
    METADATA = ingest.METADATA

    def metadata_of(self, article_ids: list[int]) -> dict[int, dict]:
        """id -> the stored ``METADATA`` of these articles."""
        columns = ", ".join(self.METADATA)
        rows = self.db.execute(f"select id, {columns} from articles where id in (select value from json_each(?))", [json.dumps(article_ids)])
        return {row[0]: dict(zip(self.METADATA, row[1:])) for row in rows}

    def update_metadata(self, article_id: int, values: dict) -> None:
        """New ``METADATA`` of a stored article; what is made of the articles
        is to be made again (stories read dates, their labels titles)."""
        with self.atomic():
            self.db["articles"].update(article_id, {k: values[k] for k in self.METADATA})
            self.mark_changed()

    def remove_article(self, article_id: int) -> None:
        """An article and everything made of its claims."""
        claim_ids = "select id from claims where article_id = ?"
        with self.atomic():
            sharing = self.articles_sharing_claims(article_id)
            terms = [r[0] for r in self.db.execute("select term from article_terms where article_id = ?", [article_id])]
            weights = self.term_weights(terms)
            texts = [r[0] for r in self.db.execute("select distinct coalesce(content, text) from claims where article_id = ?", [article_id])]
            self.db.execute(f"delete from claim_pairs where claim_a in ({claim_ids}) or claim_b in ({claim_ids})", [article_id, article_id])
            for table in ("embeddings", "claim_topics", "answers"):
                self.db.execute(f"delete from {table} where claim_id in ({claim_ids})", [article_id])
            self.db.execute("delete from claims where article_id = ?", [article_id])
            self.forget_features(texts)
            self.db.execute("delete from skipped where article_id = ?", [article_id])
            self.db.execute("delete from article_profiles where article_id = ?", [article_id])
            self.db.execute("delete from profile_terms where article_id = ?", [article_id])
            self.db.execute("delete from article_names where article_id = ?", [article_id])
            unweigh_terms_of(self.db, article_id)
            self._drop_profiles_changed(sharing, terms, weights)
            self.db.execute("delete from articles where id = ?", [article_id])
            self.mark_changed()

    def _drop_profiles_changed(self, sharing: set[int], terms: list[str], weights: dict[str, float]) -> None:
        """After an article was stored or removed: forget the kept profiles
        it changed, so that they are made again as a fresh build makes them
        (``stories._kept_profiles``). Those of the articles that assert one
        of its sentences (a sentence weighs 1 over the articles that assert
        it, ``stories.weights``), and of those with one of its ``terms``
        whose weight (``weights``: before) changed with it."""
        now = self.term_weights(terms)
        changed = [t for t in terms if now.get(t) != weights.get(t)]
        self.drop_profiles(sharing | (self.articles_with_terms(changed) if changed else set()))

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

    def claim_order(self, stories: Iterable[int] | None = None) -> dict[int, int]:
        """claim id -> its rank by article path, then place in the article:
        an order that does not depend on which build stored a claim, as ids
        do, so that pairs and topics come out alike however the db was built.
        With ``stories``, the ranks of those stories' claims among themselves:
        in the same order as among all claims."""
        where, params = in_stories(stories)
        rows = self.db.execute(
            f"select c.id from claims c join articles a on a.id = c.article_id {where} order by a.path, a.id, c.position, c.id", params
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

    def load(self, model: str, stories: Iterable[int] | None = None, articles: Iterable[int] | None = None) -> Loaded:
        """The claims with a vector of ``model``, in id order; with
        ``stories`` (or ``articles``), only the claims of those stories' articles
        (of those articles)."""
        if stories is None and articles is None:
            # From the embeddings, in the order of their primary key (claim_id,
            # model): ordering by claims.id made SQLite sort every vector.
            rows = self.db.execute(
                """select c.id, c.article_id, c.speaker, coalesce(c.content, c.text), c.terms, e.vector
                   from embeddings e join claims c on c.id = e.claim_id where e.model = ? order by e.claim_id""",
                [model],
            ).fetchall()
        else:
            # From the stories' articles down (the story_id and article_id indexes): a few claims of many.
            column, ids = ("a.story_id", stories) if stories is not None else ("a.id", articles)
            rows = self.db.execute(
                f"""select c.id, c.article_id, c.speaker, coalesce(c.content, c.text), c.terms, e.vector
                   from articles a join claims c on c.article_id = a.id
                   join embeddings e on e.claim_id = c.id and e.model = ?
                   where {column} in (select value from json_each(?)) order by c.id""",
                [model, json.dumps(sorted(ids))],
            ).fetchall()
        return Loaded(
            ids=[r[0] for r in rows], article_ids=np.array([r[1] for r in rows], dtype=np.int64),
            speakers=[r[2] for r in rows], contents=[r[3] for r in rows], terms=[r[4] for r in rows],
            vectors=embed.from_blobs([r[5] for r in rows]) if rows else np.zeros((0, 1), dtype=np.float32),
        )

    def previous_claims(self, stories: Iterable[int] | None = None) -> dict[int, int]:
        """claim id -> the id of the claim just before it in its article (of ``stories``' articles)."""
        where, params = in_stories(stories)
        return dict(self.db.execute(
            f"""select c.id, p.id from claims c join claims p on p.article_id = c.article_id and p.position = c.position - 1
                join articles a on a.id = c.article_id {where}""", params))

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
        # Found ones only, as the views show them (issue 44); the rest are candidates.
        for relation, view in (("conflict", "conflicts"), ("agree", "agreements")):
            counts[relation] = self.db.execute(f"select count(*) from {view}").fetchone()[0]
        row = self.db.execute("""select sum(relation in ('conflict', 'agree') and found is null), sum(found = 'machine'), sum(found = 'same statement')
                                 from claim_pairs where coalesce(status, 'proposed') = 'proposed'""").fetchone()  # one pass, not three
        counts.update(candidates=row[0] or 0, by_value=row[1] or 0, same_statement=row[2] or 0)
        return counts


def beside(db_path, name: str) -> str | None:
    """A project file next to the db (metadata.yml, questions.yml), if there."""
    candidate = Path(db_path).resolve().parent / name
    return str(candidate) if candidate.exists() else None
