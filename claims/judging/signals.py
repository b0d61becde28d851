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
from dataclasses import dataclass

from ..text import terms
from ..text.features import Features, of as features

# Conflict signals, each with a weight the calibration keeps >= 0: evidence for a
# conflict can be weak, but never evidence against one.
SIGNALS = ("negation", "negation_any", "opposing", "opposing_any", "polarity", "absolute", "numbers")
# "coverage": the share of the longer claim's content words the other names
# too (each claim covers what the other asserts); "focused": a conflict signal
# bears on what both claims say (``focused``).
# "order": the share of neighbouring shared words that keep their order (who
# does what to whom; PAWS-X pairs share their words and swap their roles).
FEATURES = ("similarity", "overlap", "coverage", "order", "length") + SIGNALS + ("focused",)

# An opposing adjective or verb sits next to what it is about ("wichtige Rolle").
ANTONYM_SCOPE = 3


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


def compare(
    a: Features | str, b: Features | str, similarity: float, vocabulary: terms.Vocabulary = terms.NO_VOCABULARY, numbers_from: float = 0.5,
) -> Evidence:
    """Evidence on two claims (their ``features``, or their texts);
    ``vocabulary`` is of the claims judged together, and orders the shared
    terms rarest first; ``numbers_from``: the cosine from which differing
    numbers bear on what both say (``Scale.numbers``)."""
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
    bearing = focused(a, b, reasons, similarity, numbers_from)
    values["focused"] = 1.0 if bearing else 0.0
    return Evidence(
        tuple(values[name] for name in FEATURES),
        reasons,
        tuple(sorted(a.hedges | b.hedges)),
        shown_shared(a, shared, vocabulary),
        bearing,
    )


def shown_shared(a: Features, shared: set[str], vocabulary: terms.Vocabulary) -> tuple[str, ...]:
    """The ``shared`` terms as ``a`` shows them, rarest in ``vocabulary``
    first: of everything a verdict says, the one part the rest of the corpus
    decides (``pipeline/reuse.py`` keeps a verdict while it is the same)."""
    return tuple(dict.fromkeys(a.shown[k] for k in sorted(shared, key=lambda k: (-vocabulary.weight(k), k))))


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
# Numbers that differ are only read as a conflict between claims that share
# this many content terms (and are close in meaning: ``Scale.numbers``).
NUMBERS_COMMON = 3


def focused(a: Features, b: Features, reasons: dict, similarity: float, numbers_from: float = 0.5) -> tuple[str, ...]:
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
    if "numbers" in reasons and len(a.content & b.content) >= NUMBERS_COMMON and similarity >= numbers_from:
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
