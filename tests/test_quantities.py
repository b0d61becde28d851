"""Numbers read as values (issue 46): a claim that counts what a point counts
answers it by its value, and two such claims agree or conflict by their values."""

from claims.pipeline import sides
from claims.pipeline.sides import Side
from claims.text.quantities import compare, quantities, same_value

COUNT = "In Halle haben rund 8.000 Menschen gegen die Schließung des Werks protestiert."


def stance(claim, proposition=COUNT):
    verdict = compare(proposition, claim)
    return verdict and verdict.stance


def test_a_count_of_the_same_thing_answers_by_its_value():
    assert stance("Die Polizei sprach von 8.000 Demonstrierenden.") == "yes"
    assert stance("Nach Angaben der Gewerkschaft kamen mehr als 8.000 Teilnehmer.") == "yes"
    assert stance("Die Polizei zählte gut 5.000 Demonstranten.") == "no"
    assert stance("Die Veranstalter sprachen von rund 12.000 Menschen.") == "no"
    # Number words, and a thing that is not what the point counts.
    assert stance("Acht Busse kamen aus Leipzig.") is None
    assert stance("Die Halle bietet Platz für 8.000 Besucher und wurde 1998 gebaut.") == "yes"
    [quarter] = quantities("Eine Viertelmillion Menschen kam.")
    assert quarter.low <= 250_000 <= quarter.high and quarter.unit == "people"


def test_an_expectation_is_not_a_count_and_a_vague_many_is_no_value():
    assert stance("Die Polizei rechnet mit bis zu 8.000 Demonstranten.") == "unclear"
    assert stance("Tausende Menschen protestierten in Halle.") == "unclear"
    assert stance("Hunderte Menschen protestierten in Halle.") == "no"
    expected = "Die Polizei hatte mit 3.000 Teilnehmern gerechnet."
    assert stance("Ursprünglich war die Polizei von etwa 3.000 Teilnehmern ausgegangen.", expected) == "yes"
    # An expectation is someone's: the city's is no answer about the police's.
    assert stance("Die Stadt hatte mit 1.000 bis 2.000 Teilnehmern gerechnet.", expected) is None


def test_another_place_or_a_round_up_of_places_is_another_count():
    assert stance("In Magdeburg protestierten 3.000 Menschen.") is None
    assert stance("Bundesweit gingen 80.000 Menschen auf die Straße.") is None
    assert stance("In Halle protestierten 8.000 Menschen, in Dessau 2.000.") is None


def test_durations_compare_across_units():
    point = "Die Kundgebung wurde nach einer Stunde beendet."
    assert stance("Aus den geplanten drei Stunden wurden 45 Minuten, dann wurde sie beendet.", point) == "no"
    assert stance("Nach 60 Minuten wurde die Kundgebung beendet.", point) == "yes"


def test_a_number_joined_to_what_it_counts_is_a_value():
    point = "Die Kundgebung wurde nach einer Stunde beendet."
    assert stance("Die vierstündige Kundgebung wurde vorzeitig beendet.", point) == "no"
    assert stance("Nach der einstündigen Kundgebung wurde die Demonstration beendet.", point) == "yes"
    assert stance("Nach einer 60-minütigen Rede wurde die Kundgebung beendet.", point) == "yes"

    def read(text):
        return [(round(q.low), round(q.high), q.unit) for q in quantities(text)]

    assert read("Eine dreiköpfige Familie") == [(3, 3, "members")]
    assert read("Der zweieinhalbstündige Marsch") == [(146, 154, "duration")]
    assert read("Ein vierwöchiger Streik") == [(27, 29, "days")]
    # An age, and words that only look like such a compound, count nothing.
    assert read("Der 35-Jährige, ganztägig und mehrstündig") == [(34, 36, "")]


def test_two_claims_agree_or_conflict_by_their_values_whatever_their_sides():
    police, union, also = ("Die Polizei zählte gut 5.000 Demonstranten.", "Die Gewerkschaft sprach von 6.500 Teilnehmern.",
                           "Laut Polizei waren es rund 5.000 Menschen.")
    assert same_value(COUNT, police, union) is False  # both say no to 8,000, and conflict
    assert same_value(COUNT, police, also) is True

    def side(claim, text, source):
        return Side("count", COUNT, 1, claim, source, None, "no", 0.9, False, text)

    rows = {(r["claim_a"], r["claim_b"]): r for r in sides.derive([side(1, police, "A"), side(2, union, "B"), side(3, also, "C")])}
    assert rows[(1, 2)]["relation"] == "conflict" and rows[(1, 2)]["found"] == "machine"
    assert rows[(1, 3)]["relation"] == "agree" and "one value" in rows[(1, 3)]["reason"]


def test_numbers_as_news_writes_them():
    def read(text):
        return [(round(q.low), round(q.high), q.unit) for q in quantities(text)]

    assert read("Rund 2000 Menschen demonstrierten.") == [(1800, 2200, "people")]  # a count, not a year
    assert read("Im Jahr 2024 kamen am 11.01. um 10:30 Uhr 300 Menschen.") == [(291, 309, "people")]
    assert read("Zwischen 10.000 und 20.000 Menschen kamen.") == [(10000, 20000, "people")]
    assert read("Zwei Millionen Euro wurden gezahlt.") == [(1940000, 2060000, "euro")]
    assert read("Über 100 Europäer und 120 Stundenkilometer") == [(100, 150, "europäer"), (116, 124, "stundenkilometer")]
    # A number denied is no value of the claim's; a vague many says not how many.
    assert stance("Es demonstrierten nicht 8.000 Menschen in Halle.") is None
    assert quantities("Einige Zehntausend Menschen protestierten.")[0].vague
    # "9 von ihnen" is a part of the 30, not a second count.
    assert stance("30 Polizisten wurden verletzt, 9 von ihnen schwer.", "In Halle wurden sechs Polizisten verletzt.") == "no"


def test_a_count_so_far_is_neither_one_value_nor_two_with_a_later_total():
    point = "Beim Einsatz wurden sechs Polizisten verletzt."
    so_far, total = "Bislang sind sechs Einsatzkräfte leicht verletzt worden.", "Im Verlauf des Einsatzes seien 30 Polizisten verletzt worden."
    assert stance(so_far, point) == "yes" and stance(total, point) == "no"
    assert same_value(point, so_far, total) is None
    assert same_value(point, "Sechs Polizisten wurden verletzt.", total) is False
    # Nor does it make a pair from the sides it gives (yes beside no).
    rows = sides.derive([Side("six", point, 1, 1, "A", None, "yes", 0.9, False, so_far), Side("six", point, 1, 2, "B", None, "no", 0.9, False, total)])
    assert rows == []


def test_a_figure_given_in_speech_counts_what_the_point_counts():
    point = "An der Demonstration haben 250.000 Menschen teilgenommen."
    police = "Laut Polizeiangaben hatten sich etwa 100.000 Menschen versammelt."
    assert stance("die Veranstalter sprechen sogar von bis zu 250.000.", point) == "yes"
    assert same_value(point, "der Veranstalter sprach von 250'000.", "Die Veranstalter sprachen von bis zu 250.000 Teilnehmern.") is True
    assert same_value(point, "die Veranstalter sprechen sogar von bis zu 250.000.", police) is False
    # Of another order, or beside another number, it is no count of the same.
    assert stance("Der Sprecher sprach von 2.000.", "Beim Einsatz wurden sechs Polizisten verletzt.") is None
    assert stance("Er sprach von 250.000 und von 3 Festnahmen.", point) is None


def test_on_an_automatic_point_one_value_is_a_found_agreement_and_two_a_candidate():
    point = "Der Parteitag begann mit zwei Stunden Verspätung."
    texts = {1: "Das Treffen konnte erst mit zwei Stunden Verspätung beginnen.", 2: "Der Parteitag konnte erst mit zwei Stunden Verspätung beginnen.",
             3: "Alice Weidel traf mit rund 20 Minuten Verspätung ein."}
    stances = {1: "yes", 2: "yes", 3: "no"}
    rows = {(r["claim_a"], r["claim_b"]): r for r in sides.derive(
        [Side("auto-1", point, 1, k, f"outlet {k}", None, stances[k], 0.9, False, t, asked=False) for k, t in texts.items()])}
    assert rows[(1, 2)]["relation"] == "agree" and rows[(1, 2)]["found"] == "machine"
    assert rows[(1, 3)]["relation"] == "conflict" and rows[(1, 3)]["found"] is None


def test_a_number_said_of_a_day_before_the_event_is_what_was_expected_then():
    count = "An der Demonstration haben 250.000 Menschen teilgenommen."
    expected = "Die Polizei hatte mit 25.000 Teilnehmern gerechnet."
    before = "Am Samstag ging die Münchner Polizei von bis zu 25.000 Menschen aus."
    # Read as of the event day, 25,000 is a count and says no to 250,000 ...
    assert compare(count, before).stance == "no"
    # ... said of the day before the event (``Store.said_before_the_event``), it answers what was expected.
    assert compare(count, before, earlier=True).stance == "unclear"
    assert compare(expected, before, earlier=True).stance == "yes"


def test_two_ranges_that_only_touch_are_two_values():
    point = "Die Veranstalter sprachen von 250.000 Teilnehmern."
    assert same_value(point, "Die Stadt rechnete mit 10.000 bis 20.000 Teilnehmern.", "Die Polizei rechnete mit 20.000 bis 30.000 Teilnehmern.") is False
    assert same_value(point, "Die Polizei zählte rund 100.000 Teilnehmer.", "Die Polizei zählte etwa 100.000 Teilnehmer.") is True
