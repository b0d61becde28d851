"""Numbers read as values: what a claim counts, how many, and whether it is a
count or an expectation (issue 46, "numbers as values").

Many real conflicts between reports are numbers: the police's 10,000 against
the organisers' 15,000, "after an hour" against "45 minutes". The stance model
reads "100,000 people" as about as much a yes to "250,000 took part" as
"250,000" is; here the values are compared. A claim answers a proposition's
number when it counts the same thing (the unit's class, ``data/quantities.tsv``:
"Teilnehmer", "Demonstrierende" and "Menschen" are all people; minutes and
hours are one duration), of the same happening when both say (took part,
injured, ended, delayed), and is of the same kind: an expectation or a plan
("rechnet mit", "geplant", "ursprünglich") answers an expectation, not a
count. Then overlapping values (read with their "rund", "mehr als", "bis zu")
say yes, and others no.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from . import dates, lexicon

EXACT = 0.03  # a number given without "rund" or "etwa" is read as this close

# Words that stand for a number, beyond data/numbers.tsv: (low, high).
SPANS = {"viertelmillion": (250_000, 250_000), "halbe million": (500_000, 500_000), "dutzend": (12, 12)}
# Words for a vague many: a value inside says neither yes nor no ("Tausende"
# against "rund 15.000"), one outside says no.
VAGUE = {"hunderte": (200, 999), "tausende": (2_000, 99_999), "zehntausende": (20_000, 999_999),
         "hunderttausende": (200_000, 9_999_999), "dutzende": (24, 199)}
MULTIPLIERS = {"tausend": 1_000, "million": 1_000_000, "millionen": 1_000_000, "mio": 1_000_000, "mio.": 1_000_000,
               "milliarde": 1e9, "milliarden": 1e9, "mrd.": 1e9}
# After a number, a month or "Uhr" makes it a date or a time of day, not a count.
MONTHS = set(dates.MONTHS) | {"uhr", "jan.", "feb.", "aug.", "sept.", "okt.", "nov.", "dez."}
# Units of time, money and share take only inflection endings ("Tage", "Minuten"), not
# compounds that count other things ("Tagungen", "Jahrzehnte", "Europäer", "Stundenkilometer").
EXACT_FORMS = {"duration", "days", "years", "euro", "percent"}
INFLECTIONS = {"", "e", "en", "n", "s", "es"}
SOME = {"einige", "einigen", "mehrere", "mehreren", "etliche", "etlichen"}  # before a number: a vague many of it
NEGATIONS = {"nicht", "kein", "keine", "keinen", "nie"}
# Before a number: a count as of the moment of writing ("bislang sechs
# Verletzte"), which a later, larger total does not contradict (30 over the
# whole deployment) nor confirm.
SO_FAR = {"bislang", "bisher", "vorerst", "zunächst", "vorläufig", "vorläufigen", "vorläufige"}  # ("inzwischen": an update)
ONE = {"ein", "eine", "einer", "einem", "einen", "eines"}  # one, but only of a unit ("nach einer Stunde")
# A numeric date ("11.01.2025", "3.10.") or a time ("10:30") is one token, and no count.
DATE_OR_TIME = re.compile(r"^(?:\d{1,2}\.\d{1,2}\.(?:\d{2,4})?|\d{1,2}:\d{2})$")
TOKEN = re.compile(r"\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2}(?!\d))?|\d{1,2}:\d{2}|\d{1,3}(?:[.'’]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
                   r"|[^\W\d_]+\.?|[^\w\s]")


@dataclass(frozen=True)
class Quantity:
    low: float
    high: float
    unit: str  # the class of what is counted ("people", "duration"), or the noun itself, or "" when none is named
    does: frozenset[str]  # what happened to it, when the sentence says ("participate", "injured")
    expected: bool | None  # an expectation or plan (True), a count (False), or either (None)
    words: str  # as written
    before: str = ""  # the sentence's words before it (and its "rund")
    vague: bool = False  # "Tausende": how many is not said
    part: bool = False  # "9 von ihnen", "davon 9": a part of another count, not a count of its own
    so_far: bool = False  # "bislang sechs": a count as of then, which a later one may exceed

    def overlaps(self, other: "Quantity") -> bool:
        return self.low <= other.high and other.low <= self.high


@dataclass(frozen=True)
class Verdict:
    stance: str  # yes | no | unclear
    reason: str


@lru_cache(maxsize=None)
def _lexicon() -> dict:
    units, does, expect, about, compounds = {}, {}, [], {}, {}
    for line in lexicon._lines("quantities.tsv"):
        kind, word, *rest = line.split("\t")
        if kind == "compound":
            compounds[word] = (rest[0], float(rest[1]), None)
        elif kind == "unit":
            cls = rest[0]
            factor = float(rest[1]) if len(rest) > 1 and _is_number(rest[1]) else 1.0
            inherent = rest[1] if len(rest) > 1 and not _is_number(rest[1]) else None
            units[word] = (cls, factor, inherent)
        elif kind == "does":
            does[word] = rest[0]
        elif kind == "expect":
            expect.append(word)
        elif kind == "about":
            about[word] = (float(rest[0]), float(rest[1]))
    ending = re.compile(rf"^(.*?)-?({'|'.join(map(re.escape, compounds))})(?:e|en|er|es|em)?$") if compounds else None
    return {"units": units, "does": does, "expect": expect, "about": about, "compounds": compounds, "ending": ending}


def _known() -> set[str]:
    lex = _lexicon()
    return {cls for cls, _, _ in (*lex["units"].values(), *lex["compounds"].values())}


# Before a compound's ending, beyond number words: "zweieinhalbstündig", "anderthalbstündig".
HALVES = {"einhalb": 0.5}
WHOLE = {"ein": 1.0, "anderthalb": 1.5, "halb": 0.5}


def _compound(tokens: list[str], k: int) -> tuple[float, int, tuple[str, float, None]] | None:
    """A number joined to what it counts at ``tokens[k]`` ("dreiköpfige",
    "vierstündigen", "45-minütige": three tokens): its value, the last token
    of it and its unit (class, factor, no happening of its own)."""
    lex = _lexicon()
    if lex["ending"] is None:
        return None
    token = tokens[k]
    if token[:1].isdigit() and k + 2 < len(tokens) and tokens[k + 1] == "-":
        match, end = lex["ending"].match(tokens[k + 2].lower()), k + 2
        value = _digits(token) if match and not match.group(1) else None
    else:
        match, end = lex["ending"].match(token.lower()), k
        value = _number_word(match.group(1)) if match and match.group(1) else None
    if value is None:
        return None
    return value, end, lex["compounds"][match.group(2)]


def _number_word(word: str) -> float | None:
    """The value of a number word as the start of a compound ("drei",
    "ein", "zweieinhalb"), or None."""
    words = lexicon.number_words()
    for half, plus in HALVES.items():
        if word.endswith(half) and len(word) > len(half):
            whole = _number_word(word[: -len(half)])
            return None if whole is None else whole + plus
    if word in WHOLE:
        return WHOLE[word]
    value = words.get(word)
    if value is None or not value.replace(".", "", 1).isdigit():
        return None  # a month or a weekday
    return float(value)


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _digits(token: str) -> float | None:
    if not token[0].isdigit() or DATE_OR_TIME.match(token):
        return None
    return float(re.sub(r"[.'’]", "", token).replace(",", "."))


def _unit(tokens: list[str], k: int) -> tuple[str, float, str | None]:
    """The class, factor and inherent happening of the noun counted after
    position ``k``: the first capitalised word within three, unless a
    sentence mark comes first."""
    units = _lexicon()["units"]
    for token in tokens[k + 1 : k + 4]:
        if token == "%":
            return "percent", 1.0, None
        if not token[0].isalpha():
            return "", 1.0, None
        if not token[0].isupper():
            continue  # "sechs Einsatzkräfte leicht verletzt": the noun, not the adverb or verb
        low = token.lower().rstrip(".")
        for stem in sorted(units, key=len, reverse=True):
            cls = units[stem][0]
            if low == stem or (low.startswith(stem) and (cls not in EXACT_FORMS or low[len(stem):] in INFLECTIONS)):
                return units[stem]
        return low, 1.0, None
    return "", 1.0, None


@lru_cache(maxsize=8192)
def quantities(text: str) -> tuple[Quantity, ...]:
    """Every number of ``text`` that counts something, with what it counts."""
    lex = _lexicon()
    tokens = TOKEN.findall(text)
    lower = " " + " ".join(t.lower().rstrip(".") for t in tokens) + " "
    does = frozenset(v for stem, v in lex["does"].items() if f" {stem}" in lower)
    expected = True if any(f" {w} " in lower for w in lex["expect"]) else (False if does else None)
    words = lexicon.number_words()
    found, k = [], 0
    while k < len(tokens):
        token, low = tokens[k], tokens[k].lower()
        span, end, unit = None, k, None
        value = _digits(token)
        compound = _compound(tokens, k) if token[:1].isalnum() else None
        if compound is not None:
            value, end, unit = compound
            span = (value, value)
        elif value is not None:
            following = tokens[k + 1].lower() if k + 1 < len(tokens) else ""
            after = tokens[k + 2].lower() if k + 2 < len(tokens) else ""
            if following in MONTHS or (following == "." and (after in MONTHS or after[:1].isdigit())):
                k += 1  # a date or a time of day ("11. Januar", "10 Uhr"), not a count
                continue
            if "." not in token and "'" not in token and 1900 <= value <= 2100 and _unit(tokens, k)[0] not in _known():
                k += 1  # a year ("2000 Menschen" is a count)
                continue
            if following in MULTIPLIERS:
                value *= MULTIPLIERS[following]
                end = k + 1
            span = (value, value)
        elif low in SPANS or low in VAGUE:
            span = SPANS.get(low) or VAGUE[low]
        elif " ".join(t.lower() for t in tokens[k : k + 2]) in SPANS:
            span, end = SPANS[" ".join(t.lower() for t in tokens[k : k + 2])], k + 1
        elif low in words and not words[low].startswith(("month", "weekday")) and float(words[low]) >= 1:
            span = (float(words[low]),) * 2
        elif low in ONE:
            cls = _unit(tokens, k)[0]
            if cls in ("duration", "days", "years") or (k + 1 < len(tokens) and tokens[k + 1].lower() in MULTIPLIERS):
                span = (1.0, 1.0)
        elif low.endswith("tausend") and low[: -len("tausend")] in words:
            span = (float(words[low[: -len("tausend")]]) * 1000,) * 2  # "zehntausend"
        if span is not None and value is None and k + 1 < len(tokens) and tokens[k + 1].lower() in MULTIPLIERS:
            span, end = (span[0] * MULTIPLIERS[tokens[k + 1].lower()],) * 2, k + 1  # "zwei Millionen"
        if span is None:
            k += 1
            continue
        # "10.000 bis 20.000", "10.000-20.000", "zwischen 10.000 und 20.000": one range.
        joiner = tokens[end + 1].lower() if end + 2 < len(tokens) else ""
        between = joiner == "und" and k > 0 and tokens[k - 1].lower() == "zwischen"
        if (joiner in ("bis", "-", "–") or between) and _digits(tokens[end + 2]) is not None:
            span, end = (span[0], _digits(tokens[end + 2])), end + 2
        # "nicht 10.000, sondern 5.000": a number denied is no value of the claim's.
        if any(t.lower() in NEGATIONS for t in tokens[max(0, k - 2) : k]):
            k = end + 1
            continue
        cls, factor, inherent = unit or _unit(tokens, end)
        before = " ".join(t.lower() for t in tokens[max(0, k - 2) : k])
        qualifier = next((w for w in sorted(lex["about"], key=len, reverse=True) if (" " + before).endswith(" " + w)), None)
        share = lex["about"][qualifier] if qualifier else None
        start = k - (len(qualifier.split()) if qualifier else 0)
        low_v, high_v = span
        some = k > 0 and tokens[k - 1].lower() in SOME
        if some:
            low_v, high_v = 2 * low_v, 10 * high_v - 1  # "einige Zehntausend": tens of thousands, how many not said
        if share:
            low_v, high_v = low_v * share[0], high_v * share[1]
        elif low_v == high_v and not some:
            low_v, high_v = low_v * (1 - EXACT), high_v * (1 + EXACT)
        happening = does | ({inherent} if inherent else set())
        planned = any(t.lower().startswith(w) for t in tokens[max(0, k - 3) : k] for w in lex["expect"] if " " not in w)
        shown = [t for t in tokens[start : end + (2 if cls else 1)] if t[0].isalnum()]
        part = [t.lower() for t in tokens[end + 1 : end + 3]] in (["von", "ihnen"], ["davon"]) or (k and tokens[k - 1].lower() == "davon")
        so_far = any(t.lower() in SO_FAR for t in tokens[max(0, start - 2) : start])
        found.append(Quantity(low_v * factor, high_v * factor, cls, frozenset(happening), True if planned else expected,
                              " ".join(shown), " ".join(tokens[:start]), low in VAGUE or some, bool(part), so_far))
        k = end + 1
    return tuple(found)


def _counts_same(asked: Quantity, q: Quantity) -> bool:
    """Whether two numbers count one thing: one of the lexicon's classes
    (never a bare number, nor a noun it does not know: "zwölf Nominierungen"
    and "zehn Nominierungen" are two films'), and no two happenings ("verletzt"
    against "festgenommen"); a claim that names none ("sprach von 12.000
    Menschen") counts what the point does."""
    return q.unit == asked.unit and asked.unit in _known() and (not q.does or bool(asked.does & q.does))


def _stems(text: str) -> set[str]:
    return {t.lower()[:5] for t in TOKEN.findall(text) if t[0].isalpha()}


PLACE_BEFORE = ("in", "auf der", "auf dem")  # words before a place's name
ELSEWHERE = {"bundesweit", "deutschlandweit", "landesweit", "weltweit", "europaweit"}


def _places(text: str) -> set[str]:
    """Stems of the places a text names ("in Bremen", "auf der Münchner
    Theresienwiese"), and of words that count more than one place."""
    tokens = TOKEN.findall(text)
    out = {t.lower()[:5] for t in tokens if t.lower() in ELSEWHERE}
    for k, t in enumerate(tokens):
        for before in PLACE_BEFORE:
            words = before.split()
            if [w.lower() for w in tokens[max(0, k - len(words)) : k]] == words and t[0].isupper():
                out.add(t.lower()[:5])
                if k + 1 < len(tokens) and t.lower().endswith("er") and tokens[k + 1][0].isupper():
                    out.add(tokens[k + 1].lower()[:5])  # "Münchner Theresienwiese": the place is the noun
    return out


def _whose(proposition: str, target: Quantity) -> set[str]:
    """The nouns of the proposition before its number: who expects it."""
    stop = lexicon.stopwords()
    before = TOKEN.findall(target.before)
    return {t.lower()[:5] for t in before if t[0].isupper() and t.lower() not in stop and t.lower() not in lexicon.number_words()}


# A number given in speech with nothing after it ("der Veranstalter sprach
# von 250.000", "die Veranstalter sprechen sogar von bis zu 250.000"): a
# voice's figure for what is being counted, most often split from the other
# voice's count in the same sentence ("Die Polizei ging von 80.000
# Demonstrierenden aus, der Veranstalter sprach von 250.000"). Read as a count
# of what the proposition counts when it is its only number and of the same
# order (a tenth to ten times it).
SPOKEN = re.compile(r"\b(?:sprach|sprachen|spricht|sprechen|nannte|nannten|nennt|nennen)\b(?:\s+\S+){0,3}\s+von$")


def _spoken(q: Quantity) -> bool:
    return not q.unit and not q.part and bool(SPOKEN.search(q.before.lower()))


def answering(proposition: str, claim: str) -> tuple[Quantity | None, list[Quantity], list[Quantity]]:
    """The proposition's number, the claim's numbers that count the same, and
    of those the ones of the same kind (a count, an expectation)."""
    asked = [q for q in quantities(proposition) if q.unit and q.does]
    if not asked:
        return None, [], []
    target = asked[0]
    same = [q for q in quantities(claim) if _counts_same(target, q)]
    places = _places(claim)
    middle = (target.low + target.high) / 2
    bare = [q for q in quantities(claim) if not q.unit and not q.part and middle / 10 <= q.high and q.low <= middle * 10]
    if not same and len(bare) == 1 and len(quantities(claim)) == 1 and _spoken(bare[0]):
        same, bare = [replace(bare[0], unit=target.unit)], []
    if (not same or bare or (target.expected and not _whose(proposition, target) <= _stems(claim))
            or places - _stems(proposition) or len(places) > 1 or len(_places(proposition)) > 1):
        # A bare number beside it may be a second count of the same ("..., der
        # Veranstalter sprach von 250'000"). An expectation is someone's: the claim must name whose ("die Polizei",
        # not "die Stadt"); a count of another place is another count ("in
        # Bremen", "auf der Theresienwiese", "bundesweit"), and one of several
        # places a round-up ("in Bremen 35.000, in Hannover 24.000").
        return target, [], []
    return target, same, [q for q in same if None in (q.expected, target.expected) or q.expected == target.expected]


def same_value(proposition: str, claim_a: str, claim_b: str) -> bool | None:
    """Whether two claims that answer the proposition's number give one value
    (True), different values (False), or neither is clear (None: a claim
    gives none or several, or says not how many)."""
    _, _, a = answering(proposition, claim_a)
    _, _, b = answering(proposition, claim_b)
    if len(a) != 1 or len(b) != 1 or a[0].vague or b[0].vague:
        return None
    if a[0].so_far != b[0].so_far:
        return None  # a count as of then beside another: a later total may be larger
    if (a[0].expected or b[0].expected) and a[0].expected != b[0].expected:
        return None  # an expectation beside what may be a count: neither one value nor two
    # One value where they share more than an end: "10.000 bis 20.000" and
    # "20.000 bis 30.000" are two.
    return min(a[0].high, b[0].high) > max(a[0].low, b[0].low)


def so_far(proposition: str, claim: str) -> bool:
    """Whether the claim answers the proposition's number with a count as of
    then ("bislang sechs"): beside another voice's count it is neither one
    value nor two, and no pair."""
    _, _, kind = answering(proposition, claim)
    return any(q.so_far for q in kind)


def compare(proposition: str, claim: str, earlier: bool = False) -> Verdict | None:
    """The claim's side on the proposition's number, or None when the
    proposition has none or the claim counts nothing of the same.
    ``earlier``: the claim speaks of a day before the event's, so its
    numbers are what was expected then (``Store.said_before_the_event``)."""
    target, same, kind = answering(proposition, claim)
    if not same:
        return None
    if earlier:
        same = [replace(q, expected=True) for q in same]
        kind = same if target.expected in (None, True) else []
    if not kind:
        what = "an expectation" if same[0].expected else "a count"
        return Verdict("unclear", f"numbers: {same[0].words} is {what}, the point {target.words} is not")
    sides = {"vague" if q.vague and q.overlaps(target) else q.overlaps(target) for q in kind}
    given = ", ".join(q.words for q in kind)
    if sides == {True}:
        return Verdict("yes", f"numbers: {given} as {target.words}")
    if sides == {False}:
        return Verdict("no", f"numbers: {given} against {target.words}")
    if sides == {"vague"}:
        return Verdict("unclear", f"numbers: {given} says not how many, against {target.words}")
    return Verdict("unclear", f"numbers: {given}, both as and against {target.words}")
