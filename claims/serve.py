"""Serve: Datasette over the claims database, with the project's metadata."""

from __future__ import annotations

import os
import sys

from . import store


def command(db_path: str, host: str = "127.0.0.1", port: int = 8001, metadata: str | None = None, open_browser: bool = False) -> list[str]:
    args = [sys.executable, "-m", "datasette", "serve", str(db_path), "--host", host, "--port", str(port)]
    # The facets that help are in the metadata. Datasette's suggestions crowd the
    # pair views, and each is a query over every row: on a large corpus they are
    # most of the time the conflicts page takes.
    args += ["--setting", "suggest_facets", "off"]
    metadata = metadata or store.beside(db_path, "metadata.yml")
    if metadata:
        args += ["--metadata", str(metadata)]
    if open_browser:
        args.append("--open")
    return args


def serve(db_path: str, **options) -> None:
    """Become Datasette: a child process would outlive a ``claims serve``
    that is killed or terminated, and keep the port and its memory."""
    args = command(db_path, **options)
    os.execv(args[0], args)
