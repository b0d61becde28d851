"""Serve: Datasette over the claims database, with the project's metadata."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from . import store


def command(db_path: str, host: str = "127.0.0.1", port: int = 8001, metadata: str | None = None, open_browser: bool = False) -> list[str]:
    args = [sys.executable, "-m", "datasette", "serve", str(db_path), "--host", host, "--port", str(port)]
    # The facets that help are in the metadata. Datasette's suggestions crowd the
    # pair views, and each is a query over every row: on a large corpus they are
    # most of the time the conflicts page takes.
    args += ["--setting", "suggest_facets", "off"]
    metadata = metadata or store.beside(db_path, "metadata.yml")
    if metadata:
        args += ["--metadata", named_for(db_path, metadata)]
    if open_browser:
        args.append("--open")
    return args


def serve(db_path: str, host: str = "127.0.0.1", port: int = 8001, metadata: str | None = None, open_browser: bool = False) -> None:
    """Say where the largest story's page is, then become Datasette: a child
    process would outlive a ``claims serve`` that is killed or terminated,
    and keep the port and its memory. ``open_browser`` opens that page (the
    front page when the db has no story). A file that is no SQLite db is
    one line (``store.NotADatabase``), not Datasette's traceback."""
    store.readable(db_path)
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
    args = command(db_path, host=host, port=port, metadata=metadata, open_browser=open_browser)
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
