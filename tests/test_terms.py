import pytest

from claims import signals
from claims.terms import Vocabulary, head


@pytest.mark.parametrize(
    "word, expected",
    [
        ("verhandlungstisch", "tisch"),
        ("friedenstruppe", "truppe"),
        ("sicherheitsgarantie", "garantie"),
        ("nato-mitgliedschaft", "mitgliedschaft"),
        ("regierungschef", "chef"),
        # Prefixes and suffixes are not compounds, nor are names of countries.
        ("verhandlung", None),
        ("entscheidung", None),
        ("unterstützung", None),
        ("bereitschaft", None),
        ("deutschland", None),
        ("donnerstag", None),
        ("tisch", None),
    ],
)
def test_compound_heads(word, expected):
    assert head(word) == expected


def test_a_compound_shares_its_head_with_the_simple_word():
    a = signals.features("Die Europäer sitzen nicht am Verhandlungstisch.")
    b = signals.features("Die Europäer werden mit am Tisch sitzen.")
    assert "tisch" in a.content & b.content
    # Only nouns are split: "beteiligen" is not "bet-eiligen".
    assert signals.features("Sie beteiligen sich.").content == {"beteil"}


def test_terms_in_many_claims_are_background():
    claims = [frozenset({"ukrain", f"word{i}"}) for i in range(30)] + [frozenset({"kellog", "rolle"})] * 3
    vocabulary = Vocabulary.count(claims)
    assert vocabulary.background == {"ukrain"}
    assert vocabulary.specific(frozenset({"ukrain", "rolle"})) == {"rolle"}
    assert vocabulary.idf("rolle") > vocabulary.idf("ukrain")
    # A handful of claims has no background: every term is in a large share.
    assert Vocabulary.count(claims[:4]).background == frozenset()


def test_a_background_term_does_not_anchor_a_negation():
    a = "Die Ukraine wird der NATO nicht beitreten."
    b = "Die Ukraine wird der EU beitreten."
    assert "negation" in signals.compare(a, b, 0.8).reasons
    story = signals.vocabulary([a, b] + [f"Die Ukraine meldet Nachricht {i} über Thema{i}." for i in range(20)])
    assert "ukrain" in story.background
    evidence = signals.compare(a, b, 0.8, story)
    assert "ukraine" not in evidence.shared and "beitreten" in evidence.shared
    assert "ukraine" not in evidence.reasons.get("negation", "")
