import pytest

from claims.judging import signals
from claims.text import features
from claims.judging.judge import NEWS_PRIOR, Judge
from claims.text.terms import Vocabulary, head


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
    a = features.of("Die Europäer sitzen nicht am Verhandlungstisch.")
    b = features.of("Die Europäer werden mit am Tisch sitzen.")
    assert "tisch" in a.content & b.content
    # Only nouns are split: "beteiligen" is not "bet-eiligen".
    assert features.of("Sie beteiligen sich.").content == {"beteil"}


def test_common_words_weigh_less_whatever_else_the_db_holds():
    # By the language at large (wordfreq), not by how many stored claims name them:
    # a term weighs the same in a db of the seeds and in one of thirty Ukraine reports.
    few = Vocabulary.count([frozenset({"kellog", "rolle", "ukrain", "sagen"})])
    many = Vocabulary.count([frozenset({"ukrain", f"word{i}"}) for i in range(30)] + [frozenset({"kellog", "rolle", "sagen"})] * 3)
    assert few.weight("kellog") > few.weight("ukrain") > few.weight("sagen") > 0
    assert list(few.weights) == [many.weight(t) for t in few.columns]
    assert "ukrain" in many.columns  # frequent terms are never dropped


def test_a_conflict_signal_bears_on_two_words_both_claims_name():
    # "nicht" governs the subject and the predicate both claims name.
    focused = signals.compare("Die Ukraine wird der NATO nicht beitreten.", "Die Ukraine wird der NATO beitreten.", 0.8)
    assert "negation" in focused.focused
    # Here it governs what only one claim is about: the claims differ, they do not contradict.
    apart = signals.compare("Waffen wurden bei dem Mann nicht gefunden.", "Die Täter trugen Sprengstoffwesten und Waffen.", 0.5)
    assert "negation" in apart.reasons and not apart.focused
    # A compound and its head are one word, not two: "Steuerhinterziehung" is not "Steuervorteile".
    compound = signals.compare("Luxemburg hat kein System der Steuerhinterziehung erfunden.", "In Luxemburg gab es Steuervorteile für Konzerne.", 0.5)
    assert not compound.focused


def test_a_matched_conflict_needs_a_focused_signal():
    # Pairs found by similarity (as the build finds them) may be about
    # different things: a negation that bears on nothing both say is no conflict.
    judge = Judge(prior=NEWS_PRIOR, matched=True)
    [focused, apart] = judge.judge_pairs([
        ("Die Regierung wird die Steuern nicht erhöhen.", "Die Regierung wird die Steuern erhöhen.", 0.85),
        ("Waffen wurden bei dem Mann nicht gefunden.", "Die Täter trugen Sprengstoffwesten und Waffen.", 0.85),
    ])
    assert focused.relation == "conflict"
    assert apart.relation != "conflict"


from hypothesis import given, settings as hypothesis_settings, strategies as st  # noqa: E402


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.sets(st.sampled_from(["kellog", "rolle", "tisch", "europä", "genf"]))), max_size=12))
def test_a_vocabulary_indexed_in_one_pass_is_the_one_counted(claims):
    # Each text has one set of terms, as claims' texts do.
    terms_of = {}
    texts = [text for text, found in claims if terms_of.setdefault(text, found) is not None]
    term_sets = [terms_of[text] for text in texts]
    counted = Vocabulary.count(dict(zip(texts, term_sets)).values())
    indexed, presence = Vocabulary.index(texts, [sorted(found) for found in term_sets])
    assert (indexed.n, indexed.df, indexed.columns) == (counted.n, counted.df, counted.columns)
    assert list(indexed.weights) == list(counted.weights)
    assert (presence != counted.presence(term_sets)).nnz == 0
