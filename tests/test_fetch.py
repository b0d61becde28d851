"""Articles from URLs, against a local HTTP server started here (never the
internet): fetched politely, each page stored once, failures one line each."""

import http.server
import threading
import time

import pytest
import sqlite_utils

from claims import Corpus, Store
from claims.inputs import fetch
from test_pages import saved_page

OTHER = [
    "Der Bundestag hat am Donnerstag das neue Heizungsgesetz mit knapper Mehrheit beschlossen.",
    "Die Opposition kündigte an, vor das Bundesverfassungsgericht zu ziehen.",
    "Nach Angaben der Regierung sollen die Regeln ab dem kommenden Jahr gelten.",
    "Verbände kritisierten die kurzen Fristen für Hausbesitzer.",
]


def plain_page(title, body):
    """A page without a canonical link: its URL is where it was found."""
    return saved_page(title=title, body=body).replace('<link rel="canonical" href="https://beispielbote.example/politik/sanktionen-russland-123.html">', "")


class Site(http.server.BaseHTTPRequestHandler):
    hits: dict = {}
    agents: list = []
    feed: list = []
    base = ""

    def do_GET(self):
        Site.hits[self.path] = Site.hits.get(self.path, 0) + 1
        Site.agents.append(self.headers.get("User-Agent"))
        path = self.path.split("?")[0]
        if path == "/a.html":
            self._send(200, "text/html; charset=utf-8", saved_page().encode())
        elif path == "/b.html":
            self._send(200, "text/html; charset=utf-8", plain_page("Heizungsgesetz beschlossen", OTHER).encode())
        elif path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/b.html")
            self.end_headers()
        elif path == "/slow.html":
            time.sleep(2)
            self._send(200, "text/html", b"<html></html>")
        elif path == "/feed.xml":
            items = "".join(
                f"<item><title>{title}</title><link>{Site.base}{link}</link><pubDate>{date}</pubDate></item>"
                for title, link, date in Site.feed
            )
            self._send(200, "application/rss+xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>Beispielbote</title>{items}</channel></rss>'.encode())
        elif path == "/undated.html":
            page = plain_page("Heizungsgesetz beschlossen", OTHER).replace('<meta property="article:published_time" content="2025-03-17T09:30:00+01:00">', "")
            self._send(200, "text/html; charset=utf-8", page.replace("Von Erika Muster, 2025-03-17", "Von Erika Muster").encode())
        elif path == "/data.json":
            self._send(200, "application/json", b'{"a": 1}')
        else:
            self._send(404, "text/html", b"<h1>Not found</h1>")

    def _send(self, status, kind, body):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def site(monkeypatch):
    pytest.importorskip("trafilatura")
    monkeypatch.setattr(fetch, "TIMEOUT", 0.5)
    monkeypatch.setattr(fetch, "RETRIES", 1)
    monkeypatch.setattr(fetch, "BACKOFF", 0.05)
    Site.hits, Site.agents = {}, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Site.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield server, Site.base
    server.shutdown()
    server.server_close()


def url_list(tmp_path, base):
    path = tmp_path / "story.urls"
    path.write_text(
        f"# the story's articles\n{base}/a.html\n{base}/missing.html\n{base}/slow.html\n{base}/moved\n"
        f"{base}/data.json\n{base}/b.html  # the same page the redirect leads to\n{base}/a.html\nnot a url\n",
        encoding="utf-8",
    )
    return path


def test_a_url_list_with_a_404_a_timeout_a_redirect_a_non_html_page_and_a_duplicate(site, tmp_path, hashing):
    _, base = site
    urls = url_list(tmp_path, base)
    result = Corpus(tmp_path / "t.db", model="hashing-64", encoder=hashing).add([str(urls)])
    db = sqlite_utils.Database(tmp_path / "t.db")
    rows = {r["path"]: r for r in db.query("select * from articles")}
    assert set(rows) == {f"{base}/a.html", f"{base}/moved"}
    assert rows[f"{base}/a.html"]["source"] == "Der Beispielbote" and rows[f"{base}/a.html"]["published"] == "2025-03-17"
    assert rows[f"{base}/moved"]["url"] == f"{base}/b.html"  # the redirect's final URL
    said = {p.path: p.message for p in result.problems}
    assert "HTTP 404" in said[f"{base}/missing.html"]
    assert "no answer within" in said[f"{base}/slow.html"]
    assert "not an HTML page (application/json)" in said[f"{base}/data.json"]
    assert "same text as" in said[f"{base}/b.html"]
    assert "not a URL" in said[f"{urls}:9"]
    assert Site.hits["/a.html"] == 1  # listed twice, fetched once
    assert all(agent.startswith("claims/") for agent in Site.agents)
    # The pages are stored raw, once each.
    assert {r["url"] for r in db.query("select url from pages")} == {f"{base}/a.html", f"{base}/moved", f"{base}/b.html"}


def test_a_rebuild_with_the_server_stopped_works_from_what_was_stored(site, tmp_path, hashing):
    server, base = site
    urls = [f"{base}/a.html", f"{base}/b.html"]
    Corpus(tmp_path / "t.db", model="hashing-64", encoder=hashing).add(urls)
    server.shutdown()
    server.server_close()
    result = Corpus(tmp_path / "t.db", model="hashing-64", encoder=hashing).add(urls)
    assert result.problems == [] and result.unchanged == 2
    assert sqlite_utils.Database(tmp_path / "t.db")["articles"].count == 2


def test_refresh_fetches_again_and_a_build_killed_while_fetching_fetches_only_the_rest(site, tmp_path, hashing, monkeypatch):
    _, base = site
    urls = [f"{base}/a.html", f"{base}/b.html"]
    real_save = Store.save_page
    saved = []

    def killed_after_the_first(store, **page):
        if saved:
            raise KeyboardInterrupt  # the build is killed here, one page stored
        saved.append(page["url"])
        return real_save(store, **page)

    monkeypatch.setattr(Store, "save_page", killed_after_the_first)
    with pytest.raises(KeyboardInterrupt):
        Corpus(tmp_path / "t.db", model="hashing-64", encoder=hashing).add(urls)
    monkeypatch.setattr(Store, "save_page", real_save)
    [kept] = saved
    assert Site.hits == {"/a.html": 1, "/b.html": 1}
    Corpus(tmp_path / "t.db", model="hashing-64", encoder=hashing).add(urls)
    # The page stored before the kill is not fetched again; the other is.
    assert Site.hits == {path: 1 if f"{base}{path}" == kept else 2 for path in ("/a.html", "/b.html")}
    assert sqlite_utils.Database(tmp_path / "t.db")["articles"].count == 2
    before = dict(Site.hits)
    Corpus(tmp_path / "t.db", model="hashing-64", encoder=hashing).add(urls, refresh=True)
    assert Site.hits == {path: n + 1 for path, n in before.items()}


def test_no_host_gets_more_than_a_few_requests_at_once(site, tmp_path, hashing, monkeypatch):
    # Two hosts, six pages each, each answered slowly: at most PER_HOST
    # requests are open on one host at a time.
    _, base = site
    other = http.server.ThreadingHTTPServer(("127.0.0.2", 0), Site)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    hosts = [base.split("/")[2], f"127.0.0.2:{other.server_address[1]}"]
    open_now, most = {}, {}
    lock = threading.Lock()
    real_get = fetch.get

    def counting_get(client, url):
        host = url.split("/")[2]
        with lock:
            open_now[host] = open_now.get(host, 0) + 1
            most[host] = max(most.get(host, 0), open_now[host])
        try:
            time.sleep(0.05)
            return real_get(client, url)
        finally:
            with lock:
                open_now[host] -= 1

    monkeypatch.setattr(fetch, "get", counting_get)
    urls = [f"http://{host}/{page}?n={k}" for host in hosts for k in range(3) for page in ("a.html", "b.html")]
    try:
        result = Corpus(tmp_path / "t.db", model="hashing-64", encoder=hashing).add(urls)
    finally:
        other.shutdown()
        other.server_close()
    assert set(most) == set(hosts)
    assert max(most.values()) <= fetch.PER_HOST
    assert sqlite_utils.Database(tmp_path / "t.db")["pages"].count == len(urls)
    # The same two texts under twelve URLs: two articles, the rest duplicates, in the order given.
    assert result.new == 2 and [p.path for p in result.problems] == urls[2:]


def test_a_feed_fetched_twice_adds_only_its_new_item(site, tmp_path, hashing):
    _, base = site
    Site.feed = [("Sanktionen", "/a.html", "Mon, 17 Mar 2025 08:00:00 GMT")]
    db = tmp_path / "t.db"
    Corpus(db, model="hashing-64", encoder=hashing).add(feeds=[f"{base}/feed.xml"])
    assert sqlite_utils.Database(db)["articles"].count == 1
    Site.feed = [("Heizungsgesetz", "/undated.html", "Thu, 20 Mar 2025 10:00:00 GMT")] + Site.feed
    result = Corpus(db, model="hashing-64", encoder=hashing).add(feeds=[f"{base}/feed.xml"])
    assert (result.new, result.unchanged) == (1, 1)
    assert Site.hits["/a.html"] == 1 and Site.hits["/feed.xml"] == 2
    # The feed's date stands in for a page without one.
    row = next(sqlite_utils.Database(db).query("select * from articles where path like '%undated%'"))
    assert row["published"] == "2025-03-20" and row["title"] == "Heizungsgesetz beschlossen"
