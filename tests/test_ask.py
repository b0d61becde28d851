"""Stances: a claim answers a question when it is about the proposition's subject and predicate."""

from claims.pipeline import ask
from claims.text import features


def test_a_proposition_has_a_subject_and_a_predicate():
    subject, predicate = ask.about("Die Europäer werden mit am Verhandlungstisch sitzen.")
    assert set(subject) == {"europä"}
    # A compound names its head too: "am Tisch sitzen" is about the Verhandlungstisch.
    assert {"tisch", "sitzen"} <= set(predicate)
    # A question: the noun phrase after the verb is the subject.
    subject, predicate = ask.about("Spielt Kellogg weiterhin eine wichtige Rolle im Friedensprozess?")
    assert set(subject) == {"kellog"} and {"rolle", "wichti"} <= set(predicate)
    subject, predicate = ask.about("Gibt es einen Waffenstillstand?")
    assert not subject and predicate


def test_a_claim_not_about_the_predicate_is_no_answer():
    subject, predicate = ask.about("Die Europäer werden mit am Verhandlungstisch sitzen.")
    on_topic = features.of("Die Europäische Union wird irgendwann mit am Tisch sitzen müssen")
    assert ask._not_about(on_topic, subject, predicate) is None
    # About the Europeans and about negotiations, not about their seat at the table.
    aside = features.of("Europäische Führer bestanden darauf, an den Verhandlungen teilzunehmen")
    assert ask._not_about(aside, subject, predicate) == "verhandlungstisch/sitzen"
    # About the table, not about the Europeans.
    other = features.of("Uschakow saß mit Rubio und Lawrow am Tisch")
    assert ask._not_about(other, subject, predicate) == "europäer"


def test_seed_stances_say_yes_and_no_only_on_the_question(seed_db):
    rows = list(seed_db.query("select question_id, stance, claim, reason from stances"))
    clear = [r for r in rows if r["stance"] in ("yes", "no")]
    assert {(r["question_id"], r["stance"]) for r in clear} >= {
        ("europeans-at-the-table", "yes"), ("europeans-at-the-table", "no"),
        ("kellogg-role", "yes"), ("kellogg-role", "no"),
    }
    for r in rows:
        if r["reason"].startswith("not about"):
            assert r["stance"] == "unclear"
    # Claims that Kellogg was sidelined do not say he still plays an important role.
    sidelined = [r for r in rows if r["question_id"] == "kellogg-role" and "an den Rand gedrängt" in r["claim"]]
    assert all(r["stance"] != "yes" for r in sidelined)


def test_a_side_on_a_claim_that_names_nothing_of_what_is_asked_stands_only_when_the_model_is_sure():
    from claims.pipeline.ask import NAMELESS_SURE, gate

    assert gate("yes", 0.3, 0.5) and gate("unclear", 0.9, 0.0)
    assert not gate("yes", NAMELESS_SURE - 0.01, 0.0) and gate("no", NAMELESS_SURE, 0.0)
    # Nor one on a claim that names nothing of the proposition's subject.
    from claims.pipeline.ask import about, names_subject
    from claims.text import features

    known, subject = features.FeatureMap(), about("Die Trainerin Müller bleibt beim Verein.")[0]
    assert names_subject(known["Müller verlängert ihren Vertrag beim Verein."], subject)
    assert not names_subject(known["Der Verein sucht keine neue Spielerin."], subject)
    assert not gate("no", NAMELESS_SURE - 0.01, 0.5, subject=False) and gate("no", NAMELESS_SURE, 0.5, subject=False)
