"""The splitter and attribution held to tests/gold/attribution.tsv: every claim
of seeds 000 and 002 with its speaker, speaker_kind and quote, checked by hand."""

import csv
from pathlib import Path

import pytest

from claims.inputs.ingest import read
from claims.text.split import split

from conftest import MEASURED, SEEDS

GOLD = Path(__file__).parent / "gold" / "attribution.tsv"


def _gold():
    lines = [line for line in GOLD.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _same_speaker(a: str, b: str) -> bool:
    # "Missionsleiter Rubio" and "Rubio" name one speaker.
    last = lambda s: s.split()[-1].lower() if s else ""  # noqa: E731
    return last(a) == last(b)


@pytest.fixture(scope="module")
def scores():
    gold = _gold()
    found = {}
    for name in sorted({row["file"] for row in gold}):
        [article], _ = read([str(SEEDS / name)])
        claims, _ = split(article.text, article.title, "de")
        found.update({(name, c.text): c for c in claims})
    wanted = {(row["file"], row["text"]): row for row in gold}
    both = wanted.keys() & found.keys()
    result = {
        "boundaries precision": len(both) / len(found),
        "boundaries recall": len(both) / len(wanted),
    }
    for field in ("speaker", "speaker_kind", "quote"):
        right = 0
        for key in both:
            mine, theirs = getattr(found[key], field) or "", wanted[key][field]
            right += _same_speaker(mine, theirs) if field == "speaker" else mine == theirs
        result[f"{field} accuracy"] = right / len(both)
    speakers = [k for k in both if wanted[k]["speaker"]]
    attributed = [k for k in both if found[k].speaker]
    result["speaker precision"] = sum(_same_speaker(found[k].speaker, wanted[k]["speaker"]) for k in attributed) / len(attributed)
    result["speaker recall"] = sum(_same_speaker(found[k].speaker or "", wanted[k]["speaker"]) for k in speakers) / len(speakers)
    MEASURED.append(f"gold {GOLD.name} ({len(wanted)} claims): " + ", ".join(f"{k} {v:.3f}" for k, v in result.items()))
    return result


def test_claim_boundaries_match_the_gold(scores):
    assert scores["boundaries precision"] >= 0.95 and scores["boundaries recall"] >= 0.95


def test_speakers_match_the_gold(scores):
    assert scores["speaker precision"] >= 0.9
    assert scores["speaker recall"] >= 0.75


def test_speaker_kind_and_quote_match_the_gold(scores):
    assert scores["speaker_kind accuracy"] >= 0.8
    assert scores["quote accuracy"] >= 0.8
