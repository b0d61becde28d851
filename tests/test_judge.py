import pytest

from claims.judge import judge, judge_pairs


def test_negation_on_the_shared_predicate_is_a_conflict():
    verdict = judge(
        "Am Samstag sagte Kellogg, er glaube nicht, dass Europäer „am Tisch“ während der Friedensverhandlungen sein würden.",
        "Die Europäische Union wird irgendwann mit am Tisch sitzen müssen, weil auch gegen sie Sanktionen verhängt wurden.",
        0.48,
    )
    assert verdict.relation == "conflict"
    assert verdict.reason == "negation: 'nicht' only in A, about europäer, tisch"


def test_negation_in_an_unrelated_clause_is_not_a_conflict():
    # "nicht offiziell" is about the banner, not about rejecting the troops.
    verdict = judge(
        "Er sagte auch, Russland sei gegen den europäischen Plan, NATO-Soldaten als Friedenstruppen in die Ukraine zu entsenden.",
        "Der Kreml hat jede Präsenz europäischer oder NATO-Truppen in der Ukraine entschieden abgelehnt, selbst wenn diese nicht offiziell unter dem Banner des Bündnisses operieren.",
        0.55,
    )
    assert verdict.relation != "conflict"


def test_not_only_is_not_a_negation():
    verdict = judge(
        "Es geht nicht nur um die Sicherheit der Ukraine und Europas.",
        "Es geht um die Sicherheit der Ukraine und Europas.",
        0.8,
    )
    assert verdict.relation == "agree"


def test_opposing_predicates_are_a_conflict():
    verdict = judge(
        "Moskau betrachte Kelloggs Rolle weitgehend als zeremoniell.",
        "Kelloggs Gespräche lassen vermuten, dass er weiterhin eine wichtige Rolle im Friedensprozess spielen könnte.",
        0.53,
    )
    assert verdict.relation == "conflict"
    assert verdict.reason == "opposing: 'zeremoniell' in A vs 'wichtig' in B, about rolle"


def test_opposing_words_about_different_things_are_not_a_conflict():
    verdict = judge(
        "Selenskyj hat den Vorschlag öffentlich unterstützt.",
        "Der Kreml hat die Präsenz von Truppen in der Ukraine abgelehnt.",
        0.54,
    )
    assert verdict.relation == "related"


def test_different_percentages_are_a_conflict():
    verdict = judge(
        "Viele Länder zahlen nur 2 % ihres BIP für die Verteidigung.",
        "Viele Länder zahlen 3 Prozent ihres BIP für die Verteidigung.",
        0.9,
    )
    assert verdict.relation == "conflict"
    assert verdict.reason.startswith("numbers differ: 2 % vs 3 %")


def test_same_percentage_is_not_a_conflict():
    verdict = judge("Das Minimum liegt bei 2 % des BIP.", "Das Minimum liegt bei 2 Prozent des BIP.", 0.9)
    assert verdict.relation == "agree"


def test_low_similarity_without_signals_is_related():
    verdict = judge("Macron erklärte die Pläne.", "Witkoff reiste nach Paris.", 0.46)
    assert verdict.relation == "related"
    assert verdict.reason == "similar (0.46)"


@pytest.mark.parametrize("relation", ["conflict", "agree", "related"])
def test_batch_judging_matches_single_judging(relation):
    pairs = [
        ("Er glaube nicht, dass Europäer am Tisch sitzen.", "Europäer werden am Tisch sitzen.", 0.7),
        ("Das Minimum liegt bei 2 % des BIP.", "Das Minimum liegt bei 2 Prozent des BIP.", 0.9),
        ("Macron erklärte die Pläne.", "Witkoff reiste nach Paris.", 0.46),
    ]
    verdicts = judge_pairs(pairs)
    assert verdicts == [judge(*p) for p in pairs]
    assert relation in {v.relation for v in verdicts}
