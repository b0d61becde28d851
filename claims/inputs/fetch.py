"""Fetch: articles from URLs, given on the command line or in a ``.urls``
file (one a line, ``#`` comments).

Politely: a User-Agent naming the tool and its version, a timeout, a few
retries with backoff on a dropped connection or a 5xx / 429, at most
``PER_HOST`` requests at once to one host (``AT_ONCE`` in all, so a list of
many sites is not fetched one by one). Each page is stored raw, once, in the table ``pages`` (``Store.save_page``)
the moment it arrives, so that a rebuild, a build killed while fetching, or a
new model never fetches it again and works offline; ``refresh`` fetches again.
Redirects are followed and the final URL kept. Every failure (DNS, timeout,
4xx, not HTML, too large) is one ``ingest.Problem`` naming the URL, and the
build goes on. The page itself is read as a saved page is (``pages.py``).
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import ingest

URL_LIST_SUFFIXES = {".urls"}
TIMEOUT = 20.0  # seconds for a page
RETRIES = 3
BACKOFF = 0.5  # seconds, doubled after each retry
MAX_BYTES = 5_000_000
PER_HOST = 2  # requests at once to one host: polite to each site
AT_ONCE = 8  # requests at once in all


def user_agent() -> str:
    try:
        v = version("claims")
    except PackageNotFoundError:
        v = "dev"
    return f"claims/{v} (claim comparison tool; python-httpx)"


def is_url(item) -> bool:
    return isinstance(item, str) and item.strip().lower().startswith(("http://", "https://"))


def split_items(items: list) -> tuple[list[str], list, list[ingest.Problem]]:
    """(the URLs given, in order and once, directly or in ``.urls`` files;
    the other items; problems reading a URL list)."""
    urls, rest, problems = [], [], []
    for item in items:
        if is_url(item):
            urls.append(item.strip())
        elif isinstance(item, (str, Path)) and Path(item).suffix.lower() in URL_LIST_SUFFIXES and Path(item).is_file():
            try:
                lines = Path(item).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as e:
                problems.append(ingest.Problem(str(item), f"cannot be read as a list of URLs ({e}), skipped"))
                continue
            for number, line in enumerate(lines, 1):
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                if is_url(line):
                    urls.append(line)
                else:
                    problems.append(ingest.Problem(f"{item}:{number}", f"not a URL ({line[:60]!r}), skipped"))
        else:
            rest.append(item)
    return list(dict.fromkeys(urls)), rest, problems


def get(client, url: str) -> tuple[dict | None, str | None]:
    """The page at ``url`` as the ``pages`` table keeps it, or why not."""
    import httpx

    delay = BACKOFF
    for attempt in range(RETRIES + 1):
        try:
            with client.stream("GET", url) as response:
                if response.status_code in (429,) or response.status_code >= 500:
                    error = f"HTTP {response.status_code}"
                else:
                    if response.status_code >= 400:
                        return None, f"HTTP {response.status_code}, skipped"
                    kind = response.headers.get("content-type", "")
                    if "html" not in kind.lower():
                        return None, f"not an HTML page ({kind or 'no content type'}), skipped"
                    if int(response.headers.get("content-length") or 0) > MAX_BYTES:
                        return None, f"larger than {MAX_BYTES:,} bytes, skipped"
                    body = b""
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > MAX_BYTES:
                            return None, f"larger than {MAX_BYTES:,} bytes, skipped"
                    return {
                        "url": url, "final_url": str(response.url), "status": response.status_code,
                        "headers": "\n".join(f"{k}: {v}" for k, v in response.headers.items()), "html": body,
                    }, None
        except httpx.TimeoutException:
            error = f"no answer within {client.timeout.read or TIMEOUT:g} s"
        except httpx.TransportError as e:
            error = f"cannot connect ({type(e).__name__}: {e})"
        except httpx.InvalidURL as e:
            return None, f"not a valid URL ({e}), skipped"
        if attempt < RETRIES:
            time.sleep(delay)
            delay *= 2
    return None, f"{error} after {RETRIES + 1} tries, skipped"


def articles_from(urls: list[str], store, refresh: bool = False, timeout: float | None = None) -> tuple[list[ingest.Article], list[ingest.Problem]]:
    """An article for each URL: from its stored page, else fetched and stored."""
    articles, problems = [], []
    stored = {} if refresh else store.stored_pages(urls)
    todo = [u for u in urls if u not in stored]
    if todo:
        import httpx

        failed = {}
        with httpx.Client(follow_redirects=True, timeout=timeout or TIMEOUT, headers={"User-Agent": user_agent()}) as client:
            # Stored here, in this thread (the store's connection is), as each
            # arrives: a build killed while fetching keeps what it got.
            for url, page, problem in fetch_all(client, todo):
                if page is None:
                    failed[url] = problem
                    continue
                store.save_page(**page)
                stored[url] = page
        problems += [ingest.Problem(url, failed[url]) for url in todo if url in failed]
    for url in urls:
        page = stored.get(url)
        if page is None:
            continue
        found, trouble = ingest.read_page(page["html"], url, page["final_url"])
        for article in found:
            article.url = article.url or page["final_url"]
        articles += found
        problems += trouble
    return articles, problems


def fetch_all(client, urls: list[str]):
    """(url, page, problem) for each of ``urls`` as its answer arrives, from
    ``AT_ONCE`` threads: each host's URLs in ``PER_HOST`` lanes fetched one
    after another, so no host gets more than ``PER_HOST`` requests at once."""
    from urllib.parse import urlsplit

    lanes: dict[tuple, list[str]] = {}
    seen: dict[str, int] = {}
    for url in urls:
        host = (urlsplit(url).hostname or "").lower()
        seen[host] = seen.get(host, 0) + 1
        lanes.setdefault((host, seen[host] % PER_HOST), []).append(url)
    arrived: queue.Queue = queue.Queue()
    stop = threading.Event()

    def run(lane: list[str]) -> None:
        for url in lane:
            if stop.is_set():
                return
            try:
                arrived.put((url, *get(client, url)))
            except BaseException as e:  # handed to the caller's thread, raised there
                arrived.put((url, e, None))
                return

    pool = ThreadPoolExecutor(max_workers=AT_ONCE, thread_name_prefix="claims-fetch")
    try:
        for lane in lanes.values():
            pool.submit(run, lane)
        for _ in urls:
            url, page, problem = arrived.get()
            if isinstance(page, BaseException):
                raise page
            yield url, page, problem
    finally:
        # Killed or done: no lane starts another request.
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)


def feed_items(feed_url: str, timeout: float | None = None) -> tuple[list[dict], list[ingest.Problem]]:
    """The items of an RSS or Atom feed: ``url``, ``title``, ``published``
    (YYYY-MM-DD) each, newest as the feed orders them. The feed itself is
    fetched every time (that is what a feed is for); its pages are not."""
    try:
        import feedparser
    except ImportError:
        return [], [ingest.Problem(feed_url, "reading feeds needs feedparser (pip install 'claims[web]'), skipped")]
    import httpx

    with httpx.Client(follow_redirects=True, timeout=timeout or TIMEOUT, headers={"User-Agent": user_agent()}) as client:
        try:
            response = client.get(feed_url)
        except httpx.HTTPError as e:
            return [], [ingest.Problem(feed_url, f"cannot fetch the feed ({type(e).__name__}), skipped")]
    if response.status_code >= 400:
        return [], [ingest.Problem(feed_url, f"HTTP {response.status_code}, skipped")]
    parsed = feedparser.parse(response.content)
    if parsed.bozo and not parsed.entries:
        return [], [ingest.Problem(feed_url, "not an RSS or Atom feed, skipped")]
    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not is_url(link or ""):
            continue
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        items.append({
            "url": link, "title": " ".join((entry.get("title") or "").split()) or None,
            "published": time.strftime("%Y-%m-%d", when) if when else None,
        })
    return items, []
