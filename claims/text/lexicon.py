"""Word lists and patterns the pipeline uses, loaded from ``claims/data``.

They live in data files so that a reader can extend them without touching code.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import simplemma

WORD = re.compile(r"\w+(?:[-']\w+)*|n't", re.UNICODE)


def _lines(name: str) -> list[str]:
    text = resources.files("claims").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@lru_cache(maxsize=None)
def boilerplate() -> list[re.Pattern]:
    return [re.compile(line, re.IGNORECASE) for line in _lines("boilerplate.txt")]


@lru_cache(maxsize=None)
def negation_cues() -> frozenset[str]:
    return frozenset(_lines("negation.txt"))


@lru_cache(maxsize=None)
def negation_exceptions() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(line.split()) for line in _lines("negation_exceptions.txt"))


@lru_cache(maxsize=None)
def speech_cues() -> frozenset[str]:
    """One-word cues, lower case."""
    return frozenset(line for line in _lines("speech_cues.txt") if " " not in line)


@lru_cache(maxsize=None)
def phrase_cues() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Cues of several words ("machte deutlich", "wies darauf hin"): first word
    -> the words that follow it, the second up to two words after the first."""
    found: dict[str, list[tuple[str, ...]]] = {}
    for line in _lines("speech_cues.txt"):
        words = line.lower().split()
        if len(words) > 1:
            found.setdefault(words[0], []).append(tuple(words[1:]))
    return {first: tuple(rests) for first, rests in found.items()}


@lru_cache(maxsize=None)
def stopwords() -> frozenset[str]:
    return frozenset(word for line in _lines("stopwords.txt") for word in line.split())


@lru_cache(maxsize=None)
def antonyms() -> dict[str, frozenset[str]]:
    """Lemma -> lemmas it opposes, symmetric."""
    opposite: dict[str, set[str]] = {}
    for line in _lines("antonyms.tsv"):
        a, b = (part.strip().lower() for part in line.split("\t"))
        opposite.setdefault(a, set()).add(b)
        opposite.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in opposite.items()}


def words(text: str) -> list[str]:
    return WORD.findall(text)


@lru_cache(maxsize=200_000)
def lemma(word: str, lang: str = "de") -> str:
    # German first, English as fallback, so mixed claims still lemmatise.
    return simplemma.lemmatize(word, lang=(lang, "en") if lang == "de" else (lang,)).lower()


CLAUSE_BREAK = re.compile(r"[,;:()\[\]–—]|\s-\s")
# A clause ending in a verb of thinking or saying continues into its "dass"
# clause: in "er glaube nicht, dass Europäer am Tisch sitzen" the negation
# governs the sitting.
COMPLEMENTISERS = {"dass", "daß", "ob", "that", "whether"}


def clauses(text: str) -> tuple[list[str], list[int]]:
    """Words of ``text`` and, for each, the number of the clause it is in."""
    tokens: list[str] = []
    numbers: list[int] = []
    clause = 0
    for part in CLAUSE_BREAK.split(text):
        part_words = words(part)
        if part_words and tokens and part_words[0].lower() not in COMPLEMENTISERS:
            clause += 1
        tokens.extend(part_words)
        numbers.extend([clause] * len(part_words))
    return tokens, numbers


def negations(text: str) -> list[str]:
    """Negation cues in ``text`` that are not part of a non-negating phrase like 'nicht nur'."""
    tokens = words(text)
    return [tokens[i].lower() for i in negation_positions(tokens)]


def negation_positions(tokens: list[str]) -> list[int]:
    tokens = [t.lower() for t in tokens]
    cues = negation_cues()
    skip: set[int] = set()
    for phrase in negation_exceptions():
        n = len(phrase)
        for i in range(len(tokens) - n + 1):
            if tuple(tokens[i : i + n]) == phrase:
                skip.update(range(i, i + n))
    return [i for i, t in enumerate(tokens) if t in cues and i not in skip]


@lru_cache(maxsize=None)
def polarity_words() -> frozenset[str]:
    return frozenset(_lines("polarity.txt"))


@lru_cache(maxsize=None)
def absolutes() -> frozenset[str]:
    return frozenset(_lines("absolutes.txt"))


@lru_cache(maxsize=None)
def hedges() -> frozenset[str]:
    return frozenset(_lines("hedges.txt"))


@lru_cache(maxsize=None)
def number_words() -> dict[str, str]:
    """Lower-case word -> the value it stands for ("zwei" -> "2", "März" -> "month 3")."""
    return dict(line.split("\t", 1) for line in _lines("numbers.tsv"))


@lru_cache(maxsize=None)
def not_heads() -> frozenset[str]:
    """Endings that are German words but, at the end of a longer word, a suffix."""
    return frozenset(_lines("not_heads.txt"))


@lru_cache(maxsize=None)
def outlets() -> tuple[str, ...]:
    """Lower-case names of media a claim can be cited from."""
    return tuple(_lines("outlets.txt"))


@lru_cache(maxsize=None)
def anonymous_roles() -> frozenset[str]:
    """Nouns that describe a speaker without naming one ("Beamter", "Diplomat")."""
    return frozenset(_lines("anonymous_roles.txt"))


@lru_cache(maxsize=None)
def indefinites() -> frozenset[str]:
    """Words that open a description rather than a name ("ein", "zwei", "mehrere")."""
    return frozenset(_lines("indefinites.txt"))


@lru_cache(maxsize=None)
def frame_verbs() -> dict[str, bool]:
    """Lemma of a verb that frames a proposition -> whether it denies it
    ("bestreiten, dass P" asserts not P)."""
    found = {}
    for line in _lines("frame_verbs.txt"):
        verb, *mark = line.split()
        found[verb.lower()] = mark == ["-"]
    return found
