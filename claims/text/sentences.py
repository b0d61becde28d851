"""Sentences with character offsets, from SoMaJo.

SoMaJo is a tokenizer and sentence splitter built for German (and English) news
and web text. Two shortcuts make it cheaper on news text and leave its sentences
and offsets exactly as they are (``tests/test_split.py`` compares them with a
plain SoMaJo): an emoji check per text instead of per grapheme, and offsets found
by matching the tokens against the paragraph instead of SoMaJo's alignment, which
copies the rest of the paragraph at every token and maps every character three
times. Where a paragraph is unusual (not in NFC, or a token SoMaJo's rules do not
place), SoMaJo's own alignment gives the offsets.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import regex

PARAGRAPH = re.compile(r"[^\n]+")
# SoMaJo compares tokens with the text after turning each whitespace character
# (as the regex module reads \s) into a space; so do we.
WHITESPACE = regex.compile(r"\s")


def _skipped() -> frozenset[str]:
    from somajo import alignment

    # Another SoMaJo without this set: every token that is not the next
    # characters sends the paragraph to SoMaJo's own alignment.
    return frozenset(getattr(alignment, "_skipable_characters", ()))


SKIPPED = _skipped()


def _somajo(offsets: bool):
    from somajo import SoMaJo

    somajo = SoMaJo("de_CMC", split_camel_case=False, character_offsets=offsets)
    _check_for_emojis_first(getattr(somajo, "_tokenizer", None))
    return somajo


@lru_cache(maxsize=None)
def _tokenizer():
    return _somajo(offsets=False)


@lru_cache(maxsize=None)
def _aligning_tokenizer():
    return _somajo(offsets=True)


def _check_for_emojis_first(tokenizer) -> None:
    """SoMaJo (2.5) looks for emojis grapheme by grapheme, compiling a regex at
    each: on news text that is a large share of its time, and finds nothing. A text
    without any emoji character cannot hold an emoji grapheme, so one search
    of the whole text decides whether the scan is needed; the tokens are the same."""
    scan = getattr(tokenizer, "_split_emojis", None)
    if scan is None:  # another SoMaJo: leave it as it is
        return
    emoji_character = regex.compile(r"[\p{Extended_Pictographic}\p{Emoji_Presentation}\uFE0F]")

    def split_emojis(node, *args, **kwargs):
        if emoji_character.search(node.value.text):
            scan(node, *args, **kwargs)

    tokenizer._split_emojis = split_emojis


def _matched(paragraph: str, found: list) -> list[tuple[int, int]] | None:
    """(start, end) of each sentence, placing each token as SoMaJo's alignment
    does (``somajo.alignment._determine_offsets``) without copying the rest of
    the paragraph at each; None where that is not certain."""
    if unicodedata.normalize("NFC", paragraph) != paragraph:
        return None
    flat = WHITESPACE.sub(" ", paragraph)
    at = 0
    spans = []
    for sentence in found:
        first = None
        for token in sentence:
            text = token.original_spelling if token.original_spelling is not None else token.text
            text = WHITESPACE.sub(" ", text)
            if flat.startswith(text, at):
                start, at = at, at + len(text)
            elif flat.startswith(" " + text, at):
                start, at = at + 1, at + 1 + len(text)
            else:
                # As SoMaJo does: each of the token's characters is the next one
                # that is not a space, a soft hyphen or another character it drops.
                start = None
                for char in text:
                    while at < len(flat) and flat[at] != char:
                        if flat[at] not in SKIPPED:
                            return None
                        at += 1
                    if at == len(flat):
                        return None
                    start = at if start is None else start
                    at += 1
            first = start if first is None else first
        if first is not None:  # SoMaJo leaves a sentence of control characters empty
            spans.append((first, at))
    return spans


def _aligned(paragraph: str) -> list[tuple[int, int]]:
    spans = []
    for sentence in _aligning_tokenizer().tokenize_text([paragraph]):
        if sentence:
            spans.append((sentence[0].character_offset[0], sentence[-1].character_offset[1]))
    return spans


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence. Line breaks always end a sentence: in
    scraped articles a line without a full stop is a headline or a teaser."""
    spans = []
    for match in PARAGRAPH.finditer(text):
        paragraph = match.group()
        if not paragraph.strip():
            continue
        found = list(_tokenizer().tokenize_text([paragraph]))
        within = _matched(paragraph, found)
        if within is None:
            within = _aligned(paragraph)
        spans.extend((start + match.start(), end + match.start()) for start, end in within)
    return spans
