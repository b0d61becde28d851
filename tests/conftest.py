import shutil
from pathlib import Path

import pytest
import sqlite_utils

from claims.ask import load_questions
from claims import Corpus

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_db_path(tmp_path_factory):
    """The five seed articles built once with the default (real) model."""
    folder = tmp_path_factory.mktemp("seed")
    seeds = folder / "seeds"
    shutil.copytree(SEEDS, seeds)
    path = folder / "claims.db"
    Corpus(path, questions=load_questions(ROOT / "db" / "questions.yml")).add([str(seeds)])
    return path


@pytest.fixture
def seed_db(seed_db_path):
    return sqlite_utils.Database(seed_db_path)


def claim_id(db, fragment):
    rows = list(db.query("select id from claims where text like ?", [f"%{fragment}%"]))
    assert len(rows) == 1, f"expected one claim containing {fragment!r}, found {len(rows)}"
    return rows[0]["id"]


# A short report on the seeds' story: it joins their story (stories.py) and its
# claims are matched with theirs.
KELLOGG_REPORT = (
    "Kellogg bleibt wichtig\n\n"
    "Der US-Sondergesandte Keith Kellogg spielt weiterhin eine wichtige Rolle im Friedensprozess für die Ukraine, sagte ein Diplomat. "
    "Kellogg reist nächste Woche nach Brüssel und Kiew, um mit Selenskyj und den europäischen Hauptstädten über Sicherheitsgarantien zu sprechen. "
    "Moskau hatte Kelloggs Rolle zuletzt als zeremoniell bezeichnet, während Trump mit Putin über ein Ende des Krieges verhandeln will.\n"
)


# Measurements tests record for the reader of `make test` (e.g. the splitter
# against the hand-made gold file), printed after the results.
MEASURED: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if MEASURED:
        terminalreporter.section("measured")
        for line in MEASURED:
            terminalreporter.write_line(line)
