"""Saved web pages (``.html``, ``.htm``) as articles: the page's main text,
title, date, outlet, author and canonical URL, as trafilatura extracts them
(boilerplate removal: menus, teasers, cookie banners, comment forms and
"read more" links are left out; htmldate finds the date).

Needs the ``web`` extra (``pip install 'claims[web]'``); without it, or when a
page has no main text to find, the page is one ``ingest.Problem``, never a
crash.
"""

from __future__ import annotations

from urllib.parse import urlparse

# A page whose main text is shorter than this is a front page, a gallery or an error page.
MIN_TEXT = 200


def missing() -> str | None:
    """The one line to show when the extra is not installed, else None."""
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        return "reading saved pages needs trafilatura (pip install 'claims[web]'), skipped"
    return None


def extract(data: bytes | str, path: str, url: str | None = None) -> tuple[dict | None, str | None]:
    """(fields of the article, None) or (None, why not): ``title``, ``text``
    (its title, a blank line, the main text), ``source`` (the outlet),
    ``published`` (YYYY-MM-DD), ``author``, ``url``."""
    problem = missing()
    if problem:
        return None, problem
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            data, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True,
            deduplicate=False,  # its cache spans calls: a page read twice (a rebuild) would come out empty
        )
    except Exception as e:  # lxml's errors on a broken page are many and undocumented
        return None, f"not a readable HTML page ({type(e).__name__}), skipped"
    fields = (doc.as_dict() if hasattr(doc, "as_dict") else doc) if doc is not None else None
    body = ((fields or {}).get("text") or "").strip()
    if len(body) < MIN_TEXT:
        return None, "no article text found in the page (a front page, a gallery or an error page?), skipped"
    title = " ".join((fields.get("title") or "").split())
    page_url = fields.get("url") or url
    return {
        "title": title or body.splitlines()[0][:200],
        "text": (title + "\n\n" + body + "\n") if title else body + "\n",
        "source": outlet(fields.get("sitename"), page_url, path),
        "published": fields.get("date") or None,
        "author": fields.get("author") or None,
        "url": page_url or None,
    }, None


def outlet(sitename: str | None, url: str | None, path: str) -> str:
    """The outlet's name as the page gives it, else its host, else the file's name."""
    if sitename and sitename.strip():
        return " ".join(sitename.split())
    host = urlparse(url).hostname if url else None
    if host:
        return host.removeprefix("www.")
    from pathlib import Path

    return Path(path).stem
