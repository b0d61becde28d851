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
from typing import TYPE_CHECKING, Iterable

import numpy as np
import simplemma

from . import lexicon

if TYPE_CHECKING:
    from scipy import sparse

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


@lru_cache(maxsize=2)
def _wordlist(language: str) -> tuple[list[str], np.ndarray]:
    """wordfreq's words of ``language``, sorted, and their frequencies summed
    up to each (for the frequency of every word of a prefix at once)."""
    from wordfreq import get_frequency_dict

    frequencies = get_frequency_dict(language, wordlist="best")
    words = sorted(frequencies)
    return words, np.concatenate([[0.0], np.cumsum([frequencies[w] for w in words])])


@lru_cache(maxsize=200_000)
def key_rarity(key: str, language: str = "de") -> float:
    """How rare a content term (``content_key``: a lemma's first ``STEM``
    letters, or a shorter lemma whole) is in the language at large: the
    frequency of every word it stands for in wordfreq's list, summed, read as
    ``rarity`` reads a word's. The same in every db, whatever else it holds:
    what matching, the judge's shared words and topics weigh terms by, so an
    added article changes no weight of the stories it does not touch."""
    import bisect

    words, summed = _wordlist(language)
    lo = bisect.bisect_left(words, key)
    hi = lo + (words[lo] == key) if len(key) < STEM and lo < len(words) else bisect.bisect_left(words, key + "\U0010ffff")
    frequency = float(summed[hi] - summed[lo])
    zipf = math.log10(frequency * 1e9) if frequency > 0 else 0.0
    return max(MIN_RARITY, COMMON_ZIPF - zipf)


@dataclass(frozen=True)
class Vocabulary:
    """How many of ``n`` claims each term occurs in, and the column of each
    term in term matrices; terms weigh by ``key_rarity``, not by how many
    claims of the db have them."""

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

    @classmethod
    def index(cls, texts: list[str], term_lists: list) -> tuple["Vocabulary", "sparse.csr_matrix"]:
        """The vocabulary of claims (their texts and the terms of each; a text
        repeated counts once, as ``count`` of the distinct texts) and their
        ``presence`` matrix, in one pass: what a build reads of every stored
        claim, so it is made without a set or a Counter per claim."""
        from scipy import sparse

        column: dict[str, int] = {}
        indices: list[int] = []
        indptr = [0]
        first: list[bool] = []
        seen: set[str] = set()
        for text, found in zip(texts, term_lists):
            indices.extend([column.setdefault(t, len(column)) for t in found])
            indptr.append(len(indices))
            first.append(text not in seen)
            seen.add(text)
        names = sorted(column)
        remap = np.empty(len(column), dtype=np.int64)
        remap[np.array([column[t] for t in names], dtype=np.int64)] = np.arange(len(names))
        cols = remap[np.asarray(indices, dtype=np.int64)] if indices else np.zeros(0, dtype=np.int64)
        counted_rows = np.repeat(np.asarray(first, dtype=bool), np.diff(indptr))
        df = np.bincount(cols[counted_rows], minlength=len(names))
        vocabulary = cls(int(sum(first)), {t: int(n) for t, n in zip(names, df) if n})
        presence = sparse.csr_matrix(
            (np.ones(len(cols), dtype=np.float32), cols, np.asarray(indptr, dtype=np.int64)), shape=(len(indptr) - 1, max(1, len(names)))
        )
        if len(vocabulary.df) != len(names):  # a term only in repeated texts: not in the vocabulary's columns
            return vocabulary, vocabulary.presence(term_lists)
        # The cached property, made already.
        vocabulary.__dict__["columns"] = {t: i for i, t in enumerate(names)}
        return vocabulary, presence

    @cached_property
    def columns(self) -> dict[str, int]:
        """Term -> column, for term matrices (``match.term_matrix``)."""
        return {term: i for i, term in enumerate(sorted(self.df))}

    @cached_property
    def weights(self) -> np.ndarray:
        """The weight of each column's term (``key_rarity``)."""
        return np.array([key_rarity(term) for term in self.columns], dtype=np.float64)

    def weight(self, term: str) -> float:
        return key_rarity(term)

    def presence(self, term_sets: list) -> "sparse.csr_matrix":
        """One row per set of terms, 1 in the column of each term this
        vocabulary has: what term matrices of claims and of articles are made of."""
        from scipy import sparse

        columns = self.columns
        rows, cols = [], []
        for row, found in enumerate(term_sets):
            hits = [columns[t] for t in found if t in columns]
            rows += [row] * len(hits)
            cols += hits
        return sparse.csr_matrix(
            (np.ones(len(cols), dtype=np.float32), (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
            shape=(len(term_sets), max(1, len(columns))),
        )


NO_VOCABULARY = Vocabulary()
