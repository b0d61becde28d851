"""Shown means trusted (issue 44): the conflicts and agreements views show
what a reader confirmed or the sides readers gave; what the machine alone
suspects is a candidate; a reader's side carries to the same statement in
other reports; automatic points read on their own."""

import sqlite_utils

from claims import Corpus
from claims.pipeline import sides
from claims.pipeline.sides import Side
from claims.text.propositions import stands_alone
from claims.text.statements import same


def side(claim, source, stance, score=0.8, speaker=None, confirmed=False):
    return Side("p", "Die Europäer sitzen am Tisch.", 1, claim, source, speaker, stance, score, confirmed)


def test_the_machine_s_sides_are_candidates_and_a_reader_s_are_found():
    [machine] = sides.derive([side(1, "A", "yes", 0.95), side(2, "B", "no", 0.95)])
    assert machine["relation"] == "conflict" and machine["found"] is None
    [read] = sides.derive([side(1, "A", "yes", confirmed=True), side(2, "B", "no", confirmed=True)])
    assert read["found"] == "reader sides" and "a reader's side" in read["reason"]
    # Where the machine's precision was measured at 0.8 from some P(side), it finds on its own from there.
    [sure] = sides.derive([side(1, "A", "yes", 0.95), side(2, "B", "no", 0.9)], machine=0.9)
    assert sure["found"] == "machine"


def test_every_pair_of_confirmed_claims_of_two_voices_is_found_not_only_each_voice_s_surest():
    rows = sides.derive([
        side(1, "A", "yes", confirmed=True), side(2, "A", "yes", confirmed=True),
        side(3, "B", "no", confirmed=True), side(4, "C", "no", 0.9),
    ])
    found = {(r["claim_a"], r["claim_b"], r["relation"]) for r in rows if r["found"]}
    assert found == {(1, 3, "conflict"), (2, 3, "conflict")}
    # The machine's side of C makes candidates, with each side a reader gave.
    assert {(r["claim_a"], r["claim_b"]) for r in rows if not r["found"]} == {(1, 4), (2, 4), (3, 4)}


def test_the_same_statement_needs_the_same_numbers_negations_and_speaker():
    assert same("Die Polizei ging von mindestens 80.000 Demonstrierenden aus.", "Die Polizei ging von mindestens 80'000 Demonstrierenden aus, hieß es.")
    assert same("Die Veranstalter sprachen von bis zu 250.000 Teilnehmern.", "der Veranstalter sprach von 250'000")
    assert not same("Die Polizei sprach von 100.000 Menschen.", "Die Polizei sprach von 250.000 Menschen.")
    assert not same("Die Europäer werden nicht am Tisch sitzen.", "Die Europäer werden am Tisch sitzen.")
    assert not same("Die Europäer werden am Tisch sitzen.", "Die Europäer werden am Tisch sitzen!", "Trump", "Selenskyj")


def test_an_automatic_point_stands_alone():
    assert stands_alone("Die Demonstration wurde wegen Überfüllung abgebrochen.")
    assert not stands_alone("Dies geschah, als europäische Führer darauf bestanden, am Tisch zu sitzen.")
    assert not stands_alone("Demnach soll die Türkei die Grenze zu Griechenland besser sichern.")
    assert not stands_alone("Die Europäer werden nicht mit am Tisch sitzen, sagte Trump.")
    assert not stands_alone("Wir werden das nicht zulassen.")


SAME = "Die Polizei ging von mindestens 80.000 Demonstrierenden aus."
ALIKE = "Die Polizei ging von mindestens 80'000 Demonstrierenden aus."  # the same statement, Swiss style
QUESTIONS = [{"id": "count", "question": "Ging die Polizei von mindestens 80.000 Demonstrierenden aus?",
              "proposition": "Die Polizei ging von mindestens 80.000 Demonstrierenden aus."}]
RECORDS = [
    {"title": "Demo in München", "source": "Agentur", "path": "a.json",
     "text": f"Die Demonstration in München wurde wegen Überfüllung abgebrochen. {SAME} Die Veranstalter sprachen von bis zu 250.000 Teilnehmern."},
    {"title": "Großdemo abgebrochen", "source": "Zeitung", "path": "b.json",
     "text": f"Die Großdemonstration gegen rechts in München musste abgebrochen werden. {ALIKE} Die Veranstalter zählten 250.000 Menschen."},
]


def test_views_show_found_pairs_only_and_a_reader_s_side_carries_to_the_same_statement(tmp_path):
    from conftest import hashing_model

    path = tmp_path / "claims.db"
    corpus = Corpus(path, model="hashing-64", encoder=hashing_model(), questions=QUESTIONS)
    corpus.add(RECORDS)
    db = sqlite_utils.Database(path)
    # Nothing is found before a reader says so but what the claims' numbers
    # decide by value (80,000 against 250,000): the stance model's pairs are candidates.
    found = list(db.query("select found, reason from conflicts union all select found, reason from agreements"))
    assert found and all(r["found"] == "machine" and "value" in r["reason"] for r in found)
    assert len(corpus.conflicts()) + len(corpus.agreements()) == len(found)
    proposed = db.execute("select count(*) from claim_pairs where relation in ('conflict', 'agree') and found is null").fetchone()[0]
    assert db.execute("select count(*) from candidates where kind = 'pair'").fetchone()[0] == proposed
    answering = {r["claim"] for r in db.query("select claim from stances where question_id = 'count'")}
    assert {SAME, ALIKE} <= answering  # a story this small: every claim answers
    corpus.store.add_review("stance", "no", SAME, question=QUESTIONS[0]["proposition"], actor="test")
    rows = {r["claim"]: r for r in db.query("select claim, status, stance, reason from stances where question_id = 'count'")}
    assert rows[SAME]["status"] == "confirmed" and rows[ALIKE]["status"] == "carried"
    assert rows[ALIKE]["stance"] == "no" and rows[ALIKE]["reason"].startswith("carried from review 1")
    # Other claims keep the machine's side.
    assert all(r["status"] == "proposed" for c, r in rows.items() if c not in (SAME, ALIKE))
    # Both reports' sides are a reader's now: the next build shows their agreement as found.
    corpus.build()
    # (on the question, or on the automatic point the same statement makes: one row a pair)
    [agreement] = db.query("select * from agreements where found = 'reader sides'")
    assert {agreement["claim_a"], agreement["claim_b"]} == {SAME, ALIKE}
    # Undoing the review takes the carried side back too.
    corpus.store.remove_reviews("stance", SAME, question=QUESTIONS[0]["proposition"])
    assert db.execute("select count(*) from answers where status in ('confirmed', 'carried')").fetchone()[0] == 0


def test_the_same_statement_is_not_one_word_or_one_direction_apart():
    assert not same("Die Zahl stieg auf 5 Prozent.", "Die Zahl sank auf 5 Prozent.")
    assert not same("Mehr als 100 Menschen starben bei dem Anschlag.", "Weniger als 100 Menschen starben bei dem Anschlag.")
    assert not same("Die Regierung hat den Plan am Montag gebilligt.", "Die Opposition hat den Plan am Montag gebilligt.")


def test_undoing_a_reader_s_side_takes_the_pairs_it_made_back_to_candidates_at_once(tmp_path):
    from claims.store import Store

    store = Store(tmp_path / "claims.db")
    db = store.db
    db["articles"].insert_all([{"id": 1, "source": "A", "title": "a", "path": "a", "sha256": "a", "text": "x"},
                               {"id": 2, "source": "B", "title": "b", "path": "b", "sha256": "b", "text": "y"}])
    db["claims"].insert_all([{"id": 1, "article_id": 1, "position": 0, "text": "Die Europäer sitzen am Tisch.", "start": 0, "end": 1},
                             {"id": 2, "article_id": 2, "position": 0, "text": "Die Europäer sitzen nicht am Tisch.", "start": 0, "end": 1}])
    db["questions"].insert({"id": "table", "question": "Sitzen die Europäer am Tisch?", "proposition": "Die Europäer sitzen am Tisch."})
    db["answers"].insert_all([{"question_id": "table", "claim_id": c, "stance": s, "score": 0.6, "judged_stance": s, "judged_by": "stance",
                               "judge": "stance", "status": "proposed"} for c, s in ((1, "yes"), (2, "no"))])
    store.add_review("stance", "yes", "Die Europäer sitzen am Tisch.", question="Die Europäer sitzen am Tisch.")
    store.add_review("stance", "no", "Die Europäer sitzen nicht am Tisch.", question="Die Europäer sitzen am Tisch.")
    sides.apply(store)
    [row] = db.query("select * from conflicts")
    assert row["found"] == "reader sides"
    store.remove_reviews("stance", "Die Europäer sitzen am Tisch.", question="Die Europäer sitzen am Tisch.")
    assert db["conflicts"].count == 0
    assert db.execute("select count(*) from candidates where kind = 'pair'").fetchone()[0] == 1


def test_the_queue_asks_first_about_claims_that_name_what_is_asked_and_last_about_sides_read_by_value(tmp_path):
    from claims.store import Store

    store = Store(tmp_path / "claims.db")
    db = store.db
    db["articles"].insert_all([{"id": k, "source": s, "title": s, "path": s, "sha256": s, "text": s} for k, s in ((1, "A"), (2, "B"))])
    texts = {1: "Der Abgeordnete war als Beobachter vor Ort.", 2: "Er trug eine Warnweste.", 3: "Rund 10.000 Menschen protestierten."}
    db["claims"].insert_all([{"id": k, "article_id": 1 + k % 2, "position": k, "text": t, "start": 0, "end": 1} for k, t in texts.items()])
    db["questions"].insert({"id": "vest", "question": "Trug der Abgeordnete eine Warnweste?", "proposition": "Der Abgeordnete trug eine Warnweste."})
    rows = [(1, "yes", 0.3, 0.9, 0.0, "stance model"), (2, "yes", 0.3, 0.5, 1.0, "stance model"), (3, "no", 0.9, 0.95, 0.0, "numbers: 10.000 against 15.000")]
    db["answers"].insert_all([{"question_id": "vest", "claim_id": c, "stance": s, "score": p, "similarity": sim, "about": about, "reason": r,
                               "judged_stance": s, "judged_by": "stance", "judge": "stance", "status": "proposed"} for c, s, p, sim, about, r in rows])
    db["questions"].update("vest", {"contested": 1})
    order = [(r["claim_a_id"], r["rank"]) for r in db.query("select claim_a_id, rank from review_queue where kind = 'stance'")]
    # The claim that names the vest first; the side its number already decides
    # after it; the claim closer in meaning that names only the MP, and to
    # which the model gives no sure side, after every other candidate of a
    # question (a user's question being contested makes it no automatic point's side).
    assert order == [(2, 0), (3, 0), (1, 5)]
    # A side stored before ``about`` was (a db not rebuilt since) may answer.
    db.execute("update answers set about = null where claim_id = 1")
    assert [r["rank"] for r in db.query("select rank from review_queue where claim_a_id = 1")] == [0]


def test_one_speaker_spelled_with_or_without_an_article_is_one_voice():
    assert not sides.distinct(side(1, "A", "yes", speaker="Die Polizei"), side(2, "A", "no", speaker="Polizei"))
    assert not sides.distinct(side(1, "A", "yes", speaker="die Veranstalter"), side(2, "A", "no", speaker="der Veranstalter"))
    assert sides.distinct(side(1, "A", "yes", speaker="Die Polizei"), side(2, "A", "no", speaker="Die Veranstalter"))


OVERFULL = [{"id": "overfull", "question": "Wurde die Demonstration wegen Überfüllung abgebrochen?",
             "proposition": "Die Demonstration wurde wegen Überfüllung abgebrochen."}]
SAID = "Die Demonstration in München ist am Sonntag wegen Überfüllung abgebrochen worden."
LIKE_IT = "Die Demonstration in München ist am Sonntag wegen Überfüllung vorzeitig beendet worden."
NOT_IT = "Die Demonstration in München ist am Sonntag nicht wegen Überfüllung abgebrochen worden."


def test_a_reader_s_side_moves_the_claims_alike_to_it_until_the_review_is_undone(tmp_path):
    from conftest import hashing_model

    from claims.store.reviews import ALIKE_SCORE

    path = tmp_path / "claims.db"
    corpus = Corpus(path, model="hashing-64", encoder=hashing_model(), questions=OVERFULL)
    corpus.add([{"title": f"Demo {k}", "source": source, "path": f"{k}.json", "text": text}
                for k, (source, text) in enumerate([("Agentur", SAID), ("Zeitung", LIKE_IT), ("Blatt", NOT_IT)])])
    db = sqlite_utils.Database(path)

    def answers():
        return {r["text"]: r for r in db.query(
            "select c.text, s.stance, s.score, s.judge, s.status, s.carried from answers s join claims c on c.id = s.claim_id "
            "where s.question_id = 'overfull'")}

    before = answers()
    assert {SAID, LIKE_IT, NOT_IT} <= before.keys()
    # The reader says what the model did not say of the claim alike.
    value = "unclear" if before[LIKE_IT]["stance"] != "unclear" else "yes"
    corpus.store.add_review("stance", value, SAID, question=OVERFULL[0]["proposition"], actor="test")
    after = answers()
    assert after[SAID]["status"] == "confirmed"
    # Close by meaning, the same numbers and negations: it takes the reader's side, still a proposal.
    moved = after[LIKE_IT]
    assert (moved["stance"], moved["judge"], moved["status"], moved["score"]) == (value, "alike", "proposed", ALIKE_SCORE)
    assert moved["carried"].startswith("like review 1: a reader said")
    # As close by words, one negation apart: its side is its own.
    assert after[NOT_IT]["judge"] != "alike" and after[NOT_IT]["stance"] == before[NOT_IT]["stance"]
    # A rebuild ends where it was; undoing the review gives the model's side and score back.
    corpus.build()
    assert answers()[LIKE_IT]["judge"] == "alike"
    corpus.store.remove_reviews("stance", SAID, question=OVERFULL[0]["proposition"])
    again = answers()[LIKE_IT]
    assert (again["stance"], again["score"], again["judge"], again["carried"]) == (
        before[LIKE_IT]["stance"], before[LIKE_IT]["score"], before[LIKE_IT]["judge"], None)


SAID_TWICE = "Geplant war der Beginn der Kundgebung für 10 Uhr am Marktplatz."
SAID_AGAIN = "Geplant war, die Kundgebung um 10 Uhr am Marktplatz zu beginnen."


def test_two_outlets_making_the_same_statement_are_a_found_agreement(tmp_path):
    from conftest import hashing_model

    path = tmp_path / "claims.db"
    corpus = Corpus(path, model="hashing-64", encoder=hashing_model())
    corpus.add([
        {"title": "Kundgebung in Riesa", "source": "Agentur", "path": "a.json",
         "text": f"Tausende protestierten in Riesa gegen den Parteitag. {SAID_TWICE} Die Polizei sperrte die Innenstadt."},
        {"title": "Protest in Riesa", "source": "Zeitung", "path": "b.json",
         "text": f"In Riesa protestierten Tausende gegen den Parteitag. {SAID_AGAIN} Die Innenstadt war gesperrt."},
    ])
    db = sqlite_utils.Database(path)
    found = {(r["claim_a"], r["claim_b"]): r["found"] for r in db.query("select claim_a, claim_b, found from agreements")}
    assert found.get((SAID_TWICE, SAID_AGAIN)) == "same statement"
    # A reader who calls it merely related takes it out of the agreements.
    corpus.store.add_review("pair", "related", SAID_TWICE, SAID_AGAIN, actor="test")
    corpus.build()
    assert (SAID_TWICE, SAID_AGAIN) not in {(r["claim_a"], r["claim_b"]) for r in db.query("select claim_a, claim_b from agreements")}
    # Undone, it is found again at once, as a fresh build finds it.
    corpus.store.remove_reviews("pair", SAID_TWICE, SAID_AGAIN)
    found = {(r["claim_a"], r["claim_b"]): r["found"] for r in db.query("select claim_a, claim_b, found from agreements")}
    assert found.get((SAID_TWICE, SAID_AGAIN)) == "same statement"


COUNTED = "Rund 15.000 Menschen protestierten."
GOES_ON = "Unser Einsatz läuft weiter."  # names nothing of the count: the model's yes is a proposal
TEN = "Rund 10.000 Menschen protestierten."
TWELVE = "Rund 12.000 Menschen protestierten."


def test_a_reader_s_word_on_a_pair_of_a_point_settles_the_unsure_side_and_its_other_pairs(tmp_path):
    from claims.store import Store

    store = Store(tmp_path / "claims.db")
    db = store.db
    db["articles"].insert_all([{"id": k, "source": s, "title": s, "path": s, "sha256": s, "text": s} for k, s in ((1, "A"), (2, "B"), (3, "C"))])
    db["claims"].insert_all([{"id": k, "article_id": k, "position": 0, "text": t, "start": 0, "end": 1}
                             for k, t in ((1, GOES_ON), (2, TEN), (3, TWELVE))])
    db["questions"].insert({"id": "count", "question": "Protestierten rund 15.000 Menschen?", "proposition": COUNTED})
    rows = [(1, "yes", 0.81, "stance model"), (2, "no", 0.9, "numbers: 10.000 against 15.000"), (3, "no", 0.9, "numbers: 12.000 against 15.000")]
    db["answers"].insert_all([{"question_id": "count", "claim_id": c, "stance": s, "score": p, "reason": r, "judged_stance": s,
                               "judged_by": "stance", "judge": "stance", "status": "proposed"} for c, s, p, r in rows])
    sides.apply(store)
    pairs = lambda: {frozenset((r["claim_a_id"], r["claim_b_id"])) for r in db.query("select * from candidates where kind = 'pair'")}  # noqa: E731
    assert {frozenset((1, 2)), frozenset((1, 3))} <= pairs()
    # "Not a conflict", of the pair with a count read by value: the model's yes
    # was what was wrong, so the claim answers nothing, and its pair with the
    # other count goes from the queue at once, before any build.
    store.add_review("pair", "related", GOES_ON, TEN, COUNTED)
    side = lambda: db.execute("select stance, status, carried from answers where claim_id = 1").fetchone()  # noqa: E731
    assert side()[:2] == ("unclear", "carried") and "a reader said related" in side()[2]
    assert not any(1 in p for p in pairs())
    sides.apply(store)  # as the next build derives the point's pairs again
    assert side()[:2] == ("unclear", "carried") and not any(1 in p for p in pairs())
    # "The same thing": the claim takes the count's side, and the pairs that
    # side makes stay through the next derivation.
    store.add_review("pair", "agree", GOES_ON, TEN, COUNTED)
    assert side()[:2] == ("no", "carried")
    sides.apply(store)
    relation = lambda: {r["claim_b"] if r["claim_a"] == 1 else r["claim_a"]: r["relation"]  # noqa: E731
                        for r in db.query("select * from claim_pairs where point = 'count' and 1 in (claim_a, claim_b)")}
    assert relation() == {2: "agree", 3: "agree"} and side()[:2] == ("no", "carried")
    # The pair's latest review holds, whether or not it names the point.
    store.add_review("pair", "conflict", GOES_ON, TEN)
    assert side()[:2] == ("yes", "carried") and side()[2].startswith("from review 3: a reader said conflict")
    # Undone, the model's side shows again.
    store.remove_reviews("pair", GOES_ON, TEN)
    assert side()[:2] == ("yes", "proposed")


def test_a_pair_the_sides_of_a_point_derive_as_an_agreement_is_still_the_same_statement(tmp_path):
    from claims.store import Store

    store = Store(tmp_path / "claims.db")
    db = store.db
    db["articles"].insert_all([{"id": k, "source": s, "title": s, "path": s, "sha256": s, "text": s} for k, s in ((1, "A"), (2, "B"))])
    db["claims"].insert_all([{"id": k, "article_id": k, "position": 0, "text": t, "start": 0, "end": 1} for k, t in ((1, SAID_TWICE), (2, SAID_AGAIN))])
    db["claim_pairs"].insert({"claim_a": 1, "claim_b": 2, "relation": "agree", "judged_relation": "agree", "score": 0.4, "judge": "signals",
                              "judged_by": "signals", "status": "proposed", "similarity": 0.9}, alter=True)
    db["questions"].insert({"id": "start", "question": "War der Beginn für 10 Uhr geplant?", "proposition": "Der Beginn war für 10 Uhr geplant.",
                            "origin": "auto"}, alter=True)
    db["answers"].insert_all([{"question_id": "start", "claim_id": c, "stance": "yes", "score": 0.6, "judged_stance": "yes",
                               "judged_by": "stance", "judge": "stance", "status": "proposed"} for c in (1, 2)])
    sides.apply(store)
    [pair] = db.query("select point, found from claim_pairs")
    assert pair["point"] == "start" and pair["found"] is None  # the sides' agreement, over the judge's, not sure
    store.find_same_statements()
    assert db.execute("select found from claim_pairs").fetchone()[0] == "same statement"


def test_the_queue_asks_each_question_in_turn_as_a_reader_clicks(tmp_path):
    from claims.store import Store

    store = Store(tmp_path / "claims.db")
    db = store.db
    db["articles"].insert_all([{"id": k, "source": s, "title": s, "path": s, "sha256": s, "text": s} for k, s in ((1, "A"), (2, "B"))])
    texts = {k: f"Aussage {k} über den Gipfel." for k in range(1, 7)}
    db["claims"].insert_all([{"id": k, "article_id": 1 + k % 2, "position": k, "text": t, "start": 0, "end": 1} for k, t in texts.items()])
    for q in ("table", "role"):
        db["questions"].insert({"id": q, "question": f"{q}?", "proposition": f"{q}."})
    db["answers"].insert_all([{"question_id": "table" if k <= 3 else "role", "claim_id": k, "stance": "yes", "score": 0.6,
                               "similarity": 0.9 - k / 100, "relevance": 0.9 - k / 100, "about": 1.0, "reason": "stance model",
                               "judged_stance": "yes", "judged_by": "stance", "judge": "stance", "status": "proposed"} for k in texts])
    asked = []
    for _ in range(4):
        [first] = db.query("select * from review_queue limit 1")
        asked.append(first["question_id"])
        # A reader's yes on one question makes every other side of it one that
        # would change a found pair: the other question still gets its turn.
        store.add_review("stance", "yes", first["claim_a"], question=f"{first['question_id']}.")
    assert asked[0] != asked[1] and asked[2:] == asked[:2]
