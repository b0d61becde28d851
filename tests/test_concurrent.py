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
