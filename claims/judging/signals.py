"""Signals: the linguistic evidence that two claims contradict each other.

After de Marneffe, Rafferty & Manning (2008), *Finding Contradictions in Text*:
contradictions in news come from negation and polarity, antonyms, numbers and
dates that differ, and overstatement; hedges make a claim less certain. Each
signal is a number the judge weighs and, when it fires, a phrase for ``reason``
so a reader can check the call. The word lists are data files (``claims/data``).

Negation and opposing words come in two strengths: scoped on the content words
both claims share ("nicht" governs the shared predicate), and anywhere in a
clause about them. The judge weighs the scoped ones more.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property

from ..text import lexicon, terms

# Conflict signals, each with a weight the calibration keeps >= 0: evidence for a
# conflict can be weak, but never evidence against one.
SIGNALS = ("negation", "negation_any", "opposing", "opposing_any", "polarity", "absolute", "numbers")
# "coverage": the share of the longer claim's content words the other names
# too (each claim covers what the other asserts); "focused": a conflict signal
# bears on what both claims say (``focused``).
# "order": the share of neighbouring shared words that keep their order (who
# does what to whom; PAWS-X pairs share their words and swap their roles).
FEATURES = ("similarity", "overlap", "coverage", "order", "length") + SIGNALS + ("focused",)

SCOPE = 6  # tokens either side of a negation
# An opposing adjective or verb sits next to what it is about ("wichtige Rolle").
ANTONYM_SCOPE = 3
NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+|\d+(?:[.,]\d+)?)(\s*(?:%|Prozent\b|percent\b))?", re.IGNORECASE)


@dataclass(frozen=True)
class Features:
    """What the signals need to know about one claim."""

    forms: tuple[str, ...]  # lower-case words in text order
    sequence: tuple[str, ...]  # their lemmas
    # Content terms of each word: its own key and its compound head's, if any.
    keys: tuple[tuple[str, ...], ...]
    clauses: tuple[int, ...]  # clause number of each word
    # What each word is about, strictly: a simple word's stem, or a compound's
    # head stem and the compound itself, so that "Verhandlungstisch" is about
    # "Tisch" but "Steuerhinterziehung" is not about "Steuervorteile".
    strict: tuple[tuple[str, ...], ...]
    capitalised: tuple[bool, ...]  # whether each word is written with a capital
    negations: tuple[int, ...]  # positions of negation cues
    numbers: frozenset[str]

    @cached_property
    def lemmas(self) -> frozenset[str]:
        return frozenset(self.sequence)

    @cached_property
    def shown(self) -> dict[str, str]:
        """Content term -> the first word with it, to show in reasons."""
        shown: dict[str, str] = {}
        for keys, lemma in zip(self.keys, self.sequence):
            for key in keys:
                shown.setdefault(key, lemma)
        return shown

    @cached_property
    def content(self) -> frozenset[str]:
        return frozenset(self.shown)

    @cached_property
    def content_words(self) -> int:
        """How many different content words the claim has."""
        return len({lemma for lemma, keys in zip(self.sequence, self.strict) if keys})

    @cached_property
    def strict_content(self) -> frozenset[str]:
        return frozenset(k for keys in self.strict for k in keys)

    @cached_property
    def polar(self) -> frozenset[str]:
        return self.lemmas & lexicon.polarity_words()

    @cached_property
    def absolutes(self) -> frozenset[str]:
        # "nicht nur", "nicht alle": a negated absolute claims less, not more.
        cues = lexicon.negation_cues()
        words = lexicon.absolutes()
        return frozenset(
            lemma for i, lemma in enumerate(self.sequence) if lemma in words and (i == 0 or self.forms[i - 1] not in cues)
        )

    @cached_property
    def hedges(self) -> frozenset[str]:
        words = lexicon.hedges()
        return frozenset(w for w in self.forms + self.sequence if w in words)

    @cached_property
    def opposites(self) -> tuple[tuple[int, str, frozenset[str]], ...]:
        """(position, lemma, the words opposing it): from the lexicon, or the
        lemma and its un- form (möglich / unmöglich)."""
        opposite = lexicon.antonyms()
        found = []
        for i, word in enumerate(self.sequence):
            others = set(opposite.get(word, ()))
            if len(word) > 6:
                others.add(word[2:] if word.startswith("un") else "un" + word)
            if others:
                found.append((i, word, frozenset(others)))
        return tuple(found)

    def anchored(self, position: int, shared: frozenset[str]) -> bool:
        """Whether the clause of ``position`` talks about something both claims
        name. A claim of one clause is about one thing: all of it counts."""
        if self.clauses[-1] == 0:
            return True
        clause = self.clauses[position]
        return any(k in shared for keys, c in zip(self.keys, self.clauses) if c == clause for k in keys)

    def find(self, lemmas) -> list[int]:
        if not lemmas:  # the usual case, for every pair judged
            return []
        return [i for i, lemma in enumerate(self.sequence) if lemma in lemmas]

    def words_on(self, position: int, terms: frozenset[str]) -> int:
        """How many different words in the scope of ``position`` name one of
        ``terms`` (a compound and its head are one word)."""
        clause = self.clauses[position]
        lo, hi = max(0, position - SCOPE), min(position + SCOPE + 1, len(self.strict))
        found: set[str] = set()
        previous = -2
        for k in range(lo, hi):
            if self.clauses[k] != clause or not terms.intersection(self.strict[k]):
                continue
            # A name of capitalised words ("Präsident Trump", "Angela Merkel") is one.
            if not (previous == k - 1 and self.capitalised[k] and self.capitalised[k - 1]):
                found.add(self.sequence[k])
            previous = k
        return len(found)

    def near(self, position: int, width: int) -> frozenset[str]:
        """Content keys within ``width`` words of ``position``."""
        return frozenset(k for keys in self.keys[max(0, position - width) : position + width + 1] for k in keys)

    def scope(self, position: int) -> frozenset[str]:
        """Content keys in the clause of ``position``, within ``SCOPE`` words."""
        clause = self.clauses[position]
        lo, hi = max(0, position - SCOPE), position + SCOPE + 1
        return frozenset(k for keys, c in zip(self.keys[lo:hi], self.clauses[lo:hi]) if c == clause for k in keys)


def _numbers(text: str, forms: tuple[str, ...]) -> frozenset[str]:
    values = set()
    for m in NUMBER.finditer(text):
        digits = m.group(1)
        digits = digits.replace(".", "") if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits) else digits.replace(",", ".")
        values.add(f"{float(digits):g}" + (" %" if m.group(2) else ""))
    words = lexicon.number_words()
    values.update(words[f] for f in forms if f in words)
    return frozenset(values)


def _word_terms(token: str, lemma: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A word's content terms (its key, and its compound head's) and its
    strict terms (a compound's head key and the compound itself, a simple
    word's key), see ``Features``."""
    key = terms.content_key(lemma)
    if not key:
        return (), ()
    # Only nouns, capitalised in German, are read as compounds.
    head = terms.head(lemma) if token[:1].isupper() else None
    head_key = terms.content_key(head) if head else None
    if not head_key:
        return (key,), (key,)
    return ((key, head_key) if head_key != key else (key,)), (head_key, lemma)


def vocabulary(texts, known: "FeatureMap | None" = None) -> terms.Vocabulary:
    """How many of the distinct ``texts`` each content term occurs in."""
    known = FeatureMap() if known is None else known
    return vocabulary_of((text, known[text].content) for text in texts)


def vocabulary_of(texts_and_terms) -> terms.Vocabulary:
    """Like ``vocabulary``, from ``(text, terms)`` pairs whose terms are known."""
    return terms.Vocabulary.count(dict(texts_and_terms).values())


def stored_terms(text: str, stored: str | None, known: "FeatureMap | None" = None) -> frozenset[str]:
    """A claim's content terms as ``claims.terms`` stores them; claims stored
    before that column existed get them from their text."""
    if stored is not None:
        return frozenset(stored.split())
    return (FeatureMap() if known is None else known)[text].content


class FeatureMap(dict):
    """Text -> its ``Features``, each computed once, when first asked for.
    One map lives as long as one build, eval or question and is handed to
    what reads it: the features the split workers computed reach the judge
    this way, and nothing is kept between runs."""

    def __missing__(self, text: str) -> Features:
        found = self[text] = features(text)
        return found


def features(text: str) -> Features:
    """What the signals need to know about one claim: its words, lemmas,
    content terms, clauses, negations and numbers."""
    tokens, clauses = lexicon.clauses(text)
    forms = tuple(t.lower() for t in tokens)
    sequence = tuple(lexicon.lemma(w) for w in tokens)
    word_terms = [_word_terms(token, lemma) for token, lemma in zip(tokens, sequence)]
    return Features(
        forms=forms,
        sequence=sequence,
        keys=tuple(keys for keys, _ in word_terms),
        clauses=tuple(clauses),
        strict=tuple(strict for _, strict in word_terms),
        capitalised=tuple(token[:1].isupper() for token in tokens),
        negations=tuple(lexicon.negation_positions(tokens)),
        numbers=_numbers(text, forms),
    )


@dataclass(frozen=True)
class Evidence:
    values: tuple[float, ...]  # one per name in FEATURES
    reasons: dict  # conflict signal -> phrase, for the signals that fired
    hedges: tuple[str, ...]  # hedge words in either claim
    shared: tuple[str, ...] = ()  # content words both claims name, rarest first
    # The conflict signals that bear on what both claims say (``focused``).
    focused: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> float:
        return self.values[FEATURES.index(name)]


def _list(lemmas, limit: int = 4) -> str:
    # A compound and its head are two terms but one word: shown once.
    return ", ".join(sorted(set(lemmas))[:limit])


def _opposed(a: Features, b: Features):
    """(word in A, word in B) for each opposing pair (``Features.opposites``)."""
    for i, word, others in a.opposites:
        for other in sorted(others & b.lemmas):
            # Both words on both sides is a contrast inside each claim, not between them.
            if other in a.lemmas or word in b.lemmas:
                continue
            yield i, word, b.sequence.index(other), other


def compare(a: Features | str, b: Features | str, similarity: float, vocabulary: terms.Vocabulary = terms.NO_VOCABULARY) -> Evidence:
    """Evidence on two claims (their ``features``, or their texts);
    ``vocabulary`` is of the claims judged together, and orders the shared
    terms rarest first."""
    a = features(a) if isinstance(a, str) else a
    b = features(b) if isinstance(b, str) else b
    shared = a.content & b.content
    reasons: dict[str, str] = {}
    values = dict.fromkeys(FEATURES, 0.0)
    values["similarity"] = similarity
    values["overlap"] = len(shared) / max(1, min(len(a.content), len(b.content)))
    values["coverage"] = len(shared) / max(1, len(a.content), len(b.content))
    values["order"] = word_order(a, b)
    values["length"] = abs(math.log((len(a.forms) + 1) / (len(b.forms) + 1)))
    # Paraphrases that share no word still contradict each other, so the
    # signals do not wait for shared words; scoped versions weigh more.
    _negation(a, b, shared, values, reasons)
    _opposing(a, b, shared, values, reasons)
    _polarity(a, b, shared, values, reasons)
    _absolute(a, b, shared, values, reasons)
    if shared:
        _numbers_differ(a, b, values, reasons)
    bearing = focused(a, b, reasons, similarity)
    values["focused"] = 1.0 if bearing else 0.0
    return Evidence(
        tuple(values[name] for name in FEATURES),
        reasons,
        tuple(sorted(a.hedges | b.hedges)),
        tuple(dict.fromkeys(a.shown[k] for k in sorted(shared, key=lambda k: (-vocabulary.idf(k), k)))),
        bearing,
    )


ORDER_WORDS = 3  # fewer shared words than this say nothing about order


def word_order(a: Features, b: Features) -> float:
    """Of the shared content words taken in A's order, the share of
    neighbours that are neighbours in B's order too; 1 with too few to tell.
    On PAWS-X it separates paraphrases from swapped roles better than a rank
    correlation; a fronted phrase ("Im kommenden Jahr erhöht ...") counts as
    another order, which German allows freely."""
    def first(side: Features) -> dict[str, int]:
        found: dict[str, int] = {}
        for i, (lemma, strict) in enumerate(zip(side.sequence, side.strict)):
            if strict:
                found.setdefault(lemma, i)
        return found

    in_a, in_b = first(a), first(b)
    common = [w for w in in_a if w in in_b]
    if len(common) < ORDER_WORDS:
        return 1.0
    by_a, by_b = sorted(common, key=in_a.get), sorted(common, key=in_b.get)
    neighbours = set(zip(by_b, by_b[1:]))
    return sum(pair in neighbours for pair in zip(by_a, by_a[1:])) / (len(by_a) - 1)


# A negation or a negating verb bears on what two claims both say when at
# least this many of their common terms are in its scope: "Europäer nicht am
# Tisch" against "die EU am Tisch", not "nicht gefunden" against "Sprengstoff".
FOCUS_TERMS = 2
# Numbers that differ are only read as a conflict between claims this close.
NUMBERS_SIMILARITY = 0.5
NUMBERS_COMMON = 3


def focused(a: Features, b: Features, reasons: dict, similarity: float) -> tuple[str, ...]:
    """The conflict signals of ``reasons`` that bear on what both claims say.
    The story's frequent terms count here: on a story about Kellogg, "Kellogg"
    is who a negated claim is about."""
    common = a.strict_content & b.strict_content

    def bears(side: Features, position: int) -> bool:
        # Two common words in scope; in a short claim ("Wir bekommen keine
        # Vorteile.") half of what it names does.
        on = side.words_on(position, common)
        return on >= FOCUS_TERMS or (on >= 1 and 2 * on >= side.content_words)

    found = []
    if "negation" in reasons and bool(a.negations) != bool(b.negations):
        negated = a if a.negations else b
        if any(bears(negated, p) for p in negated.negations):
            found.append("negation")
    if "polarity" in reasons:
        for side, other in ((a, b), (b, a)):
            if any(bears(side, i) for i in side.find(side.polar - other.polar)):
                found.append("polarity")
                break
    if "opposing" in reasons:
        found.append("opposing")
    if "numbers" in reasons and len(a.content & b.content) >= NUMBERS_COMMON and similarity >= NUMBERS_SIMILARITY:
        found.append("numbers")
    return tuple(found)


def _kind(value: str) -> str:
    """month, weekday, % or plain: only values of one kind are compared."""
    return value.split()[0] if value.startswith(("month", "weekday")) else ("%" if value.endswith("%") else "")


def _numbers_differ(a: Features, b: Features, values, reasons) -> None:
    for kind in sorted({_kind(v) for v in a.numbers} & {_kind(v) for v in b.numbers}):
        in_a = {v for v in a.numbers if _kind(v) == kind}
        in_b = {v for v in b.numbers if _kind(v) == kind}
        if not (in_a <= in_b or in_b <= in_a):
            show = lambda vs: "/".join(sorted(vs, key=lambda v: float(v.split()[-1] if kind in ("month", "weekday") else v.split()[0])))  # noqa: E731
            values["numbers"] = 1.0
            reasons["numbers"] = f"numbers differ: {show(in_a)} vs {show(in_b)}"
            return


def _negation(a: Features, b: Features, shared, values, reasons) -> None:
    if bool(a.negations) == bool(b.negations):
        return
    side, negated = ("A", a) if a.negations else ("B", b)
    anchored = [p for p in negated.negations if negated.anchored(p, shared)]
    if not anchored:
        return
    values["negation_any"] = 1.0
    reasons["negation_any"] = f"negation: '{negated.sequence[anchored[0]]}' only in {side}"
    best: frozenset[str] = frozenset()
    for position in negated.negations:
        about = negated.scope(position) & shared
        if len(about) > len(best):
            best, cue = about, negated.sequence[position]
    if best:
        # Two shared words under the negation say it negates the shared predicate.
        values["negation"] = min(len(best), 2) / 2
        reasons["negation"] = f"negation: '{cue}' only in {side}, about {_list(negated.shown[k] for k in best)}"


def _opposing(a: Features, b: Features, shared, values, reasons) -> None:
    for i, word, j, other in _opposed(a, b):
        about = a.near(i, ANTONYM_SCOPE) & b.near(j, ANTONYM_SCOPE) & shared
        if about:
            values["opposing"] = 1.0
            reasons["opposing"] = f"opposing: '{word}' in A vs '{other}' in B, about {_list(a.shown[k] for k in about)}"
            return
        if "opposing_any" not in reasons and a.anchored(i, shared) and b.anchored(j, shared):
            values["opposing_any"] = 1.0
            reasons["opposing_any"] = f"opposing: '{word}' in A vs '{other}' in B"


def _polarity(a: Features, b: Features, shared, values, reasons) -> None:
    # "nicht abgelehnt" is two negations: count parity, not presence.
    flips_a = (len(a.negations) + len(a.polar)) % 2
    flips_b = (len(b.negations) + len(b.polar)) % 2
    only_a = {a.sequence[i] for i in a.find(a.polar - b.polar) if a.anchored(i, shared)}
    only_b = {b.sequence[i] for i in b.find(b.polar - a.polar) if b.anchored(i, shared)}
    if flips_a != flips_b and (only_a or only_b):
        side, word = ("A", min(only_a)) if only_a else ("B", min(only_b))
        values["polarity"] = 1.0
        reasons["polarity"] = f"polarity: '{word}' only in {side}"


def _absolute(a: Features, b: Features, shared, values, reasons) -> None:
    only_a = {a.sequence[i] for i in a.find(a.absolutes - b.absolutes) if a.anchored(i, shared)}
    only_b = {b.sequence[i] for i in b.find(b.absolutes - a.absolutes) if b.anchored(i, shared)}
    if only_a or only_b:
        side, word = ("A", min(only_a)) if only_a else ("B", min(only_b))
        values["absolute"] = min(2, len(only_a | only_b)) / 2
        reasons["absolute"] = f"overstatement: '{word}' only in {side}"
