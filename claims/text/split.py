"""Split: article text into claims with character offsets.

Sentences come from SoMaJo (``sentences.py``). Each sentence keeps
``start``/``end`` offsets into the article text, so
``article.text[start:end] == claim.text`` always holds.
"""

from __future__ import annotations


import simplemma

from . import lexicon
from .claim import Claim, Skipped
from .propositions import LEADING, parts, proposition, voice_cuts
from .sentences import sentences
from .speakers import attribute, find_attribution, speaker_kind

MIN_WORDS = 3
# Longer than any sentence a reader would call one claim: text without sentence
# ends (a table, a word list) that the splitter could not cut.
MAX_CHARS = 2000
LANGUAGES = ("de", "en")  # the languages the lexicons cover


def why_not_a_claim(sentence: str) -> str | None:
    """The reason a sentence is page furniture rather than a claim, or None."""
    stripped = sentence.strip()
    for pattern in lexicon.boilerplate():
        if pattern.search(stripped):
            return f"boilerplate: matches {pattern.pattern!r}"
    if len(stripped) > MAX_CHARS:
        return f"too long: {len(stripped):,} characters without a sentence end"
    n = len(lexicon.words(stripped))
    if n < MIN_WORDS:
        return f"too short: {n} word{'s' if n != 1 else ''}"
    return None


def _normal(text: str) -> str:
    return " ".join(lexicon.words(text.lower()))


def other_language(sentence: str, language: str | None) -> str | None:
    """The language a sentence is in when it is clearly not the article's: an
    English headline in a German article duplicates it and is no claim."""
    if language not in LANGUAGES or len(lexicon.words(sentence)) < MIN_WORDS + 1:
        return None
    import py3langid

    # Two opinions: a language model of letters, and the share of words each
    # language's dictionary knows. Either alone is fooled by names and short lines.
    other, _ = py3langid.classify(sentence)
    if other == language or other not in LANGUAGES:
        return None
    if simplemma.in_target_language(sentence, lang=other) > simplemma.in_target_language(sentence, lang=language):
        return other
    return None


def split(text: str, title: str | None = None, language: str | None = None) -> tuple[list[Claim], list[Skipped]]:
    """Claims and skipped sentences of an article; ``title`` (repeated as a
    headline or teaser) and sentences in a language other than ``language``
    are skipped."""
    claims: list[Claim] = []
    skipped: list[Skipped] = []
    headline = _normal(title) if title else None
    for start, end in sentences(text):
        sentence = text[start:end]
        reason = why_not_a_claim(sentence)
        if not reason and headline and _normal(sentence) == headline:
            reason = "headline: kept as the article's title"
        # A line of its own in another language is a headline in translation;
        # inside a paragraph, a foreign phrase is part of the claim.
        standalone = (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] in "\r\n")
        if not reason and standalone and (other := other_language(sentence, language)):
            reason = f"other language ({other}): kept in the article's alt_titles"
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
    attribute(claims, text)
    return _propositions(claims), skipped


def _propositions(sentences: list[Claim]) -> list[Claim]:
    """Each sentence as one claim per proposition (``propositions.parts``),
    with the sentence's speaker, and its ``content``."""
    claims: list[Claim] = []
    for sentence in sentences:
        spans = parts(sentence.text)
        # Two voices in one sentence ("..., die Veranstalter sprechen von ..."):
        # each part is attributed on its own, not to the sentence's speaker.
        voices = len(spans) > 1 and bool(voice_cuts(sentence.text))
        previous = (None, None)
        for k, (start, end) in enumerate(spans):
            own = find_attribution(sentence.text[start:end]) if voices else None
            if not voices:
                speaker, cue = sentence.speaker, sentence.cue
            else:
                # A part that continues the one before ("aber ...") keeps its speaker.
                speaker, cue = own or (previous if k and sentence.text[start:end].split()[0].lower() in LEADING else (None, None))
                previous = (speaker, cue)
            claim = sentence if len(spans) == 1 else Claim(
                position=0, text=sentence.text[start:end], start=sentence.start + start, end=sentence.start + end,
                speaker=speaker, speaker_kind=speaker_kind(speaker) if voices else sentence.speaker_kind, cue=cue, quote=sentence.quote,
            )
            found = proposition(claim.text, claim.speaker, claim.speaker_kind, continued=k > 0)
            claim.position, claim.content, claim.negated = len(claims), found.content, found.negated
            claims.append(claim)
    return claims
