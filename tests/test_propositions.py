"""Propositions: a claim's content is what it asserts, without who said it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.text import features
from claims.text.propositions import parts, proposition
from claims.text.split import split


@pytest.mark.parametrize(
    "sentence, speaker, content",
    [
        # Speaker and cue first, then the proposition.
        ("Ein Sprecher sagte, die Regierung plane keine neuen Steuern.", "Ein Sprecher", "die Regierung plane keine neuen Steuern."),
        # The proposition first, the frame after it.
        ("„Der Vertrag ist gescheitert“, sagte die Ministerin.", "die Ministerin", "Der Vertrag ist gescheitert"),
        ("Die Verhandlungen laufen weiter, so ein Diplomat.", "ein Diplomat", "Die Verhandlungen laufen weiter"),
        # "dass" goes with the frame.
        ("Müller betonte, dass der Streik am Montag beginnt.", "Müller", "der Streik am Montag beginnt."),
        # A described speaker between commas is still before the cue.
        ("Anna Berg, die Sprecherin des Ministeriums, sagte, der Bericht sei vollständig.", "Anna Berg", "der Bericht sei vollständig."),
        # A question put to the speaker is not what they said.
        ("Auf die Frage, ob er zurücktrete, sagte der Minister, er bleibe im Amt.", "der Minister", "er bleibe im Amt."),
    ],
)
def test_the_reporting_frame_is_taken_off(sentence, speaker, content):
    found = proposition(sentence, speaker, "anonymous")
    assert found.content == content
    assert found.framed


def test_a_negated_frame_negates_the_proposition():
    found = proposition("Am Samstag sagte Kellogg, er glaube nicht, dass Europäer am Tisch sein würden.", "Kellogg", "named")
    assert found.content == "Europäer am Tisch nicht sein würden."
    assert found.negated
    # The negation is on the proposition, where the judge looks for it.
    assert features.of(found.content).negations


def test_a_denying_verb_negates_the_proposition():
    found = proposition("Der Konzern bestritt, dass die Anlage Schadstoffe ausstoße.", None)
    assert found.content == "die Anlage Schadstoffe nicht ausstoße."
    assert found.negated


def test_a_frame_without_negation_keeps_the_polarity():
    found = proposition("Die Ministerin glaubt, dass der Plan funktioniert.", None)
    assert found.content == "der Plan funktioniert."
    assert not found.negated


def test_the_speakers_pronoun_is_resolved():
    found = proposition("Kellogg sagte, er spreche mit europäischen Hauptstädten.", "Kellogg", "named")
    assert found.content == "Kellogg spreche mit europäischen Hauptstädten."
    # Not for a described speaker, whose "er" may be anyone.
    assert proposition("Ein Beamter sagte, er spreche mit Kiew.", "Ein Beamter", "anonymous").content == "er spreche mit Kiew."


def test_a_sentence_without_a_frame_is_its_own_content():
    sentence = "Die Preise für Strom sind im Mai gestiegen."
    found = proposition(sentence, None)
    assert found.content == sentence and not found.framed and not found.negated


def test_two_main_clauses_joined_by_aber_are_two_propositions():
    sentence = "Kellogg sagte, er glaube nicht, dass Europäer am Tisch sitzen würden, aber er spreche mit ihren Hauptstädten."
    spans = parts(sentence)
    assert [sentence[s:e] for s, e in spans] == [
        "Kellogg sagte, er glaube nicht, dass Europäer am Tisch sitzen würden",
        "aber er spreche mit ihren Hauptstädten.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Das Lokal am Markt ist klein, aber fein.",  # no clause after "aber"
        "Er kam nicht nur zu spät, sondern auch ohne Unterlagen.",  # "sondern" continues the negation
    ],
)
def test_no_split_without_a_second_clause(sentence):
    assert parts(sentence) == [(0, len(sentence))]


def test_split_claims_keep_their_spans_and_speaker():
    text = (
        "Streit um den Haushalt\n\n"
        "Am Montag sagte Finanzminister Weber, er glaube nicht, dass die Steuern steigen würden, "
        "aber er spreche mit den Ländern über neue Abgaben.\n"
    )
    claims, _ = split(text, "Streit um den Haushalt", "de")
    assert len(claims) == 2
    first, second = claims
    for claim in claims:
        assert text[claim.start : claim.end] == claim.text
        assert claim.speaker == "Finanzminister Weber"
    assert first.end <= second.start and [c.position for c in claims] == [0, 1]
    assert first.negated and "nicht" in first.content and "sagte" not in first.content
    assert second.content.startswith("Finanzminister Weber spreche mit den Ländern")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(list("abcdefg ÄÖÜäöüß,.;:„“\"-–") + ["aber ", "doch ", "sagte ", "dass ", "nicht ", "Er ", "Kellogg "]), max_size=60).map("".join))
def test_propositions_are_never_empty_and_parts_slice(text):
    spans = parts(text)
    assert all(0 <= s <= e <= len(text) for s, e in spans)
    assert all(spans[k][1] <= spans[k + 1][0] for k in range(len(spans) - 1))
    if text.strip():
        assert proposition(text, "Kellogg", "named").content.strip()


@pytest.mark.parametrize(
    "sentence, speaker",
    [
        # A verb of naming: what follows is the number or verdict given, the speaker comes first.
        ("Die Polizei nannte eine Teilnehmerzahl von 10.000 Demonstrierenden.", "Die Polizei"),
        ("Er nannte den Plan unrealistisch.", "Er"),
        ("Am Abend nannte Innenminister Müller die Zahl von 500 Festnahmen.", "Innenminister Müller"),
        # A number after the cue is what is said, not who says it.
        ("Die Veranstalter sagen 12.000 Personen, gegen diesen Parteitag.", "Die Veranstalter"),
        ("Am Samstag sagte Kellogg, er glaube nicht an einen Durchbruch.", "Kellogg"),
    ],
)
def test_who_names_a_number_is_its_speaker(sentence, speaker):
    from claims.text.speakers import find_attribution

    assert find_attribution(sentence)[0] == speaker
