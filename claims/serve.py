"""Serve: Datasette over the claims database, with the project's metadata."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from . import store
from .errors import ReviewNotLocal


LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}



def command(
    db_path: str, host: str = "127.0.0.1", port: int = 8001, metadata: str | None = None, open_browser: bool = False,
    review: bool = False,
) -> list[str]:
    if review and host not in LOCAL_HOSTS:
        # Anyone who can reach the server could write: reviewing stays on this machine.
        raise ReviewNotLocal(f"--review serves on 127.0.0.1 only, not {host}")
    args = [sys.executable, "-m", "datasette", "serve", str(db_path), "--host", host, "--port", str(port)]
    # The facets that help are in the metadata. Datasette's suggestions crowd the
    # pair views, and each is a query over every row: on a large corpus they are
    # most of the time the conflicts page takes.
    args += ["--setting", "suggest_facets", "off"]
    metadata = metadata or store.beside(db_path, "metadata.yml")
    if metadata:
        metadata = named_for(db_path, metadata)
    if review:
        metadata = reviewing(metadata)
    if metadata:
        args += ["--metadata", metadata]
    if open_browser:
        args.append("--open")
    return args


def serve(
    db_path: str, host: str = "127.0.0.1", port: int = 8001, metadata: str | None = None, open_browser: bool = False,
    review: bool = False,
) -> None:
    """Say where the largest story's page is, then become Datasette: a child
    process would outlive a ``claims serve`` that is killed or terminated,
    and keep the port and its memory. ``open_browser`` opens that page (the
    front page when the db has no story). A file that is no SQLite db is
    one line (``store.NotADatabase``), not Datasette's traceback."""
    store.readable(db_path)
    if review and host not in LOCAL_HOSTS:
        raise ReviewNotLocal(f"--review serves on 127.0.0.1 only, not {host}")
    if review:
        # The reviews table comes with the schema: a db built by an older version is migrated first.
        store.Store(db_path)
    url = story_url(db_path, host, port)
    if url:
        print(f"claims: the story at a glance: {url}", file=sys.stderr, flush=True)
    if open_browser and url:
        # Datasette's --open opens its front page; the story's page is what a reader came for.
        subprocess.Popen(
            [sys.executable, "-c", "import sys, time, webbrowser; time.sleep(3); webbrowser.open(sys.argv[1])", url],
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        open_browser = False
    args = command(db_path, host=host, port=port, metadata=metadata, open_browser=open_browser, review=review)
    os.execv(args[0], args)


def story_url(db_path: str, host: str, port: int) -> str | None:
    """The page of the story with the most articles, or None."""
    import sqlite3

    from datasette.utils import tilde_encode

    try:
        with sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True) as conn:
            row = conn.execute("select id from stories order by articles desc, id limit 1").fetchone()
    except sqlite3.Error:
        return None
    if not row:
        return None
    return f"http://{host}:{port}/-/claims/{tilde_encode(Path(db_path).stem)}/story/{row[0]}"


def named_for(db_path: str, metadata: str) -> str:
    """``metadata``, or a copy of it whose one database is named after
    ``db_path``. Datasette names a database after its file and finds its
    descriptions, facets and canned queries under that name: a db built as
    news.db would lose all of them to metadata written for claims.db."""
    import yaml
    from datasette.utils import tilde_encode

    text = Path(metadata).read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    databases = data.get("databases") or {}
    name = Path(db_path).stem
    if len(databases) != 1 or name in databases:
        return str(metadata)
    [(old, entry)] = databases.items()
    data["databases"] = {name: entry}
    for key in ("description_html", "description"):
        if isinstance(data.get(key), str):
            data[key] = data[key].replace(f'href="/{tilde_encode(old)}/', f'href="/{tilde_encode(name)}/')
    digest = hashlib.sha256(f"{name}\0{text}".encode()).hexdigest()[:16]
    renamed = Path(tempfile.gettempdir()) / f"claims-metadata-{digest}.yml"
    renamed.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(renamed)


def reviewing(metadata: str | None) -> str:
    """A copy of ``metadata`` (or of none) that turns reviewing on: the
    plugin's ``review`` option, which only ``claims serve --review`` sets."""
    import yaml

    data = (yaml.safe_load(Path(metadata).read_text(encoding="utf-8")) or {}) if metadata else {}
    data.setdefault("plugins", {}).setdefault("claims", {})["review"] = True
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path = Path(tempfile.gettempdir()) / f"claims-metadata-review-{hashlib.sha256(text.encode()).hexdigest()[:16]}.yml"
    path.write_text(text, encoding="utf-8")
    return str(path)
