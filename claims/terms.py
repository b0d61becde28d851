"""Terms: the content words a claim is about, and how much sharing one says.

Two claims that share "Kellogg" and "Rolle" are about the same thing; two that
share only "Ukraine" in a corpus about Ukraine hardly are. A term weighs its
inverse document frequency over the claims judged together: frequent terms
weigh less, but they are never dropped, since on a story about Kellogg
"Kellogg" is what the contested claims share. A German compound also stands
for its head, so that "Verhandlungstisch" shares "Tisch" with "am Tisch sitzen".
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Iterable

import numpy as np
import simplemma

from . import lexicon

MIN_LEMMA_LENGTH = 3
STEM = 6  # leading letters of a lemma that identify a content word
MIN_HEAD = 4  # letters of the shortest compound head ("Plan")
MIN_MODIFIER = 3  # letters before it
LINKS = ("", "s", "es", "n", "en")


def content_key(lemma: str) -> str | None:
    """What two content words must share to count as the same word: a common
    stem, so that Europäer/europäisch or Kellogg/Kelloggs match."""
    if len(lemma) < MIN_LEMMA_LENGTH or lemma in lexicon.stopwords() or lemma.isdigit():
        return None
    return lemma[:STEM]


@lru_cache(maxsize=200_000)
def head(lemma: str) -> str | None:
    """The head of a compound: its last hyphenated part, or its longest known
    German ending ("verhandlungstisch" -> "tisch"); None for a simple word."""
    if "-" in lemma:
        last = lemma.rsplit("-", 1)[1]
        return last if content_key(last) else None
    for start in range(MIN_MODIFIER, len(lemma) - MIN_HEAD + 1):
        ending = lemma[start:]
        if _word(ending) and ending not in lexicon.not_heads() and _modifier(lemma[:start]):
            return ending
    return None


def _word(part: str) -> bool:
    return content_key(part) is not None and simplemma.is_known(part, lang="de")


def _modifier(part: str) -> bool:
    # A modifier is a word, maybe with a linking -s or -n ("Friedens-", "Hausen-"):
    # that keeps prefixes (ver-, ent-, unter-) from passing for one.
    return any(_word(part[: len(part) - len(link)]) for link in LINKS if part.endswith(link))


# Zipf frequency (log10 per billion words) of a word that is not rare at all:
# "sagen" is 5.5, "Regierung" 5.2, "Ukraine" 4.5, "Kellogg" 2.6.
COMMON_ZIPF = 7.0
MIN_RARITY = 0.5
UNKNOWN_RARITY = 3.0  # a term whose word is not known (stored before rarities were)


@lru_cache(maxsize=200_000)
def rarity(lemma: str, language: str = "de") -> float:
    """How rare a word is in the language at large (wordfreq's frequency
    lists, installed with the package): what a shared word says about two
    articles reporting one story, however few articles a corpus has."""
    from wordfreq import zipf_frequency

    return max(MIN_RARITY, COMMON_ZIPF - zipf_frequency(lemma, language))


@dataclass(frozen=True)
class Vocabulary:
    """How many of ``n`` claims each term occurs in."""

    n: int = 0
    df: dict[str, int] = field(default_factory=dict)

    @classmethod
    def count(cls, term_sets: Iterable[frozenset[str]]) -> "Vocabulary":
        df: Counter[str] = Counter()
        n = 0
        for terms in term_sets:
            df.update(terms)
            n += 1
        return cls(n, dict(df))

    @cached_property
    def columns(self) -> dict[str, int]:
        """Term -> column, for term matrices (``match.term_matrix``)."""
        return {term: i for i, term in enumerate(sorted(self.df))}

    @cached_property
    def idfs(self) -> np.ndarray:
        """The idf of each column's term."""
        return np.array([self.idf(term) for term in self.columns], dtype=np.float64)

    def idf(self, term: str) -> float:
        return math.log((self.n + 1) / (self.df.get(term, 0) + 1)) + 1


NO_VOCABULARY = Vocabulary()
