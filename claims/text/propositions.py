"""Propositions: what a claim asserts, without who said it.

A sentence in the news wraps its proposition in a reporting frame: "Am Samstag
sagte Kellogg, er glaube nicht, dass Europäer am Tisch sein würden". Two
sources that report the same proposition in different frames look alike to a
reader and unlike to an embedding, so the pipeline embeds, matches and judges
the claim's ``content``: the proposition with the frame taken off, the frame's
polarity carried over ("Europäer am Tisch nicht sein würden") and a pronoun
subject that stands for the speaker resolved ("Kellogg spreche mit ...").

A sentence that asserts two things joined by "aber" / "doch" / "jedoch" is two
claims, each its own span of the article. Clause structure comes from German
part-of-speech tags (HanTa, STTS tags), asked for only where a sentence has a
frame to remove or a conjunction to split at: tagging every claim would cost
the build as much as the encoder does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon
from .speakers import QUOTES, TOKEN, attribution_in

# A second main clause after a comma: "..., aber er spreche mit ...". Not
# "sondern", which continues a negation ("nicht nur ..., sondern auch").
ADVERSATIVE = re.compile(r"[,;]\s+(?=(?:aber|doch|jedoch)\s)", re.IGNORECASE)
LEADING = {"aber", "doch", "jedoch", "und"}
DETERMINERS = ("der", "die", "das", "den", "ein", "eine")


@lru_cache(maxsize=1)
def _voice() -> re.Pattern:
    """A second voice's main clause after a comma: "..., die Veranstalter
    sprechen sogar von bis zu 250.000": a determiner, a capitalised noun (not
    a relative clause's "die gestern sagte"), up to two more words, and a
    speech cue (``data/speech_cues.txt``)."""
    cues = sorted({c.split()[0] for c in lexicon.speech_cues() | set(lexicon.phrase_cues())} - {"so", "laut"}, key=len, reverse=True)
    return re.compile(r",\s+(?=(?:" + "|".join(DETERMINERS) + r")\s+[A-ZÄÖÜ][\w-]*(?:\s+\S+){0,2}?\s+(?:"
                      + "|".join(map(re.escape, cues)) + r")\b)")


def voice_cuts(text: str) -> list[int]:
    """Where a sentence turns to a second voice (``_voice``)."""
    return [m.start() for m in _voice().finditer(text)]
COMPLEMENTISERS = {"dass", "daß"}
MIN_PART_WORDS = 4
FRAME_MAX_WORDS = 8  # "Kelloggs Gespräche lassen vermuten, dass": longer is content
PRONOUN_SUBJECTS = {"er"}  # "sie" may as well be the plural: left as written
TRIM = "".join(QUOTES) + " \t\n,;:–—-"


@dataclass(frozen=True)
class Proposition:
    content: str
    negated: bool  # the content holds a negation, its own or the frame's
    framed: bool  # a frame was taken off


@lru_cache(maxsize=1)
def tagger():
    """HanTa's German model (STTS tags), installed with the package."""
    from HanTa import HanoverTagger

    return HanoverTagger.HanoverTagger("morphmodel_ger.pgz")


def tags(tokens: list[str]) -> list[str]:
    return list(tagger().tag_sent(tokens, taglevel=0)) if tokens else []


def _finite(tag: str) -> bool:
    return "FIN" in tag


def _tokens(text: str) -> list[re.Match]:
    return list(TOKEN.finditer(text))


def parts(text: str) -> list[tuple[int, int]]:
    """(start, end) of each proposition of a sentence: one, or two or more
    where a main clause follows "aber", "doch" or "jedoch" after a comma, or
    a second voice's (``voice_cuts``), and both sides are clauses with a
    finite verb."""
    cuts = sorted(set(m.start() for m in ADVERSATIVE.finditer(text)) | set(voice_cuts(text)))
    if not cuts:
        return [(0, len(text))]
    bounds = [0] + cuts + [len(text)]
    pieces = [(bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]
    matches = _tokens(text)
    found = tags([m.group() for m in matches])
    kept: list[tuple[int, int]] = []
    for start, end in pieces:
        inside = [t for m, t in zip(matches, found) if start <= m.start() < end]
        words = [m for m in matches if start <= m.start() < end and m.group()[0].isalnum()]
        clause = len(words) >= MIN_PART_WORDS and any(_finite(t) for t in inside)
        if kept and clause and kept[-1][2]:
            kept.append((start, end, True))
        elif kept:
            kept[-1] = (kept[-1][0], end, kept[-1][2] and clause)
        else:
            kept.append((start, end, clause))
    spans = []
    for start, end, _ in kept:
        # The span starts at the conjunction and ends before the comma.
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip(",; \t"))
        tail = len(piece.rstrip(",; \t"))
        spans.append((start + lead, start + tail))
    return spans


def proposition(text: str, speaker: str | None = None, speaker_kind: str = "none", continued: bool = False) -> Proposition:
    """The content of one claim (see the module docstring). ``continued``: the
    claim is the second proposition of a sentence ("aber er spreche ..."),
    whose subject pronoun stands for the speaker as in a frame."""
    negated = False
    framed = False
    verb_final = False
    content = text.strip()
    content = _drop_leading(content)
    found = attribution_in([m.group() for m in _tokens(content)])
    if found:
        stripped = _without_speech_frame(content, found[1], found[0])
        if stripped and stripped != content:
            content, framed = stripped, True
    content, verb_final = _without_complementiser(content, verb_final)
    for _ in range(2):  # "sagte, er glaube nicht, dass ...": frames in frames
        inner = _without_belief_frame(content)
        if inner is None:
            break
        content, denies = inner
        negated ^= denies
        framed = True
        content, verb_final = _without_complementiser(content, False)
    if (framed or continued) and speaker and speaker_kind == "named" and not verb_final:
        content = _resolve_subject(content, speaker)
    content = content.strip(TRIM)
    if not content or len(lexicon.words(content)) < 2:
        content, negated, framed = text.strip(), False, False
    if negated:
        content = _negate(content, verb_final)
    return Proposition(content, bool(lexicon.negations(content)), framed)


def _drop_leading(content: str) -> str:
    words = content.split(None, 1)
    if len(words) == 2 and words[0].lower().strip(",") in LEADING:
        return words[1]
    return content


def _without_speech_frame(content: str, cue: int, speaker: str) -> str | None:
    """The proposition a verb of saying (or "so", "laut") introduces."""
    matches = _tokens(content)
    cue_word = matches[cue].group().lower()
    before = content[: matches[cue].start()]
    previous = matches[cue - 1].group() if cue else ""
    speaker_tokens = TOKEN.findall(speaker)
    speaker_words = len(speaker_tokens)
    # "Dmitri Peskow, Putins Sprecher, sagte, ...": a speaker before the cue
    # makes it a cue-first frame even after a comma.
    follows = speaker_tokens[0] in [m.group() for m in matches[cue + 1 : cue + 4]]
    if cue_word in {"laut", "according"}:
        # "Laut europäischen Beamten haben ...": the content follows the speaker.
        after = cue + 1 + speaker_words
        return content[matches[after].start() :] if after < len(matches) else None
    if cue_word == "so" or (follows and (previous == "," or previous in QUOTES)):
        # "P, sagte X" / "„P“, so X": the content comes first, unless it is a
        # question put to the speaker ("Auf die Frage, ob ..., sagte X, P").
        after = _after_comma(content, matches, cue + 1 + speaker_words)
        if re.search(r"\bob\b|\?", before) and after:
            return after
        return before if len(lexicon.words(before)) >= 2 else after
    return _after_comma(content, matches, cue + 1)


def _after_comma(content: str, matches: list[re.Match], start: int) -> str | None:
    """What follows the first comma or colon at or after token ``start``."""
    for m in matches[start:]:
        if m.group() in {",", ":"}:
            rest = content[m.end() :]
            return rest if len(lexicon.words(rest)) >= 2 else None
    return None


def _without_complementiser(content: str, verb_final: bool) -> tuple[str, bool]:
    words = content.lstrip(TRIM).split(None, 1)
    if len(words) == 2 and words[0].lower() in COMPLEMENTISERS:
        return words[1], True
    return content, verb_final


def _without_belief_frame(content: str) -> tuple[str, bool] | None:
    """(content, whether the frame denies it) for "er glaube nicht, dass P" and
    "X bestreitet, dass P"; None without such a frame."""
    matches = _tokens(content)
    comma = next((k for k, m in enumerate(matches) if m.group() == ","), None)
    if comma is None or comma == 0 or comma + 1 >= len(matches):
        return None
    frame = [m.group() for m in matches[:comma]]
    words = [w for w in frame if w[0].isalnum()]
    if not words or len(words) > FRAME_MAX_WORDS:
        return None
    verbs = lexicon.frame_verbs()
    lemmas = [lexicon.lemma(w) for w in words]
    framing = [lemma for lemma in lemmas if lemma in verbs]
    if not framing:
        return None
    following = matches[comma + 1].group().lower()
    # Without "dass" only a pronoun's thought frames a clause ("er glaube, sie seien ...").
    if following not in COMPLEMENTISERS and words[0].lower() not in {"er", "sie", "ich", "wir", "man"}:
        return None
    denies = bool(lexicon.negation_positions(frame)) ^ any(verbs[lemma] for lemma in framing)
    return content[matches[comma].end() :], denies


def _resolve_subject(content: str, speaker: str) -> str:
    """A reported clause whose subject is "er" is about the speaker."""
    match = re.match(r"\s*(\w+)\b", content)
    if match and match.group(1).lower() in PRONOUN_SUBJECTS:
        return speaker + content[match.end(1) :]
    return content


def _negate(content: str, verb_final: bool) -> str:
    """The content with "nicht" put where German puts it: before the verbs
    that end a subordinate clause, or after the finite verb of a main clause."""
    matches = _tokens(content)
    found = tags([m.group() for m in matches])
    verbs = [k for k, t in enumerate(found) if t.startswith("V")]
    if not verbs:
        return "nicht " + content
    if verb_final:
        k = verbs[-1]
        while k - 1 >= 0 and found[k - 1].startswith("V"):
            k -= 1
        at = matches[k].start()
    else:
        finite = next((k for k in verbs if _finite(found[k])), verbs[0])
        at = matches[finite].end()
        return content[:at] + " nicht" + content[at:]
    return content[:at] + "nicht " + content[at:]


# A claim that opens with a demonstrative ("Das ist völlig falsch", "Diese
# Behauptung ...", "Dies sei eine Lüge") or a third person's pronoun ("Er
# bestreitet die Vorwürfe") answers what came before it. A cheap look at the
# first word first: tagging every claim would cost as much as the encoder.
POINTING = re.compile(r"^\W*(?:das|dies|diese[rsnm]?|er|sie)\b", re.IGNORECASE)


@lru_cache(maxsize=65536)
def points_back(text: str) -> bool:
    """Whether a claim's first word points back to what was said before it
    (STTS: a demonstrative pronoun or determiner, or "er" / "sie" as a
    pronoun; not "das" as an article, "Das Treffen beginnt")."""
    if not POINTING.match(text):
        return False
    words = lexicon.clauses(text)[0] if text.strip() else []
    found = tags(words[:3])
    if not found:
        return False
    return found[0] in ("PDS", "PDAT") or (found[0] == "PPER" and words[0].lower() in ("er", "sie"))


# A point's proposition is asked of every report of a story, so it must say
# what it says without the sentence before it: no word that points back
# ("Dies geschah, als ...", "Damit ...", "Demnach soll ..."), no one speaking
# ("ich", "wir"), no reporting frame ("..., sagte der Minister"), no question.
BACK_POINTING = {
    "damit", "demnach", "dabei", "dadurch", "daher", "deshalb", "deswegen", "darum", "dafür", "dagegen", "danach",
    "davor", "darauf", "daraufhin", "dazu", "hierbei", "hierzu", "hier", "dort", "dann", "damals", "somit", "also",
    "zudem", "außerdem", "ebenfalls", "ebenso", "auch", "trotzdem", "dennoch", "allerdings", "jedoch", "aber", "doch",
    "und", "oder", "sondern", "stattdessen", "zuvor", "später", "anschließend", "inzwischen", "indes", "hingegen",
    "wiederum", "so", "solche", "solch", "derartige", "dies", "diese", "dieser", "dieses", "diesen", "diesem",
    "es", "er", "sie", "ihr", "ihre", "ihren", "ihrem", "ihrer", "sein", "seine", "seinen", "seinem", "seiner",
    "dessen", "deren", "letztere", "letzterer", "ersterer", "beide", "beiden",
}
PERSONAL = {"ich", "mir", "mich", "mein", "meine", "meinen", "meinem", "meiner", "wir", "uns", "unser", "unsere",
            "unseren", "unserem", "unserer", "du", "dir", "dich", "euch", "euer", "eure"}
MIN_WORDS = 4


def stands_alone(statement: str) -> bool:
    """Whether a statement reads as a point on its own (see ``BACK_POINTING``)."""
    from .speakers import find_attribution

    text = statement.strip().strip("".join(QUOTES)).strip()
    words = [m.group(0) for m in _tokens(text) if m.group(0)[:1].isalnum()]
    if len(words) < MIN_WORDS or text.endswith("?"):
        return False
    if words[0].lower() in BACK_POINTING or points_back(text):
        return False
    if any(w.lower() in PERSONAL for w in words):
        return False
    return find_attribution(text) is None
