"""Reviewing in the browser: ``POST /-/claims/<database>/review`` keeps a
reader's verdict on a pair or a stance (``store.Store.add_review``).

Writes only when the server was started for it (``claims serve --review``
sets the plugin's ``review`` option in the metadata): else the route answers
403 and serving stays read-only. The forms are plain HTML with Datasette's
CSRF token (asgi-csrf refuses a POST without it, 403); a malformed request
answers 400, an unknown database or claim 404, never 500.
"""

from __future__ import annotations

import json

import sqlite_utils
from datasette import Response
from markupsafe import escape

from ..store import REVIEW_VALUES, Store

NOTE_MAX = 2000
CSRF_COOKIE = "ds_csrftoken"  # Datasette's (asgi-csrf's cookie_name)


def enabled(datasette) -> bool:
    return bool((datasette.plugin_config("claims") or {}).get("review"))


def _error(status: int, message: str) -> Response:
    titles = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed"}
    return Response.html(f"<h1>{titles[status]}</h1><p>{escape(message)}</p>", status=status)


def _local(url: str | None) -> str | None:
    """``url`` if it is a path on this server (no open redirect), else None."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return None


async def review_route(request, datasette):
    if request.method != "POST":
        return _error(405, "POST a review: kind, value and the claims (the forms on the story page do)")
    if not enabled(datasette):
        return _error(403, "this server is read-only: start it with `claims serve --review` to review verdicts")
    database = request.url_vars["database"]
    try:
        db = datasette.get_database(database)
    except KeyError:
        return _error(404, f"No database {database!r}")
    if not await db.table_exists("reviews"):
        return _error(404, f"{database} is not a claims database with reviews (build it with claims build)")
    form = await request.post_vars()
    # asgi-csrf checks the token against its cookie, but lets a POST without
    # any cookie through: a page elsewhere could then post for a reader who
    # never opened this server. A review needs both.
    if not request.cookies.get(CSRF_COOKIE) or not form.get("csrftoken"):
        return _error(403, "a review needs the form's CSRF token: review from the story page or the queue")
    kind, value, note = form.get("kind"), form.get("value"), (form.get("note") or "").strip()
    if kind not in REVIEW_VALUES:
        return _error(400, "kind is pair or stance")
    if value != "undo" and value not in REVIEW_VALUES[kind]:
        return _error(400, f"a {kind} review is one of {', '.join(REVIEW_VALUES[kind])} (or undo)")
    if len(note) > NOTE_MAX:
        return _error(400, f"a note is at most {NOTE_MAX} characters")
    fields = ("claim_a", "claim_b") if kind == "pair" else ("claim_id",)
    if not all((form.get(f) or "").isdigit() for f in fields):
        return _error(400, f"a {kind} review names {' and '.join(fields)} by number")
    ids = [int(form[f]) for f in fields]
    rows = {r["id"]: r["text"] for r in await db.execute(
        "select id, text from claims where id in (select value from json_each(?))", [json.dumps(ids)])}
    missing = [i for i in ids if i not in rows]
    if missing:
        return _error(404, f"No claim {missing[0]} in {database}")
    question = None
    # A stance is on a point; a pair may name the point it was derived on
    # (the queue's): the reader's relation then settles a side too
    # (``Store._sides_of_pairs``). An automatic point gone since the page was
    # shown leaves the pair's review standing alone.
    if kind == "stance" or form.get("question_id"):
        question_id = form.get("question_id") or ""
        found = (await db.execute("select proposition, question from questions where id = ?", [question_id])).first()
        if found is None and kind == "stance":
            return _error(404, f"No point {question_id!r} in {database}")
        question = (found["proposition"] or found["question"]) if found else None
    texts = [rows[i] for i in ids] + [None] * (2 - len(ids))
    actor = (request.actor or {}).get("id") or "reader"

    def write(conn):
        store = Store(sqlite_utils.Database(conn))
        if value == "undo":
            store.remove_reviews(kind, texts[0], texts[1], question)
        else:
            store.add_review(kind, value, texts[0], texts[1], question, note=note or None, actor=actor)

    await db.execute_write_fn(write, block=True)
    back = _local(form.get("next")) or datasette.urls.path(f"/-/claims/{database}/queue")
    return Response.redirect(back, status=303)

