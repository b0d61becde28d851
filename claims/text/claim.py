"""Claim: what the split stage finds in an article, and what it leaves out.

Its own module so that the stages that fill a claim in (``split``,
``speakers``, ``propositions``) need not import each other for the type.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Claim:
    position: int
    text: str
    start: int
    end: int
    speaker: str | None = None  # as written, pronouns resolved
    negated: bool = False
    speaker_kind: str = "none"  # named | anonymous | outlet | none
    cue: str | None = None  # the verb of saying (or "so", "laut") as written
    quote: str = "none"  # direct | indirect | none
    terms: str | None = None  # content terms, space-separated (set by build)
    content: str | None = None  # the proposition without its reporting frame (propositions.py)


@dataclass
class Skipped:
    text: str
    start: int
    end: int
    reason: str
