"""The rare names an article gives: who and where, as stories read an event (issue 45).

Reports of one event name its place and its people ("Riesa", "Nguyen",
"Chrupalla"); reports of two events on one day rarely share such a name. A
name here is a word written with a capital inside a sentence (not its first
word) that the lemmatiser's German dictionary does not know (nouns it knows:
"Warnweste", "Parteitag"; names of big places it knows too: "München") and
that is rare in the language (``terms.key_rarity`` from ``RARITY``), not a
hyphenated compound. Each is
kept as its content key (``terms.content_key``), as terms are.
"""

from __future__ import annotations

import re

RARITY = 3.5  # terms.key_rarity: 7 minus the word's zipf frequency (3.5: "Riesa" 4.0, "Weidel" 3.7)
WORD = re.compile(r"[^\W\d_][\w-]*")
SENTENCE = re.compile(r"(?<=[.!?:;\"“”„])\s+|\n+")


def rare_names(text: str) -> frozenset[str]:
    """The content keys of the rare names ``text`` gives."""
    return frozenset(name_words(text).values())


def name_words(text: str) -> dict[str, str]:
    """Each rare name ``text`` gives, as written, with its content key."""
    import simplemma

    from .terms import content_key, key_rarity

    found = {}
    for sentence in SENTENCE.split(text or ""):
        for word in WORD.findall(sentence)[1:]:
            # (A hyphenated compound is no name: "AfD-Parteitag", "Anti-AfD-Demo".)
            if len(word) < 3 or not word[0].isupper() or "-" in word or simplemma.is_known(word, lang="de"):
                continue
            key = content_key(word.lower())
            if key and key_rarity(key) >= RARITY:
                found[word] = key
    return found
