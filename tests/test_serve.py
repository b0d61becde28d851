"""Real Datasette over HTTP, started the way a user starts it."""

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_path, log, *options):
    """``claims serve`` on a free port, as a user starts it; its URL once it answers.
    ``log`` is a file, not a pipe: a pipe nobody reads fills up and blocks the server."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "claims.cli", "serve", "--db", str(db_path), "--port", str(port), *options],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            return process, base
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    if hasattr(log, "seek"):
        log.seek(0)
        pytest.fail(log.read().decode())
    pytest.fail("claims serve did not answer")


@pytest.fixture(scope="module")
def server(seed_db_path, tmp_path_factory):
    log = (tmp_path_factory.mktemp("serve") / "datasette.log").open("w+b")
    process, base = start_server(seed_db_path, log, "--metadata", str(ROOT / "db" / "metadata.yml"))
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_conflicts_view_shows_both_sides(server):
    rows = get_json(server + "/claims/conflicts.json?_shape=array&_size=max")
    assert rows
    europeans = [r for r in rows if "er glaube nicht, dass Europäer" in r["claim_a"] and "am Tisch sitzen" in r["claim_b"]]
    assert len(europeans) == 1
    assert europeans[0]["speaker_a"] == "Kellogg" and europeans[0]["article_a"] and europeans[0]["reason"]


def test_metadata_is_served(server):
    metadata = get_json(server + "/-/metadata.json")
    assert metadata["title"] == "claims"
    assert "claim_pairs" in metadata["databases"]["claims"]["tables"]
    page = urllib.request.urlopen(server + "/claims/claim_pairs", timeout=10).read().decode()
    assert "Claims matched across articles" in page  # the table description
    facets = get_json(server + "/claims/claim_pairs.json")["facet_results"]
    assert "relation" in facets


def test_pair_views_show_the_configured_facets_only(server):
    for view in ("conflicts", "claim_pairs"):
        assert get_json(server + f"/claims/{view}.json")["suggested_facets"] == []


def test_sql_and_full_text_search(server):
    rows = get_json(server + "/claims/claims.json?_search=zeremoniell&_shape=array")
    assert len(rows) == 1 and "Kelloggs Rolle" in rows[0]["text"]
    rows = get_json(server + "/claims.json?sql=select+count(*)+as+n+from+claim_pairs+where+relation%3D%27conflict%27&_shape=array")
    assert rows[0]["n"] >= 2


def test_a_db_under_another_name_keeps_its_metadata(seed_db_path, tmp_path):
    """Datasette names a database after its file; the metadata is written for claims.db."""
    import shutil

    news = tmp_path / "news.db"
    shutil.copy(seed_db_path, news)
    with (tmp_path / "datasette.log").open("w+b") as log:
        process, base = start_server(news, log, "--metadata", str(ROOT / "db" / "metadata.yml"))
        try:
            rows = get_json(base + "/news/search_by_meaning.json?_shape=array&q=Europ%C3%A4er+am+Verhandlungstisch")
            assert rows and any("Tisch" in row["claim"] for row in rows)
            front = urllib.request.urlopen(base + "/", timeout=10).read().decode()
            assert 'href="/news/conflicts"' in front and 'href="/claims/' not in front
            page = urllib.request.urlopen(base + "/news/claim_pairs", timeout=10).read().decode()
            assert "Claims matched across articles" in page
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_binds_to_localhost_by_default():
    from claims.serve import command

    args = command("db/claims.db")
    assert args[args.index("--host") + 1] == "127.0.0.1"


def test_topics_are_linked_to_their_claims(server):
    [row] = get_json(server + "/claims/claim_topics.json?_shape=array&_labels=on&_size=1")
    # Datasette follows the foreign keys: the topic shows its label, the claim its text.
    assert row["topic_id"]["label"] and row["claim_id"]["label"]
    topic = row["topic_id"]["value"]
    page = urllib.request.urlopen(server + f"/claims/topics/{topic}", timeout=10).read().decode()
    assert "claim_topics" in page  # "Links from other tables"


def test_claims_facet_by_speaker_kind(server):
    facets = get_json(server + "/claims/claims.json")["facet_results"]
    kinds = {v["value"] for v in facets["speaker_kind"]["results"]}
    assert {"named", "anonymous", "outlet", "none"} <= kinds


@pytest.mark.parametrize(
    "sql",
    ["delete from claims", "update claims set text = 'x'", "drop table claims", "insert into config values ('a', 'b')",
     "select 1; delete from claims", "pragma journal_mode = delete"],
)
def test_sql_through_datasette_cannot_change_the_db(server, seed_db_path, sql):
    import sqlite3
    import urllib.error
    import urllib.parse

    def counts():
        with sqlite3.connect(seed_db_path) as conn:
            return conn.execute("select (select count(*) from claims), (select count(*) from config)").fetchone()

    before = counts()
    try:
        urllib.request.urlopen(f"{server}/claims.json?sql=" + urllib.parse.quote(sql), timeout=10).read()
    except urllib.error.HTTPError as e:
        assert e.code >= 400  # refused: 400 "must be a SELECT", or 500 for two statements
    else:
        raise AssertionError(f"Datasette ran {sql!r}")
    assert counts() == before


def test_stopping_claims_serve_stops_datasette(seed_db_path):
    process, base = start_server(seed_db_path, subprocess.DEVNULL)
    process.terminate()
    process.wait(timeout=10)
    # Nothing is left listening: claims serve became Datasette instead of spawning it.
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/-/versions.json", timeout=2)
