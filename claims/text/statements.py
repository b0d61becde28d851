"""The same statement in two reports: what a reader's side carries to.

Agency copy and a quote repeated by several outlets are common: "Die Polizei
ging von mindestens 80.000 Demonstrierenden aus" stands word for word in two
reports of one demonstration, and "Die Veranstalter sprachen von bis zu
250.000 Teilnehmern" as "der Veranstalter sprach von 250'000" in a third. A
reader who settled one has settled the others: the same speaker (or none
named on one side), the same numbers, as many negations, and near-identical
wording (what their content words share, by lemma). Two claims with different numbers or two
named speakers are never the same statement, however alike their words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import features

# With equal numbers the rest may be shortened ("sprach von 250'000"), so the
# shorter claim's content terms must all be the other's; without numbers the
# wording itself is all there is, so both must share nearly all (this share).
WITHOUT_NUMBERS = 0.8
MIN_TERMS = 2  # "Das stimmt" is no statement to carry

# Swiss and English thousands separators ("250'000", "250,000") read as German ones.
THOUSANDS = re.compile(r"(?<=\d)['’,](?=\d{3}\b)")


def _terms(text: str, known: features.FeatureMap | None = None) -> tuple[frozenset[str], frozenset[str], int]:
    """A claim's content terms, numbers and negation count; from ``known``
    (a build's features, read from the store) where given and its numbers
    need no rewriting, so a build does not lemmatise stored claims again."""
    if known is not None and not THOUSANDS.search(text):
        found = known[text]
        return found.content, found.numbers, len(found.negations)
    return _read_terms(text)


@lru_cache(maxsize=8192)
def _read_terms(text: str) -> tuple[frozenset[str], frozenset[str], int]:
    found = features.of(THOUSANDS.sub(".", text))
    return found.content, found.numbers, len(found.negations)


def _speaker(speaker: str | None) -> str:
    return " ".join((speaker or "").lower().split())


def same(text_a: str, text_b: str, speaker_a: str | None = None, speaker_b: str | None = None,
         known: features.FeatureMap | None = None) -> bool:
    """Whether two claims make the same statement (see the module's text)."""
    if text_a == text_b:
        return True
    a, b = _speaker(speaker_a), _speaker(speaker_b)
    if a and b and a != b:
        return False
    if not comparable(text_a, text_b, known):
        return False
    (terms_a, numbers_a, _), (terms_b, _, _) = _terms(text_a, known), _terms(text_b, known)
    if min(len(terms_a), len(terms_b)) < MIN_TERMS:
        return False
    shared = len(terms_a & terms_b)
    if numbers_a:
        # The shorter says nothing the longer does not ("sprach von 250'000"):
        # one other word ("stieg" / "sank", "Regierung" / "Opposition") is another statement.
        return shared == min(len(terms_a), len(terms_b))
    return shared >= WITHOUT_NUMBERS * max(len(terms_a), len(terms_b))


# Words that turn a number's meaning ("mehr als 100" / "weniger als 100");
# approximations ("rund", "etwa", "bis zu") do not.
DIRECTIONS = {"mehr": "up", "über": "up", "mindestens": "up", "weniger": "down", "unter": "down", "höchstens": "down"}


# Of the content words two statements share, the share that keep their
# neighbours (``signals.word_order``) from which they are in the same order:
# "Hector findet Forrest, der Christie als Geisel nimmt" is not "... Christie,
# der Forrest als Geisel nimmt" (PAWS-X: ``benchmarks/same_statements.py --pawsx``).
SAME_ORDER = 0.8


def same_order(text_a: str, text_b: str, known: features.FeatureMap | None = None) -> bool:
    """Whether two statements name what they share in the same order (``SAME_ORDER``)."""
    from ..judging.signals import word_order  # the judge's measure (text/ is read by judging/, not the reverse, elsewhere)

    known = features.FeatureMap() if known is None else known
    return word_order(known[text_a], known[text_b]) >= SAME_ORDER


def comparable(text_a: str, text_b: str, known: features.FeatureMap | None = None) -> bool:
    """Whether two claims close by meaning may share a reader's side on a
    point (and what ``same`` asks first): the same numbers, as many negations
    and the same direction ("trug eine Warnweste" and "trug keine Warnweste"
    are close by meaning and apart by side; so are "rund 10.000" and "rund 15.000")."""
    (_, numbers_a, negations_a), (_, numbers_b, negations_b) = _terms(text_a, known), _terms(text_b, known)
    return numbers_a == numbers_b and negations_a == negations_b and _direction(text_a) == _direction(text_b)


def _direction(text: str) -> frozenset[str]:
    return frozenset(DIRECTIONS[w] for w in re.findall(r"\w+", text.lower()) if w in DIRECTIONS)
