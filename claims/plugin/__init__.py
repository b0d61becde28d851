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

from .. import embed

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
                await loop.run_in_executor(None, embedding, model_name, "")

    return warm_up


def _article_url(datasette, database: str, article_id, claim_id) -> str:
    return datasette.urls.path(f"/-/claims/{database}/article/{article_id}") + f"?claim={claim_id}#claim"


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Each claim of a pair links to its article, where its span is marked."""
    if table not in PAIR_TABLES or column not in ("claim_a", "claim_b") or value is None:
        return None
    keys = row.keys() if hasattr(row, "keys") else []
    side = column[-1]
    if table == "claim_pairs" or f"article_{side}_id" not in keys:
        return None
    url = _article_url(datasette, database, row[f"article_{side}_id"], row[f"claim_{side}_id"])
    return Markup(f'<a class="claims-claim" href="{escape(url)}">{escape(value)}</a>')


async def article_page(request, datasette):
    database = request.url_vars["database"]
    db = datasette.get_database(database)
    article_id = int(request.url_vars["id"])
    rows = await db.execute("select id, title, source, path, url, published, text from articles where id = ?", [article_id])
    article = rows.first()
    if article is None:
        return Response.html("No such article", status=404)
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


@hookimpl
def register_routes():
    return [(r"^/-/claims/(?P<database>[^/]+)/article/(?P<id>\d+)$", article_page)]
