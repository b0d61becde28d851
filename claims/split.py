"""Split: article text into claims with character offsets.

Sentences come from SoMaJo, a tokenizer and sentence splitter built for German
(and English) news and web text. Each sentence keeps ``start``/``end`` offsets
into the article text, so ``article.text[start:end] == claim.text`` always holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon
from .speakers import attribute

PARAGRAPH = re.compile(r"[^\n]+")
MIN_WORDS = 3


@dataclass
class Claim:
    position: int
    text: str
    start: int
    end: int
    speaker: str | None = None
    negated: bool = False


@dataclass
class Skipped:
    text: str
    start: int
    end: int
    reason: str


@lru_cache(maxsize=None)
def _somajo():
    from somajo import SoMaJo

    return SoMaJo("de_CMC", split_camel_case=False, character_offsets=True)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence. Line breaks always end a sentence: in
    scraped articles a line without a full stop is a headline or a teaser."""
    tokenizer = _somajo()
    spans = []
    for match in PARAGRAPH.finditer(text):
        if not match.group().strip():
            continue
        offset = match.start()
        for sentence in tokenizer.tokenize_text([match.group()]):
            start = sentence[0].character_offset[0] + offset
            end = sentence[-1].character_offset[1] + offset
            spans.append((start, end))
    return spans


def why_not_a_claim(sentence: str) -> str | None:
    """The reason a sentence is page furniture rather than a claim, or None."""
    stripped = sentence.strip()
    for pattern in lexicon.boilerplate():
        if pattern.search(stripped):
            return f"boilerplate: matches {pattern.pattern!r}"
    n = len(lexicon.words(stripped))
    if n < MIN_WORDS:
        return f"too short: {n} word{'s' if n != 1 else ''}"
    return None


def split(text: str) -> tuple[list[Claim], list[Skipped]]:
    claims: list[Claim] = []
    skipped: list[Skipped] = []
    for start, end in sentences(text):
        sentence = text[start:end]
        reason = why_not_a_claim(sentence)
        if reason:
            skipped.append(Skipped(sentence, start, end, reason))
            continue
        claims.append(
            Claim(
                position=len(claims),
                text=sentence,
                start=start,
                end=end,
                negated=bool(lexicon.negations(sentence)),
            )
        )
    attribute(claims)
    return claims, skipped
