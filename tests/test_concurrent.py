"""Datasette keeps answering while a build writes to the db it serves."""

import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
import sqlite_utils

from conftest import generated_corpus, start_server

# Builds in other processes, as a user runs them.
pytestmark = pytest.mark.smoke


def test_datasette_answers_during_a_build_and_then_sees_the_new_rows(seed_db_path, tmp_path):
    db = tmp_path / "claims.db"
    sqlite_utils.Database(seed_db_path).execute("pragma wal_checkpoint(truncate)")
    shutil.copy(seed_db_path, db)
    corpus = generated_corpus(tmp_path / "corpus")
    server, base = start_server(db, subprocess.DEVNULL)
    url = f"{base}/claims.json?_shape=array&sql=select+count(*)+as+n+from+claims"
    try:
        [before] = json.load(urllib.request.urlopen(url, timeout=10))
        answers, errors = [], []

        def read():
            while build.poll() is None:
                try:
                    answers.append(json.load(urllib.request.urlopen(url, timeout=10))[0]["n"])
                except (OSError, ValueError) as e:
                    errors.append(repr(e) + (e.read().decode()[:200] if isinstance(e, urllib.error.HTTPError) else ""))
                time.sleep(0.05)

        build = subprocess.Popen([sys.executable, "-m", "claims.cli", "build", str(corpus), "--db", str(db), "--no-progress"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        reader = threading.Thread(target=read)
        reader.start()
        assert build.wait(timeout=600) == 0, build.stderr.read().decode()
        reader.join()
        assert errors == []
        assert len(answers) > 20  # it kept answering all through the build
        [after] = json.load(urllib.request.urlopen(url, timeout=10))
        assert after["n"] > before["n"]
        assert set(answers) <= set(range(before["n"], after["n"] + 1))
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_reviews_written_while_a_build_runs_are_neither_lost_nor_blocked(seed_db_path, tmp_path):
    import http.cookiejar
    import re
    import urllib.parse

    db = tmp_path / "claims.db"
    sqlite_utils.Database(seed_db_path).execute("pragma wal_checkpoint(truncate)")
    shutil.copy(seed_db_path, db)
    corpus = generated_corpus(tmp_path / "corpus")
    pairs = [dict(r) for r in sqlite_utils.Database(db).query("select claim_a, claim_b from claim_pairs order by claim_a, claim_b limit 40")]
    server, base = start_server(db, subprocess.DEVNULL, "--review")
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    try:
        page = opener.open(f"{base}/-/claims/claims/queue", timeout=10).read().decode()
        token = re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)
        written, errors = [], []

        def review():
            k = 0
            while build.poll() is None or k < 3:
                pair = pairs[k % len(pairs)]
                form = {"csrftoken": token, "kind": "pair", "value": ("related", "conflict", "agree")[k % 3], **pair}
                try:
                    opener.open(f"{base}/-/claims/claims/review", data=urllib.parse.urlencode(form).encode(), timeout=120)
                    written.append((pair["claim_a"], pair["claim_b"], form["value"]))
                except OSError as e:
                    errors.append(repr(e))
                k += 1
                time.sleep(0.1)

        build = subprocess.Popen([sys.executable, "-m", "claims.cli", "build", str(corpus), "--db", str(db), "--no-progress"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        reviewer = threading.Thread(target=review)
        reviewer.start()
        assert build.wait(timeout=600) == 0, build.stderr.read().decode()
        reviewer.join()
        assert errors == []
        assert len(written) > 10
        stored = sqlite_utils.Database(db)
        assert stored["reviews"].count == len(written)
        # The latest review of each pair is what shows after the next build.
        subprocess.run([sys.executable, "-m", "claims.cli", "build", str(corpus), "--db", str(db), "--no-progress"], check=True, capture_output=True)
        texts = {r["id"]: r["text"] for r in stored.query("select id, text from claims")}
        latest = {}
        for a, b, value in written:
            latest[(texts[a], texts[b])] = value
        shown = {(r["a"], r["b"]): r["relation"] for r in stored.query(
            "select ca.text as a, cb.text as b, p.relation from claim_pairs p join claims ca on ca.id = p.claim_a join claims cb on cb.id = p.claim_b where p.status = 'confirmed'")}
        unapplied = {(r["text_a"], r["text_b"]) for r in stored.query("select * from unapplied_reviews")}
        for k, v in latest.items():
            # A pair the bigger corpus no longer matches keeps its review, listed.
            assert shown.get(k, shown.get(k[::-1])) == v or k in unapplied, k
        assert len(shown) + len({k for k in latest if k in unapplied}) >= len(latest)
    finally:
        server.terminate()
        server.wait(timeout=10)
