"""Alignment signals (coverage, word order), the agreement rule, learned cue
words, and matched pairs against labelled ones: German examples, true and false."""

import numpy as np
import pytest

from claims.judging import cues, signals
from claims.text import features
from claims.judging.judge import NEWS_PRIOR, Judge


def evidence(a, b, similarity=0.8):
    return signals.compare(a, b, similarity)


def test_word_order_keeps_roles_and_catches_swapped_ones():
    same = evidence("Der Hund beißt den Briefträger im Garten.", "Der große Hund beißt gestern den Briefträger in seinem Garten.")
    swapped = evidence("Der Hund beißt den Briefträger im Garten.", "Der Briefträger beißt den Hund im Garten.")
    assert same["order"] == 1.0
    assert swapped["order"] < 0.7


def test_a_fronted_phrase_counts_as_another_order():
    # A limit of the measure: German fronts phrases freely.
    assert evidence("Die Regierung erhöht die Steuern im kommenden Jahr.", "Im kommenden Jahr erhöht die Regierung die Steuern.")["order"] < 0.7


def test_word_order_says_nothing_with_too_few_shared_words():
    assert evidence("Kellogg verhandelt.", "Rubio verhandelt.")["order"] == 1.0


def test_coverage_is_of_the_longer_claim_and_overlap_of_the_shorter():
    e = evidence(
        "Die Regierung erhöht die Steuern.",
        "Die Regierung erhöht die Steuern auf Benzin, Diesel und Heizöl im kommenden Jahr.",
    )
    assert e["overlap"] == 1.0
    assert e["coverage"] < 0.5


def matched():
    return Judge(prior=NEWS_PRIOR, matched=True)


def judged(text_a, text_b, similarity):
    """The verdict on one pair matched as the build matches it."""
    [verdict] = matched().judge_pairs([(text_a, text_b, similarity)])
    return verdict


@pytest.mark.parametrize("text_a, text_b, similarity, why", [
    pytest.param(
        "Die Regierung will die Steuern auf Benzin im kommenden Jahr erhöhen.",
        "Die Bundesregierung plant, die Steuern auf Benzin und Diesel im kommenden Jahr zu erhöhen.",
        0.8, "same polarity", id="two outlets reporting the same",
    ),
    pytest.param(
        "Die Regierung erhöht die Steuern.",
        "Die Regierung erhöht die Steuern auf Benzin, Diesel und Heizöl im kommenden Jahr.",
        0.5, "one names what the other says", id="one naming all the other says",
    ),
])
def test_claims_saying_the_same_agree(text_a, text_b, similarity, why):
    verdict = judged(text_a, text_b, similarity)
    assert verdict.relation == "agree"
    assert why in verdict.reason


def test_same_words_in_swapped_roles_do_not_agree():
    assert judged("Der Hund beißt den Briefträger im Garten.", "Der Briefträger beißt den Hund im Garten.", 0.9).relation != "agree"


def test_a_negated_restatement_never_agrees():
    verdict = judged("Die Regierung will die Steuern auf Benzin erhöhen.", "Die Regierung will die Steuern auf Benzin nicht erhöhen.", 0.9)
    assert verdict.relation == "conflict"


def test_a_shared_topic_is_no_agreement():
    # Close in embedding space (one story), little said in common.
    verdict = judged(
        "Westeuropäische Regierungschefs prüfen, Truppen in die Ukraine zu entsenden.",
        "Russland lehnt jede Präsenz von NATO-Soldaten in der Ukraine ab und droht mit Konsequenzen für den Westen.",
        0.65,
    )
    assert verdict.relation != "agree"


def test_a_labelled_pair_is_judged_about_one_thing_a_matched_one_is_not():
    # Labelled pairs are written about one thing: a negation in one is a
    # conflict. Matched by similarity, the same pair may be about different
    # weapons and different men; nothing both say is negated.
    pair = ("Waffen wurden bei dem Mann nicht gefunden.", "Die Täter trugen Sprengstoffwesten und Waffen.", 0.6)
    [given] = Judge().judge_pairs([pair])
    as_matched = judged(*pair)
    assert given.relation == "conflict"
    assert as_matched.relation != "conflict"


def test_cue_words_are_learned_from_one_sided_lemmas():
    yes = ["Wir fordern das.", "Wir unterstützen den Vorschlag.", "Das ist richtig."]
    no = ["Wir lehnen das ab.", "Wir lehnen den Vorschlag ab.", "Das lehnen wir entschieden ab."]
    thesis = "Der Mindestlohn soll steigen."
    pairs = [(features.of(thesis), features.of(t)) for t in yes * 4 + no * 4 + [thesis] * 4]
    y = np.array([0] * 12 + [2] * 12 + [1] * 4)
    learned = cues.fit(pairs, y, np.ones(len(y)), c=10.0)
    assert learned.weights["lehnen"][1] > 0 > learned.weights["lehnen"][0]
    agree, conflict, word, side = learned.score(features.of(thesis), features.of("Wir lehnen den Mindestlohn ab."))
    assert conflict > 0 and word == "lehnen" and side == "B"


def test_a_cue_named_in_a_reason_is_a_word_a_reader_can_check():
    learned = cues.Cues({"der": (0.0, 2.0), "ablehnen": (0.0, 0.5)})
    *_, word, side = learned.score(features.of("Der Plan."), features.of("Sie ablehnen Plan."))
    # "der" weighs more but names nothing; it is only in A, "ablehnen" only in B.
    assert (word, side) == ("ablehnen", "B")


@pytest.mark.parametrize("weights_key", ["cues", "agree_threshold"])
def test_weights_keep_cues_and_agree_threshold_through_json(weights_key):
    from claims.judging.judge import Weights, load_weights

    weights = load_weights()
    again = Weights.from_dict(weights.to_dict())
    assert getattr(again, weights_key) == getattr(weights, weights_key)
