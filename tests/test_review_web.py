"""Reviewing in the browser: Datasette's in-process client on a copy of the
seed db, POSTing the story page's own forms with their CSRF token."""

import asyncio
import re

import pytest
import sqlite_utils
import yaml

from claims.text.propositions import stands_alone

from conftest import GOLD_CONFLICTS, ROOT
from test_reviews import false_conflict, pair_of


def make_datasette(path, review: bool):
    from datasette.app import Datasette

    metadata = yaml.safe_load((ROOT / "db" / "metadata.yml").read_text(encoding="utf-8"))
    metadata["databases"] = {"claims": metadata["databases"][next(iter(metadata["databases"]))]}
    if review:
        metadata["plugins"] = {"claims": {"review": True}}
    return Datasette([str(path)], metadata=metadata, settings={"suggest_facets": False})


async def token_and_cookies(ds, path):
    page = await ds.client.get(path)
    assert page.status_code == 200
    found = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    return (found.group(1) if found else None), dict(page.cookies), page.text


def story_path(db):
    story = db.execute("select id from stories order by articles desc limit 1").fetchone()[0]
    return f"/-/claims/claims/story/{story}"


def post(ds, form, token=None, cookies=None):
    data = dict(form, **({"csrftoken": token} if token else {}))
    return ds.client.post("/-/claims/claims/review", data=data, cookies=cookies or {})


@pytest.fixture
def reviewed_db(copy_of_seed_db):
    return copy_of_seed_db[0]


def test_a_reader_marks_a_false_conflict_related_and_confirms_a_real_one(reviewed_db):
    db = sqlite_utils.Database(reviewed_db)
    wrong, real = false_conflict(db), pair_of(db, *GOLD_CONFLICTS[0])
    ds = make_datasette(reviewed_db, review=True)

    async def go():
        token, cookies, page = await token_and_cookies(ds, story_path(db))
        assert token and 'name="value" value="related"' in page
        first = await post(ds, {"kind": "pair", "claim_a": wrong["claim_a"], "claim_b": wrong["claim_b"], "value": "related",
                                "note": "<script>alert(1)</script>", "next": story_path(db)}, token, cookies)
        second = await post(ds, {"kind": "pair", "claim_a": real["claim_a"], "claim_b": real["claim_b"], "value": "conflict"}, token, cookies)
        conflicts = (await ds.client.get("/claims/conflicts.json?_shape=array&_size=max")).json()
        again = (await ds.client.get(story_path(db))).text
        return first, second, conflicts, again

    first, second, conflicts, page = asyncio.run(go())
    assert first.status_code == 303 and first.headers["location"] == story_path(db)
    assert second.status_code == 303
    shown = {(r["claim_a_id"], r["claim_b_id"]): r for r in conflicts}
    assert (wrong["claim_a"], wrong["claim_b"]) not in shown
    assert shown[(real["claim_a"], real["claim_b"])]["status"] == "confirmed"
    assert conflicts[0]["status"] == "confirmed"
    # The note shows on the story page, escaped.
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    reviews = list(db.query("select * from reviews order by id"))
    assert [(r["kind"], r["value"]) for r in reviews] == [("pair", "related"), ("pair", "conflict")]


def test_undo_shows_the_judges_verdict_again(reviewed_db):
    db = sqlite_utils.Database(reviewed_db)
    wrong = false_conflict(db)
    ds = make_datasette(reviewed_db, review=True)
    form = {"kind": "pair", "claim_a": wrong["claim_a"], "claim_b": wrong["claim_b"]}

    async def go():
        token, cookies, _ = await token_and_cookies(ds, story_path(db))
        await post(ds, dict(form, value="related"), token, cookies)
        await post(ds, dict(form, value="undo"), token, cookies)

    asyncio.run(go())
    assert pair_of(db, wrong["text_a"], wrong["text_b"])["relation"] == "conflict"
    assert db["reviews"].count == 0


def test_a_stance_is_reviewed_from_its_cell(reviewed_db):
    db = sqlite_utils.Database(reviewed_db)
    answer = next(db.query("select * from stances where stance = 'yes' limit 1"))
    ds = make_datasette(reviewed_db, review=True)

    async def go():
        token, cookies, page = await token_and_cookies(ds, story_path(db))
        assert 'name="kind" value="stance"' in page
        return await post(ds, {"kind": "stance", "question_id": answer["question_id"], "claim_id": answer["claim_id"], "value": "no"}, token, cookies)

    assert asyncio.run(go()).status_code == 303
    shown = next(db.query("select * from stances where question_id = ? and claim_id = ?", [answer["question_id"], answer["claim_id"]]))
    assert (shown["stance"], shown["status"], shown["judged_stance"]) == ("no", "confirmed", "yes")


def test_a_post_without_the_token_or_to_a_read_only_server_writes_nothing(reviewed_db):
    db = sqlite_utils.Database(reviewed_db)
    wrong = false_conflict(db)
    form = {"kind": "pair", "claim_a": wrong["claim_a"], "claim_b": wrong["claim_b"], "value": "related"}
    reviewing, read_only = make_datasette(reviewed_db, review=True), make_datasette(reviewed_db, review=False)

    async def go():
        no_token = await post(reviewing, form)
        token, cookies, page = await token_and_cookies(read_only, story_path(db))
        assert 'class="claims-review"' not in page  # no controls on a read-only server
        token = token or (await token_and_cookies(reviewing, story_path(db)))[0]
        refused = await read_only.client.post("/-/claims/claims/review", data=dict(form, csrftoken=token), cookies=cookies)
        return no_token, refused

    no_token, refused = asyncio.run(go())
    assert no_token.status_code == 403 and refused.status_code == 403
    assert db["reviews"].count == 0


@pytest.mark.parametrize("form, status", [
    ({"kind": "verdict", "value": "related", "claim_a": "1", "claim_b": "2"}, 400),
    ({"kind": "pair", "value": "maybe", "claim_a": "1", "claim_b": "2"}, 400),
    ({"kind": "pair", "value": "related", "claim_a": "x", "claim_b": "2"}, 400),
    ({"kind": "pair", "value": "related"}, 400),
    ({"kind": "pair", "value": "related", "claim_a": "1", "claim_b": "999999"}, 404),
    ({"kind": "stance", "value": "yes", "claim_id": "1", "question_id": "no-such-point"}, 404),
    ({"kind": "pair", "value": "related", "claim_a": "1", "claim_b": "2", "note": "x" * 5000}, 400),
])
def test_malformed_reviews_answer_400_or_404_and_write_nothing(reviewed_db, form, status):
    db = sqlite_utils.Database(reviewed_db)
    ds = make_datasette(reviewed_db, review=True)

    async def go():
        token, cookies, _ = await token_and_cookies(ds, story_path(db))
        return await post(ds, form, token, cookies)

    assert asyncio.run(go()).status_code == status
    assert db["reviews"].count == 0


def test_the_review_queue_spends_a_click_where_it_changes_most(reviewed_db):
    db = sqlite_utils.Database(reviewed_db)
    rows = list(db.query("select * from review_queue"))
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    # The user's questions first: the claims closest to each question in turn.
    users = {r["id"] for r in db.query("select id from questions where coalesce(origin, 'user') = 'user'")}
    asked = [r for r in rows if r["rank"] == 0]
    assert asked and rows[: len(asked)] == asked and {r["question_id"] for r in asked} == users
    assert {r["question_id"] for r in asked[: len(users)]} == users
    # The pairwise judge's agreements between two outlets before the automatic
    # points' sides (what two outlets say alike first), its other candidates
    # last; a point that does not stand alone never.
    cues = [r for r in rows if r["kind"] == "pair" and r["question_id"] is None]
    assert cues and {r["rank"] for r in cues} <= {1, 4, 6} and all(r["proposed"] == "agree" for r in cues if r["rank"] in (1, 4))
    assert rows[-1]["rank"] == 6 and rows[-1] in cues
    points = {r["id"]: r["proposition"] for r in db.query("select id, proposition from questions where origin = 'auto'")}
    assert all(stands_alone(p) for p in points.values())
    ds = make_datasette(reviewed_db, review=True)
    page = asyncio.run(ds.client.get("/-/claims/claims/queue")).text
    assert asked[0]["claim_a"].split()[0] in page and 'name="value" value="unclear"' in page


def test_review_serves_on_this_machine_only(reviewed_db):
    from click.testing import CliRunner

    from claims.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--db", str(reviewed_db), "--review", "-h", "0.0.0.0"])
    assert result.exit_code == 1
    assert result.output.strip() == "claims: --review serves on 127.0.0.1 only, not 0.0.0.0"
