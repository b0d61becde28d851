"""Features: what the judge, the matching and the questions read of one claim's text.

The words of a claim, their lemmas (simplemma, HanTa), their content terms
(``terms.py``: stems and compound heads), clauses, negations and numbers,
computed once per text (``FeatureMap``): in the split workers for every new
claim, then read by every later stage of the build.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from . import lexicon, terms

SCOPE = 6  # tokens either side of a negation
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


# Stored features (``claim_features``) of another version are not read: bump
# this when ``of`` changes what it gives. The word lists it reads and the
# lemmatiser's version are part of the version too (``version``): a reader who
# edits ``negation.txt`` has every stored claim read anew.
REVISION = 1


@lru_cache(maxsize=1)
def version() -> str:
    """What stored features must have been made with to be read again."""
    from importlib import metadata, resources

    digest = hashlib.sha256(f"{REVISION}".encode())
    for package in ("simplemma", "HanTa"):
        try:
            digest.update(f"{package} {metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            pass
    data = resources.files("claims").joinpath("data")
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if entry.is_file() and entry.name.endswith((".txt", ".tsv")):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()[:16]


def dumps(f: Features) -> str:
    """``f`` as ``claim_features`` stores it (JSON)."""
    return json.dumps([f.forms, f.sequence, f.keys, f.clauses, f.strict, f.capitalised, f.negations, sorted(f.numbers)], ensure_ascii=False, separators=(",", ":"))


def loads(stored: str) -> Features:
    forms, sequence, keys, clauses, strict, capitalised, negations, numbers = json.loads(stored)
    return Features(
        forms=tuple(forms), sequence=tuple(sequence), keys=tuple(map(tuple, keys)), clauses=tuple(clauses),
        strict=tuple(map(tuple, strict)), capitalised=tuple(capitalised), negations=tuple(negations), numbers=frozenset(numbers),
    )


class FeatureMap(dict):
    """Text -> its ``Features``, each computed once, when first asked for.
    One map lives as long as one build, eval or question and is handed to
    what reads it: the features the split workers computed reach the judge
    this way, and nothing is kept between runs."""

    def __missing__(self, text: str) -> Features:
        found = self[text] = of(text)
        return found


def of(text: str) -> Features:
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
