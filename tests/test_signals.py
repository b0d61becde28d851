"""Each contradiction signal, with German examples where it fires and where it must not."""

import pytest

from claims.judging.signals import FEATURES, compare


def fired(a, b, similarity=0.6):
    return compare(a, b, similarity).reasons


def test_negation_scoped_on_the_shared_predicate():
    reasons = fired(
        "Am Samstag sagte Kellogg, er glaube nicht, dass Europäer „am Tisch“ während der Friedensverhandlungen sein würden.",
        "Die Europäische Union wird irgendwann mit am Tisch sitzen müssen.",
    )
    assert reasons["negation"] == "negation: 'nicht' only in A, about europäer, tisch"


def test_negation_in_another_clause_is_not_scoped():
    # The "nicht" is about the banner; the shared words are about the troops.
    reasons = fired(
        "Russland sei gegen den Plan, NATO-Soldaten als Friedenstruppen in die Ukraine zu entsenden.",
        "Der Kreml lehnt NATO-Truppen in der Ukraine ab, selbst wenn diese nicht offiziell unter dem Banner des Bündnisses operieren.",
    )
    assert "negation" not in reasons


@pytest.mark.parametrize("phrase", ["nicht nur", "namentlich nicht"])
def test_phrases_that_do_not_negate(phrase):
    assert not fired(f"Es geht {phrase} um die Sicherheit der Ukraine.", "Es geht um die Sicherheit der Ukraine.")


def test_negation_on_both_sides_is_no_signal():
    assert "negation_any" not in fired("Kellogg ist nicht dabei.", "Kellogg wird nicht mehr gebraucht.")


def test_opposing_predicates_from_the_lexicon():
    reasons = fired(
        "Moskau betrachte Kelloggs Rolle weitgehend als zeremoniell.",
        "Kellogg dürfte weiterhin eine wichtige Rolle im Friedensprozess spielen.",
    )
    assert reasons["opposing"] == "opposing: 'zeremoniell' in A vs 'wichtig' in B, about rolle"


def test_un_prefix_opposes_its_word():
    assert "opposing" in fired("Ein Waffenstillstand ist unmöglich.", "Ein Waffenstillstand ist möglich.")


def test_contrast_inside_both_claims_is_not_opposition():
    reasons = fired("Die Rolle ist nicht wichtig, nur zeremoniell.", "Ist die Rolle wichtig oder zeremoniell?")
    assert "opposing" not in reasons and "opposing_any" not in reasons


def test_polarity_verbs_negate_without_a_negation_word():
    assert fired("Indiana weigert sich, der Schule zu helfen.", "Indiana hilft der Schule.")["polarity"] == "polarity: 'weigern' only in A"
    # Two negations cancel: "nicht abgelehnt" is accepted.
    assert "polarity" not in fired("Der Plan wurde nicht abgelehnt.", "Der Plan wurde angenommen.")


@pytest.mark.parametrize(
    "a, b, differ",
    [
        ("Viele Länder zahlen nur 2 % ihres BIP.", "Viele Länder zahlen 3 Prozent ihres BIP.", "numbers differ: 2 % vs 3 %"),
        ("Das Treffen fand am Samstag statt.", "Das Treffen fand am Dienstag statt.", "numbers differ: weekday 6 vs weekday 2"),
        ("Die Mitgliedschaft kostet 30 Dollar für zwei Jahre.", "Die Mitgliedschaft kostet 800 Dollar.", "numbers differ: 2/30 vs 800"),
        ("Das Minimum liegt bei 2 % des BIP.", "Das Minimum liegt bei 2 Prozent des BIP.", None),
        ("Das Gesetz gilt seit 2023.", "Das Gesetz gilt seit 2023 in 16 Ländern.", None),  # one claim says more
        ("Der Gipfel ist am 3. März.", "Der Gipfel ist am Freitag.", None),  # a day and a weekday are not comparable
        ("Der Preis stieg um 5 %.", "Die Wahl findet in 5 Wochen statt.", None),  # nothing shared
    ],
)
def test_numbers_and_dates_that_differ_for_the_same_subject(a, b, differ):
    assert fired(a, b).get("numbers") == differ


def test_hedges_are_noted_not_signalled():
    evidence = compare("Kellogg könnte vielleicht eine Rolle spielen.", "Kellogg spielt eine Rolle.", 0.8)
    assert evidence.hedges == ("könnte", "vielleicht")
    assert not evidence.reasons


def test_features_are_in_the_declared_order():
    evidence = compare("Die Europäer sitzen nicht am Tisch.", "Die Europäer sitzen am Tisch.", 0.9)
    assert len(evidence.values) == len(FEATURES)
    assert evidence["similarity"] == 0.9 and evidence["negation"] == 1.0 and evidence["overlap"] == 1.0
