"""Plugin: the claims database in Datasette.

Installed with the package (entry point ``datasette``), so a plain
``datasette db/claims.db`` gets

- ``claims_embed(text)``: the embedding BLOB of ``text`` by the model the db
  was built with (``config.model``), to rank claims by meaning in SQL;
- ``vec_distance_cosine(a, b)``: sqlite-vec's when this SQLite can load
  extensions, else the same function in Python;
- the claims of a pair as links to their article, the claim's span marked;
- ``/-/claims/<database>/article/<id>?claim=<id>``: an article with a claim marked.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

import numpy as np
from datasette import Response, hookimpl
from markupsafe import Markup, escape

from ..index import embed
from ..inputs.ingest import published_day
from ..store.reviews import review_key
from ..store.schema import PAIR_CANDIDATES
from . import review

PAIR_TABLES = {"conflicts", "agreements", "claim_pairs"}


def _model_name(conn) -> str | None:
    # Not every database Datasette opens is a claims db (_internal, _memory).
    if not conn.execute("select 1 from sqlite_master where type = 'table' and name = 'config'").fetchone():
        return None
    row = conn.execute("select value from config where key = 'model'").fetchone()
    return row[0] if row else None


@lru_cache(maxsize=1024)
def embedding(model_name: str, text: str) -> bytes:
    [vector] = embed.encode(embed.load_model(model_name), [text])
    return embed.to_blob(vector)


def embed_function(model_name: str | None):
    def claims_embed(text):
        if text is None:
            return None
        if not model_name:
            raise ValueError("claims_embed: this database has no config.model; build it with `claims build`")
        return embedding(model_name, str(text))

    return claims_embed


def cosine_distance(a: bytes | None, b: bytes | None) -> float | None:
    """1 - cosine similarity of two float32 BLOBs, as sqlite-vec computes it."""
    if a is None or b is None:
        return None
    u, v = embed.from_blob(a), embed.from_blob(b)
    if u.shape != v.shape:
        raise ValueError(f"vec_distance_cosine: vectors of {u.size} and {v.size} dimensions")
    norm = float(np.linalg.norm(u) * np.linalg.norm(v))
    return 1.0 - float(u @ v) / norm if norm else None


def load_vec(conn) -> bool:
    """sqlite-vec's functions on ``conn``; False when it cannot load extensions
    (the standard library's sqlite3 on some builds)."""
    try:
        import sqlite_vec

        conn.enable_load_extension(True)
        sqlite_vec.load(conn)
        conn.enable_load_extension(False)
        return True
    except Exception:  # AttributeError without load_extension; pysqlite3 raises its own error classes
        return False


@hookimpl
def prepare_connection(conn):
    # Deterministic, so SQLite embeds a constant argument (:q) once per query, not once per row.
    conn.create_function("claims_embed", 1, embed_function(_model_name(conn)), deterministic=True)
    if not load_vec(conn):
        conn.create_function("vec_distance_cosine", 2, cosine_distance, deterministic=True)


@hookimpl
def startup(datasette):
    # Load the model before the first query: loading takes seconds, longer
    # than Datasette's time limit for one query.
    async def warm_up():
        loop = asyncio.get_running_loop()
        for name, db in datasette.databases.items():
            if name.startswith("_"):
                continue
            model_name = await db.execute_fn(_model_name)
            if model_name:
                try:
                    await loop.run_in_executor(None, embedding, model_name, "")
                except embed.ModelNotFound:
                    # Pages do not need the model; claims_embed() says so when a query asks for it.
                    pass

    return warm_up


def _article_url(datasette, database: str, article_id, claim_id) -> str:
    return datasette.urls.path(f"/-/claims/{database}/article/{article_id}") + f"?claim={claim_id}#claim"


def story_url(datasette, database: str, story_id) -> str:
    return datasette.urls.path(f"/-/claims/{database}/story/{story_id}")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Each claim of a pair links to its article, where its span is marked;
    each story's label to its page."""
    if table == "stories" and column == "label" and value is not None and "id" in (row.keys() if hasattr(row, "keys") else []):
        return Markup(f'<a class="claims-story" href="{escape(story_url(datasette, database, row["id"]))}">{escape(value)}</a>')
    if table not in PAIR_TABLES or column not in ("claim_a", "claim_b") or value is None:
        return None
    keys = row.keys() if hasattr(row, "keys") else []
    side = column[-1]
    if table == "claim_pairs" or f"article_{side}_id" not in keys:
        return None
    url = _article_url(datasette, database, row[f"article_{side}_id"], row[f"claim_{side}_id"])
    return Markup(f'<a class="claims-claim" href="{escape(url)}">{escape(value)}</a>')


def _not_found(message: str) -> Response:
    return Response.html(f"<h1>Not found</h1><p>{escape(message)}</p>", status=404)


def _database(datasette, name: str):
    """The claims db Datasette serves as ``name``, or None."""
    try:
        return datasette.get_database(name)
    except KeyError:
        return None


async def _requested(request, datasette, table: str, noun: str, columns: str):
    """(database name, db, the row of ``table`` the URL's id names), or the
    404 that says what is missing: the database, the table, the row."""
    database, id_ = request.url_vars["database"], request.url_vars["id"]
    db = _database(datasette, database)
    if db is None:
        return _not_found(f"No database {database!r}")
    if not id_.isdigit():
        return _not_found(f"No {noun} {id_!r}: {table} are numbered")
    if not await db.table_exists(table):
        return _not_found(f"{database} is not a claims database with {table}")
    row = (await db.execute(f"select {columns} from {table} where id = ?", [int(id_)])).first()
    if row is None:
        return _not_found(f"No {noun} {id_} in {database}")
    return database, db, row


async def article_page(request, datasette):
    found = await _requested(request, datasette, "articles", "article", "id, title, source, path, url, published, text")
    if isinstance(found, Response):
        return found
    database, db, article = found
    article_id = article["id"]
    claim = None
    if request.args.get("claim", "").isdigit():
        claim = (await db.execute(
            "select id, start, end, speaker, speaker_kind, quote from claims where id = ? and article_id = ?",
            [int(request.args["claim"]), article_id],
        )).first()
    text = article["text"]
    if claim:
        before, span, after = text[: claim["start"]], text[claim["start"] : claim["end"]], text[claim["end"] :]
    else:
        before, span, after = text, "", ""
    return Response.html(
        await datasette.render_template(
            "claims_article.html",
            {"database": database, "article": dict(article), "claim": dict(claim) if claim else None,
             "before": before, "span": span, "after": after},
            request=request,
        )
    )


STANCE_ORDER = {"yes": 0, "no": 1, "unclear": 2}


async def story_page(request, datasette):
    """A story at a glance: its sources as columns, its contested points as
    rows, each cell the source's stance with the claim; then its conflicts
    grouped by point, its agreements and its articles in time."""
    found = await _requested(request, datasette, "stories", "story", "*")
    if isinstance(found, Response):
        return found
    database, db, story = found
    story_id = story["id"]
    articles = [dict(r) for r in await db.execute(
        "select id, source, title, published, url from articles where story_id = ? order by coalesce(published, ''), id", [story_id])]
    # Sources left to right as they first reported (undated after dated,
    # then as they were added): the page reads in time where it can.
    sources = list(dict.fromkeys(a["source"] for a in sorted(articles, key=lambda a: (_day(a["published"]) or "~", a["id"]))))
    answers = [dict(r) for r in await db.execute(
        """select q.id as question_id, q.question, q.proposition, q.origin, s.stance, s.score, coalesce(s.carried, s.reason) as reason, s.judge,
                  s.status, s.judged_stance,
                  c.id as claim_id, c.text as claim, c.speaker, a.id as article_id, a.source, a.title, a.published
           from answers s join questions q on q.id = s.question_id join claims c on c.id = s.claim_id
           join articles a on a.id = c.article_id
           where a.story_id = ? and (q.story_id is null or q.story_id = ?)
           order by case q.origin when 'auto' then 1 else 0 end, q.rowid""",
        [story_id, story_id],
    )]
    points: dict[str, dict] = {}
    for row in answers:
        point = points.setdefault(row["question_id"], {
            "id": row["question_id"], "question": row["question"], "proposition": row["proposition"],
            "origin": row["origin"] or "user", "cells": {source: [] for source in sources}, "claims": set(),
        })
        row["url"] = _article_url(datasette, database, row["article_id"], row["claim_id"])
        point["cells"][row["source"]].append(row)
        if row["stance"] != "unclear":
            point["claims"].add(row["claim_id"])
    for point in points.values():
        taken = set()
        for source, cell in point["cells"].items():
            cell.sort(key=lambda r: (STANCE_ORDER[r["stance"]], -(r["score"] or 0)))
            clear = {r["stance"] for r in cell} - {"unclear"}
            # A source whose claims say yes and no (two speakers, or a change of mind) shows both.
            stance = "mixed" if clear == {"yes", "no"} else (clear.pop() if clear else "unclear")
            shown = [next(r for r in cell if r["stance"] == s) for s in ("yes", "no")] if stance == "mixed" else cell[:1]
            for row in shown:
                # When the source first said so: its earliest dated claim of this stance.
                row["first"] = min(filter(None, (_day(r["published"]) for r in cell if r["stance"] == row["stance"])), default=None)
            point["cells"][source] = {"stance": stance, "shown": shown, "more": [r for r in cell if r not in shown]} if cell else None
            taken |= {stance} if stance in ("yes", "no") else set()
        point["contested"] = taken == {"yes", "no"}
    # Contested first: points on which sources take both sides.
    shown = sorted(points.values(), key=lambda p: (not p["contested"], p["origin"] != "user"))
    pairs = {}
    for relation, view in (("conflict", "conflicts"), ("agree", "agreements")):
        rows = [dict(r) for r in await db.execute(f"select * from {view} where story_id = ? order by score desc", [story_id])]
        for r in rows:
            r["url_a"] = _article_url(datasette, database, r["article_a_id"], r["claim_a_id"])
            r["url_b"] = _article_url(datasette, database, r["article_b_id"], r["claim_b_id"])
        pairs[relation] = rows
    # What the machine suspects, apart from what is found (issue 44): conflicts first.
    candidates = sorted((dict(r) for r in await db.execute(PAIR_CANDIDATES, [story_id])),
                        key=lambda r: (r["relation"] != "conflict", -(r["score"] or 0)))
    for r in candidates:
        r["url_a"] = _article_url(datasette, database, r["article_a_id"], r["claim_a_id"])
        r["url_b"] = _article_url(datasette, database, r["article_b_id"], r["claim_b_id"])
    notes = await _notes(db)
    for row in answers:
        row["note"] = notes.get(review_key("stance", row["claim"], question=row["proposition"])) or notes.get(review_key("stance", row["claim"], question=row["question"]))
    for rows in (*pairs.values(), candidates):
        for r in rows:
            r["note"] = notes.get(review_key("pair", r["claim_a"], r["claim_b"]))
    reviewed_related = [dict(r) for r in await db.execute(
        """select p.claim_a as claim_a_id, p.claim_b as claim_b_id, a.text as claim_a, b.text as claim_b,
                  a.article_id as article_a_id, b.article_id as article_b_id, p.status, p.judged_relation
           from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
           join articles aa on aa.id = a.article_id
           where p.status = 'confirmed' and p.relation = 'related' and aa.story_id = ?""", [story_id])]
    for r in reviewed_related:
        r["url_a"] = _article_url(datasette, database, r["article_a_id"], r["claim_a_id"])
        r["url_b"] = _article_url(datasette, database, r["article_b_id"], r["claim_b_id"])
        r["note"] = notes.get(review_key("pair", r["claim_a"], r["claim_b"]))
    grouped, placed = [], set()
    for point in shown:
        mine = [r for r in pairs["conflict"] if {r["claim_a_id"], r["claim_b_id"]} <= point["claims"] and r["pair"] not in placed]
        placed |= {r["pair"] for r in mine}
        if mine:
            grouped.append((point["question"], mine))
    rest = [r for r in pairs["conflict"] if r["pair"] not in placed]
    if rest:
        grouped.append(("Other conflicts", rest))
    return Response.html(
        await datasette.render_template(
            "claims_story.html",
            {
                "database": database, "story": dict(story), "articles": articles, "threads": threads(articles), "sources": sources, "points": shown,
                "conflicts": grouped, "agreements": pairs["agree"], "candidates": candidates, "dated": any(a["published"] for a in articles),
                "reviewed_related": reviewed_related, "reviewing": review.enabled(datasette), "here": request.path,
            },
            request=request,
        )
    )


BURST_GAP = 7  # days without a report that end one thread of a story's coverage


def threads(articles: list[dict]) -> list[dict]:
    """A story's articles (in date order) as threads of coverage: the reports
    of an event's days and those after, then, after a week with none, the
    next (the aftermath: an investigation closed a year later). Undated
    articles stand in a last thread of their own."""
    out: list[dict] = []
    for article in articles:
        day = published_day(article["published"])
        last = out[-1] if out else None
        if day is None:
            if not last or last["first"] is not None:
                out.append({"first": None, "last": None, "articles": []})
        elif not last or last["last"] is None or (day - last["last"]).days > BURST_GAP:
            out.append({"first": day, "last": day, "articles": []})
        out[-1]["articles"].append(article)
        if day is not None:
            out[-1]["last"] = max(out[-1]["last"], day)
    return out


def _day(published: str | None) -> str | None:
    """The day a stored ``published`` names (YYYY-MM-DD), as stories read it."""
    day = published_day(published)
    return day.isoformat() if day else None


async def _notes(db) -> dict[tuple, str]:
    """The note of the latest review of each pair (kind, its texts in order)
    and each stance (kind, claim text, point), where the reader wrote one."""
    if not await db.table_exists("reviews"):
        return {}
    notes: dict[tuple, str] = {}
    for r in await db.execute("select kind, text_a, text_b, question, note from reviews order by id"):
        notes[review_key(r["kind"], r["text_a"], r["text_b"], r["question"])] = r["note"]
    return notes


async def queue_page(request, datasette):
    """The review queue: the proposals most worth a reader's time first
    (the ``review_queue`` view), with the controls to decide them."""
    database = request.url_vars["database"]
    db = _database(datasette, database)
    if db is None:
        return _not_found(f"No database {database!r}")
    if not await db.table_exists("reviews"):
        return _not_found(f"{database} is not a claims database with reviews")
    limit = int(request.args["limit"]) if request.args.get("limit", "").isdigit() else 50
    rows = [dict(r) for r in await db.execute("select * from review_queue limit ?", [limit])]
    for r in rows:
        r["status"] = "proposed"
        r["claim_id"] = r["claim_a_id"]
    done = (await db.execute("select count(*) from reviews")).first()[0]
    return Response.html(
        await datasette.render_template(
            "claims_queue.html", {"database": database, "rows": rows, "done": done, "reviewing": review.enabled(datasette), "here": request.path},
            request=request,
        )
    )


async def not_found_page(request, datasette):
    return _not_found(f"No such page: {request.path}")


@hookimpl
def register_routes():
    return [
        (r"^/-/claims/(?P<database>[^/]+)/article/(?P<id>[^/]+)$", article_page),
        (r"^/-/claims/(?P<database>[^/]+)/story/(?P<id>[^/]+)$", story_page),
        (r"^/-/claims/(?P<database>[^/]+)/queue$", queue_page),
        (r"^/-/claims/(?P<database>[^/]+)/review$", review.review_route),
        # Anything else under the plugin's prefix: a 404 with a message, never a 500.
        (r"^/-/claims(/.*)?$", not_found_page),
    ]
