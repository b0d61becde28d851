"""Fetched pages (``inputs/fetch.py``), raw, each once, in the table
``pages``: the ``Store``'s methods for them (a mixin of ``store.Store``)."""

from __future__ import annotations

import datetime as dt
import json


class Pages:
    """The ``Store``'s methods for fetched pages."""

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
