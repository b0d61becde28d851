"""Datasette over the seed db: pages in process through Datasette's test
client; ``claims serve`` itself, started as a user starts it, in the smoke layer."""

import subprocess
import urllib.request

import pytest

from conftest import ROOT, fetch, fetch_json, get_json, start_server


def test_conflicts_view_shows_both_sides(datasette):
    rows = fetch_json(datasette, "/claims/conflicts.json?_shape=array&_size=max")
    assert rows
    europeans = [r for r in rows if "er glaube nicht, dass Europäer" in r["claim_a"] and "am Tisch sitzen" in r["claim_b"]]
    assert len(europeans) == 1
    assert europeans[0]["speaker_a"] == "Kellogg" and europeans[0]["article_a"] and europeans[0]["reason"]


def test_metadata_is_served(datasette):
    metadata = fetch_json(datasette, "/-/metadata.json")
    assert metadata["title"] == "claims"
    assert "claim_pairs" in metadata["databases"]["claims"]["tables"]
    page = fetch(datasette, "/claims/claim_pairs").text
    assert "Claims matched across articles" in page  # the table description
    facets = fetch_json(datasette, "/claims/claim_pairs.json")["facet_results"]
    assert "relation" in facets


def test_pair_views_show_the_configured_facets_only(datasette):
    for view in ("conflicts", "claim_pairs"):
        assert fetch_json(datasette, f"/claims/{view}.json")["suggested_facets"] == []


def test_sql_and_full_text_search(datasette):
    rows = fetch_json(datasette, "/claims/claims.json?_search=zeremoniell&_shape=array")
    assert len(rows) == 1 and "Kelloggs Rolle" in rows[0]["text"]
    rows = fetch_json(datasette, "/claims.json?sql=select+count(*)+as+n+from+claim_pairs+where+relation%3D%27conflict%27&_shape=array")
    assert rows[0]["n"] >= 2


@pytest.mark.smoke
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


def test_topics_are_linked_to_their_claims(datasette):
    [row] = fetch_json(datasette, "/claims/claim_topics.json?_shape=array&_labels=on&_size=1")
    # Datasette follows the foreign keys: the topic shows its label, the claim its text.
    assert row["topic_id"]["label"] and row["claim_id"]["label"]
    topic = row["topic_id"]["value"]
    page = fetch(datasette, f"/claims/topics/{topic}").text
    assert "claim_topics" in page  # "Links from other tables"


def test_claims_facet_by_speaker_kind(datasette):
    facets = fetch_json(datasette, "/claims/claims.json")["facet_results"]
    kinds = {v["value"] for v in facets["speaker_kind"]["results"]}
    assert {"named", "anonymous", "outlet", "none"} <= kinds


@pytest.mark.parametrize(
    "sql",
    ["delete from claims", "update claims set text = 'x'", "drop table claims", "insert into config values ('a', 'b')",
     "select 1; delete from claims", "pragma journal_mode = delete"],
)
def test_sql_through_datasette_cannot_change_the_db(datasette, reviewed_seed_db_path, sql):
    import sqlite3
    import urllib.parse

    def counts():
        with sqlite3.connect(reviewed_seed_db_path) as conn:
            return conn.execute("select (select count(*) from claims), (select count(*) from config)").fetchone()

    before = counts()
    response = fetch(datasette, "/claims.json?sql=" + urllib.parse.quote(sql))
    # Refused: 400 "must be a SELECT", or 500 for two statements.
    assert response.status_code >= 400, f"Datasette ran {sql!r}"
    assert counts() == before


@pytest.mark.smoke
def test_stopping_claims_serve_stops_datasette(seed_db_path):
    process, base = start_server(seed_db_path, subprocess.DEVNULL)
    process.terminate()
    process.wait(timeout=10)
    # Nothing is left listening: claims serve became Datasette instead of spawning it.
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/-/versions.json", timeout=2)
