import pytest

from claims.text.speakers import find_speaker
from claims.text.split import split

from conftest import SEEDS


def test_offsets_slice_back_to_the_claim():
    text = (SEEDS / "000_ea3b30270da9aa07.txt").read_text(encoding="utf-8")
    claims, skipped = split(text)
    assert len(claims) > 20
    for claim in claims:
        assert text[claim.start : claim.end] == claim.text
    assert [c.position for c in claims] == list(range(len(claims)))


def test_german_abbreviations_and_quotes_do_not_break_sentences():
    text = "Laut Dr. Müller stieg der Preis um 3,5 Prozent, z. B. bei Brot. „Das ist zu viel“, sagte er am 1. März."
    claims, _ = split(text)
    assert [c.text for c in claims] == [
        "Laut Dr. Müller stieg der Preis um 3,5 Prozent, z. B. bei Brot.",
        "„Das ist zu viel“, sagte er am 1. März.",
    ]


def test_a_line_break_ends_a_headline_without_full_stop():
    claims, _ = split("Die Zeitung behauptet etwas Neues\nDer zweite Satz steht hier.")
    assert [c.text for c in claims] == ["Die Zeitung behauptet etwas Neues", "Der zweite Satz steht hier."]


@pytest.mark.parametrize(
    "line",
    [
        "LESEN  Die Angriffe der KI auf unser geistiges Eigentum müssen gestoppt werden.",
        "Schreibe einen Kommentar",
        "Leave a Reply",
        "Your email address will not be published.",
        "Required fields are marked *",
        "GROK",
        ":",
        "Weiterführende Themen – Wagenknecht über NATO-Militär in der Ukraine",
    ],
)
def test_boilerplate_is_skipped_with_a_reason(line):
    claims, skipped = split(f"Ein echter Satz steht hier.\n\n{line}\n")
    assert [c.text for c in claims] == ["Ein echter Satz steht hier."]
    assert [s.text for s in skipped] == [line.strip()]
    assert skipped[0].reason


def test_no_seed_boilerplate_becomes_a_claim():
    boilerplate = ("LESEN", "Schreibe einen Kommentar", "Leave a Reply", "Your email address", "GROK")
    for path in sorted(SEEDS.glob("*.txt")):
        claims, _ = split(path.read_text(encoding="utf-8"))
        for claim in claims:
            assert not claim.text.startswith(boilerplate), (path.name, claim.text)
            assert claim.text.strip() not in {":", "…"}


def test_negation_flag_ignores_not_only():
    claims, _ = split("Er glaubt nicht, dass es klappt. Es geht nicht nur um Geld. Das ist keine Lösung.")
    assert [c.negated for c in claims] == [True, False, True]


@pytest.mark.parametrize(
    "sentence, speaker",
    [
        ("„Das Kabel stellt eine Reihe allgemeiner Fragen“, sagte ein US-Beamter und fügte hinzu, dass es gut sei.", "ein US-Beamter"),
        ("Am Samstag sagte Kellogg, er glaube nicht, dass Europäer „am Tisch“ sein würden.", "Kellogg"),
        ("Kellogg sagte am Samstag auf der Münchner Sicherheitskonferenz, dass die Gespräche liefen.", "Kellogg"),
        ("Westeuropäische Chefs prüfen Truppen, berichtete die Washington Post am Freitag.", "die Washington Post"),
        ("Laut europäischen und amerikanischen Beamten haben die Besuche etwas bewirkt.", "europäischen und amerikanischen Beamten"),
        ("Er sagte, das Treffen sei gut verlaufen, so Uschakow.", "Uschakow"),
        ("Dmitri Peskow, Putins Sprecher, sagte, die Zusammenstellung sei intern.", "Dmitri Peskow"),
        ("Ein anderer an Russlands Kontakten zum Westen beteiligter Mensch sagte, Moskau betrachte Kelloggs Rolle als zeremoniell.", "Ein anderer an Russlands Kontakten zum Westen beteiligter Mensch"),
        ("Die USA haben signalisiert, dass sie bereit sind.", None),
        ("Die Ukraine ging sogar so weit zu sagen, dass sie jedes Abkommen ignorieren würde.", None),
        # Cues of two words, an adverb between them or not (claims/data/speech_cues.txt).
        ("Die Ministerin machte jedoch deutlich, dass die Steuern nicht steigen.", "Die Ministerin"),
        ("Der Konzern stellte klar: Es gibt keine Entlassungen.", "Der Konzern"),
        ("Er machte Urlaub in Spanien und war glücklich.", None),
    ],
)
def test_find_speaker(sentence, speaker):
    assert find_speaker(sentence) == speaker


def test_pronoun_resolves_to_speaker_named_before():
    text = (
        "Missionsleiter Rubio sagte, die Diskussion sei ein erster Schritt. "
        "Vielleicht war sich Rubio dessen bewusst, indem er sagte, dass sie eingeladen würden. "
        "„Die Europäische Union wird irgendwann mit am Tisch sitzen müssen“, sagte er."
    )
    claims, _ = split(text)
    assert [c.speaker for c in claims] == ["Missionsleiter Rubio"] * 3


@pytest.mark.parametrize(
    "sentence, kind, cue, quote",
    [
        ("„Das Kabel stellt eine Reihe allgemeiner Fragen“, sagte ein US-Beamter.", "anonymous", "sagte", "direct"),
        ("Am Samstag sagte Kellogg, er glaube nicht, dass Europäer „am Tisch“ sein würden.", "named", "sagte", "indirect"),
        ("Westeuropäische Chefs prüfen Truppen, berichtete die Washington Post am Freitag.", "outlet", "berichtete", "indirect"),
        ("Laut europäischen und amerikanischen Beamten haben die Besuche etwas bewirkt.", "anonymous", "Laut", "indirect"),
        ("Die USA haben signalisiert, dass sie bereit sind.", "none", None, "none"),
    ],
)
def test_attribution_columns(sentence, kind, cue, quote):
    [claim], _ = split(sentence)
    assert (claim.speaker_kind, claim.cue, claim.quote) == (kind, cue, quote)


def test_a_quote_over_several_sentences_keeps_one_speaker():
    text = (
        "„Die Delegationen haben noch viel Arbeit vor sich. Das Thema wurde diskutiert. "
        "Wir arbeiten die Bedingungen aus“, sagte Uschakow.\n\n"
        "Peskow sagte, die Auswahl sei intern. „Die Präsidenten haben den Willen zum Dialog bekundet.“"
    )
    claims, _ = split(text)
    assert [c.speaker for c in claims] == ["Uschakow"] * 3 + ["Peskow"] * 2
    assert [c.quote for c in claims] == ["direct"] * 3 + ["indirect", "direct"]


def test_a_bare_quote_in_the_next_paragraph_is_not_attributed():
    claims, _ = split("Peskow sagte, die Auswahl sei intern.\n\n„Die Präsidenten haben den Willen zum Dialog bekundet.“")
    assert claims[1].speaker is None and claims[1].speaker_kind == "none"


def test_headlines_and_other_language_lines_are_skipped_not_lost():
    text = (
        "Kellogg bleibt im Spiel\n\nKellogg bleibt im Spiel\n\n"
        "Kellogg reist nächste Woche nach Kiew, sagte ein Diplomat.\n\n"
        "Kellogg Stays in the Game as Talks Go On\n"
    )
    claims, skipped = split(text, title="Kellogg bleibt im Spiel", language="de")
    assert [c.text for c in claims] == ["Kellogg reist nächste Woche nach Kiew, sagte ein Diplomat."]
    reasons = [s.reason.split(":")[0] for s in skipped]
    assert reasons == ["headline", "headline", "other language (en)"]


def test_author_lines_are_skipped():
    claims, skipped = split("Von Max Mustermann\n\nVon den Europäern wird mehr erwartet, sagte Waltz.\n")
    assert [c.text for c in claims] == ["Von den Europäern wird mehr erwartet, sagte Waltz."]
    assert [s.text for s in skipped] == ["Von Max Mustermann"]


def test_control_characters_alone_give_no_claim_and_no_crash():
    # Found by hypothesis: SoMaJo returns an empty sentence for "\x1b".
    assert split("\x1b") == ([], [])
    [claim], _ = split("Kellogg sagte \x1b heute, dass es gut sei.")
    assert claim.speaker == "Kellogg"


def test_a_line_without_sentence_ends_is_skipped_as_too_long():
    claims, [skipped] = split("wort " * 1000)
    assert claims == [] and skipped.reason == "too long: 4,999 characters without a sentence end"


def test_somajo_shortcuts_leave_its_sentences_and_offsets_as_they_are():
    """The emoji check and the offsets matched against the paragraph
    (claims/text/sentences.py) are for speed only: the spans are a plain SoMaJo's."""
    from somajo import SoMaJo

    from claims.text.sentences import PARAGRAPH, sentences

    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    texts += [
        "Das ist toll 😀👍🏽! Wirklich ❤️ so.", "Flagge 🇩🇪 und Familie 👨‍👩‍👧. Ende :-)", "\ufe0fAnfang. Zweiter Satz 1️⃣ hier.",
        # Not in NFC, a soft hyphen and a zero-width space SoMaJo leaves out, odd spaces.
        "Cafe\u0301 und Kuchen. Der Preis stieg.", "Die Ver\u00adhandlungen laufen. Ja\u200b, sagte er.",
        "Zwei\u00a0Leerzeichen  und\tTabs.   Noch ein Satz.", "\x07Steuerzeichen. \x07", "„Zitat“ – sagte sie. (Klammer.) Ende…",
    ]
    plain = SoMaJo("de_CMC", split_camel_case=False, character_offsets=True)

    def spans(text):
        return [
            (s[0].character_offset[0] + m.start(), s[-1].character_offset[1] + m.start())
            for m in PARAGRAPH.finditer(text) if m.group().strip()
            for s in plain.tokenize_text([m.group()]) if s
        ]

    for text in texts:
        assert sentences(text) == spans(text), text


def test_two_voices_in_one_sentence_are_two_claims_each_with_its_speaker():
    from claims.text.split import split

    claims, _ = split("Demo in Halle\n\nLaut Polizei kamen etwa 5.000 Menschen zur Kundgebung, die Organisatoren sprachen von 9.000 Teilnehmern.")
    assert [(c.text, c.speaker) for c in claims][-2:] == [
        ("Laut Polizei kamen etwa 5.000 Menschen zur Kundgebung", "Polizei"),
        ("die Organisatoren sprachen von 9.000 Teilnehmern.", "die Organisatoren"),
    ]
    # A relative clause is no second voice.
    claims, _ = split("Rede\n\nDie Ministerin, die gestern sagte, sie komme nicht, blieb der Sitzung fern.")
    assert claims[-1].text.startswith("Die Ministerin") and claims[-1].text.endswith("fern.")
