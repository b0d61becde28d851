"""Who said it: attribute each claim to the speaker its sentence names.

News German marks attribution with a verb of saying next to a noun phrase:
"..., sagte ein US-Beamter", "Kellogg sagte am Samstag, ...", "so Uschakow",
"laut europäischen Beamten". This finds that noun phrase by position and
capitalisation; pronouns ("sagte er") resolve to a speaker named just before.
"""

from __future__ import annotations

import re

from . import lexicon
from .claim import Claim

TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")
QUOTES = set("„“”\"«»‚‘’'")
PRONOUNS = {"er", "sie", "he", "she", "they"}
# After a cue these mean the speaker came before it ("Kellogg sagte am Samstag").
SPEAKER_BEFORE = {
    "am", "auf", "in", "im", "bei", "nach", "vor", "dem", "den", "dass", "auch", "jedoch",
    "zudem", "außerdem", "gegenüber", "hinzu", "noch", "später", "heute", "gestern",
    "bereits", "weiter", "zuvor", "that", "on", "in", "at",
}
# Lower-case words that may start or join the speaker's noun phrase.
PHRASE_JOINERS = {"und", "sowie", "and"}
# Words that can start a second speaker after "und" ("zwei Beamte und der ehemalige ...").
DETERMINERS = {
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines", "einem", "einen",
    "zwei", "drei", "vier", "fünf", "mehrere", "einige", "andere", "weitere", "the", "a", "an", "two", "three",
}
AUXILIARIES = {"hat", "haben", "hatte", "hatten", "ist", "sind", "war", "waren", "wurde", "wurden", "has", "had"}
SUBORDINATORS = {"indem", "als", "weil", "dass", "wobei", "während", "nachdem", "wie", "wo", "ob"}
MAX_WORDS = 10


def _is_word(token: str) -> bool:
    return token[0].isalnum()


def _capitalised(token: str) -> bool:
    return token[0].isupper()


def _phrase_after(tokens: list[str], i: int) -> str | None:
    """The noun phrase starting at ``tokens[i]``: lower-case determiners and
    adjectives, then a run of capitalised words, optionally joined by 'und'."""
    if i < len(tokens) and tokens[i].lower() == "to":  # "according to"
        i += 1
    words: list[str] = []
    seen_noun = False
    while i < len(tokens):
        token = tokens[i]
        if token in QUOTES:
            i += 1
            continue
        if not _is_word(token):
            break
        if words and words[-1].lower() in PRONOUNS and not seen_noun:
            break
        if _capitalised(token):
            seen_noun = True
        elif seen_noun:
            following = tokens[i + 1] if i + 1 < len(tokens) else ""
            if token.lower() in PHRASE_JOINERS and following and (
                _capitalised(following) or following.lower() in DETERMINERS
            ):
                seen_noun = False
            else:
                break
        words.append(token)
        if len(words) > MAX_WORDS:
            return None
        i += 1
    if words and words[0].lower() in PRONOUNS:
        return words[0]
    return " ".join(words) if seen_noun or (words and words[-1].lower() in PRONOUNS) else None


def _phrase_before(tokens: list[str], cue: int) -> str | None:
    """The subject before a cue: the nearest short clause segment that ends in
    a noun or is a pronoun, preferring a name it stands in apposition to
    ("Dmitri Peskow, Putins Sprecher, sagte")."""
    segments: list[list[str]] = [[]]
    for token in tokens[:cue]:
        if token in {",", ":", ";"} or token in QUOTES:
            segments.append([])
        elif _is_word(token):
            segments[-1].append(token)
    while segments and not segments[-1]:
        segments.pop()
    accepted: list[tuple[int, list[str], bool]] = []  # (index, words, as written)
    for k, words in enumerate(segments):
        segment = words
        while segment and segment[0].lower() in SUBORDINATORS:
            segment = segment[1:]
        for j, token in enumerate(segment):
            if token.lower() in AUXILIARIES:
                segment = segment[:j]
                break
        if len(segment) == 1 and segment[0].lower() in PRONOUNS:
            accepted.append((k, segment, segment == words))
        elif segment and len(segment) <= MAX_WORDS and _capitalised(segment[-1]):
            accepted.append((k, segment, segment == words))
    if not accepted:
        return None
    k, segment, _ = accepted[-1]
    apposition = (
        k == len(segments) - 1 == 1
        and len(accepted) == 2
        and accepted[0][2]
        and segment[0].lower() not in PRONOUNS
    )
    return " ".join(accepted[0][1] if apposition else segment)


def find_speaker(text: str) -> str | None:
    found = find_attribution(text)
    return found[0] if found else None


# Verbs of naming (``speech_cues.txt``): what follows is what is named, a
# number or a verdict ("Die Polizei nannte eine Teilnehmerzahl ..."), so the
# speaker comes first.
NAMING = {"nannte", "nannten", "nennt"}
# Words that open a sentence with a phrase, not its subject: the finite verb
# comes second and its subject after it.
OPENERS = {"am", "im", "an", "in", "als", "nach", "bei", "vor", "seit", "zum", "zur", "auf", "aus", "mit", "für", "über",
           "unter", "laut", "gegen", "um", "ab", "bis", "trotz", "wegen", "während", "zuvor", "dann", "später", "damals",
           "heute", "gestern", "zudem", "außerdem", "dabei", "darin", "dafür", "hier", "dort", "so", "auch", "nun", "jetzt"}


def find_attribution(text: str) -> tuple[str, str] | None:
    """(speaker as written, cue as written) of the sentence's main attribution."""
    tokens = TOKEN.findall(text)
    found = attribution_in(tokens)
    return (found[0], tokens[found[1]]) if found else None


def attribution_in(tokens: list[str]) -> tuple[str, int] | None:
    """(speaker as written, index of the cue among ``tokens``) of the main
    attribution of a sentence's tokens (``TOKEN``), or None."""
    cues = lexicon.speech_cues()
    phrases = lexicon.phrase_cues()
    candidates = []
    for i, token in enumerate(tokens):
        low = token.lower()
        if low not in cues and not (low in phrases and _phrase_follows(tokens, i, phrases[low])):
            continue
        previous = tokens[i - 1] if i else ""
        if previous.lower() == "zu":  # "so weit zu sagen" is not an attribution
            continue
        if low == "so" and previous not in {","} | QUOTES:
            continue
        after_comma = previous == "," or previous in QUOTES
        candidates.append((after_comma, i))
    if not candidates:
        return None
    # A cue right after a quote or clause ("...“, sagte X") is the main attribution.
    inverted = [i for after_comma, i in candidates if after_comma]
    cue = inverted[-1] if inverted else candidates[0][1]
    following = tokens[cue + 1] if cue + 1 < len(tokens) else ""
    preceding = tokens[cue - 1].lower() if cue else ""
    if tokens[cue].lower() in {"so", "laut", "according"}:
        speaker = _phrase_after(tokens, cue + 1)
    elif tokens[cue].lower() not in cues or (tokens[cue].lower() in NAMING and (cue == 0 or tokens[0].lower() not in OPENERS)):
        # "X machte deutlich", "X nannte ...": the speaker comes first (not
        # after an opening phrase: "Am Abend nannte der Minister ...").
        speaker = _phrase_before(tokens, cue)
    elif (not following or not _is_word(following) or following[:1].isdigit() or following.lower() in SPEAKER_BEFORE
          or preceding in PRONOUNS):
        # (A number after the cue is what is said: "die Veranstalter sagen 12.000 Personen".)
        speaker = _phrase_before(tokens, cue)
    else:
        speaker = _phrase_after(tokens, cue + 1)
    speaker = _trimmed(speaker) if speaker else None
    return (speaker, cue) if speaker else None


# A speaker is a name or a role, never the rest of a clause (issue 44): words
# before its noun phrase that belong to the clause ("ehe auch die
# mazedonischen Behörden", "nun die Internet Watch Foundation") and a time
# after it ("... Behörden am Mittwochvormittag") are not part of it.
CLAUSE_WORDS = SUBORDINATORS | {
    "ehe", "bevor", "bis", "seit", "sodass", "damit", "nun", "jetzt", "auch", "dann", "da", "so", "doch", "aber",
    "und", "denn", "zuletzt", "zuvor", "inzwischen", "mittlerweile", "bereits", "schon", "erst", "noch", "immer",
    "wiederum", "ebenfalls", "zudem", "außerdem", "später", "damals", "heute", "gestern", "morgen", "nämlich",
    "allerdings", "jedoch", "hingegen", "indes", "wohl", "offenbar", "laut", "zufolge",
}
TIME = re.compile(
    r"(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag|Wochenende|Morgen|Vormittag|Mittag|Nachmittag|Abend|Nacht"
    r"|Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|\d)"
)
TIME_PREPOSITIONS = {"am", "im", "um", "seit", "bis", "gegen", "vom", "ab"}


def _trimmed(speaker: str) -> str | None:
    words = speaker.split()
    while len(words) > 1 and words[0].lower() in CLAUSE_WORDS and words[0] not in PRONOUNS:
        words = words[1:]
    for k in range(1, len(words) - 1):
        if words[k].lower() in TIME_PREPOSITIONS and TIME.match(words[k + 1]):
            words = words[:k]
            break
    if not words or not (_capitalised(words[-1]) or words[-1].lower() in PRONOUNS):
        return None
    return " ".join(words)


def _phrase_follows(tokens: list[str], i: int, rests: tuple[tuple[str, ...], ...]) -> bool:
    """Whether one of ``rests`` follows ``tokens[i]``, its first word at most
    two words on ("machte jedoch deutlich"), the rest right after it."""
    lower = [t.lower() for t in tokens[i + 1 : i + 3 + max(len(r) for r in rests)]]
    for rest in rests:
        for gap in (0, 1):
            if tuple(lower[gap : gap + len(rest)]) == rest:
                return True
    return False


def speaker_kind(speaker: str | None) -> str:
    """named | anonymous | outlet | none. An outlet is a medium the claim is
    cited from; anonymous is a speaker described, not named ("ein US-Beamter",
    "westliche Beamte", an unresolved "er")."""
    if not speaker:
        return "none"
    words = [w.strip("\"„“”'") for w in speaker.split()]
    lowered = [w.lower() for w in words]
    if any(outlet in " ".join(lowered) for outlet in lexicon.outlets()):
        return "outlet"
    if lowered[0] in PRONOUNS or lowered[0] in lexicon.indefinites():
        return "anonymous"
    roles = lexicon.anonymous_roles()
    capitalised = [w for w in words if w[:1].isupper()]
    head = capitalised[-1].lower().split("-")[-1] if capitalised else ""
    # A role with a name before it ("Missionsleiter Rubio" has its name last;
    # "Putins Sprecher" names whose) is named; "Der ehemalige russische Beamte" is not.
    names = [w for w in capitalised[:-1] if w.lower() not in DETERMINERS and not _adjective(w)]
    return "anonymous" if head in roles and not names else "named"


def _adjective(word: str) -> bool:
    # Capitalised only at the start of the sentence: "Westliche Beamte".
    return word.lower().endswith(("e", "en", "er", "es", "em"))


def attribute(claims: list[Claim], text: str | None = None, window: int = 3) -> None:
    """Set speaker, speaker_kind, cue and quote on each claim. Pronouns resolve
    to a speaker named in the same claim or in the few claims before it; the
    sentences of a quote that runs over several of them share its speaker, and
    so does a bare quote that follows its speaker's sentence in one paragraph
    of ``text``."""
    named: list[str] = []
    for k, claim in enumerate(claims):
        found = find_attribution(claim.text)
        speaker, cue = found if found else (None, None)
        if speaker and speaker.lower() in PRONOUNS:
            speaker = _resolve(claim, claims[max(0, k - window) : k], named) or speaker
        elif speaker:
            named.append(speaker)
        claim.speaker, claim.cue = speaker, cue
    for group in quote_groups([c.text for c in claims]):
        members = [claims[k] for k in group]
        source = next((c for c in reversed(members) if c.speaker), None)
        for claim in members:
            if source and not claim.speaker:
                claim.speaker, claim.cue = source.speaker, source.cue
            claim.quote = "direct"
    for previous, claim in zip(claims, claims[1:]):
        same_paragraph = text is not None and "\n" not in text[previous.end : claim.start]
        if same_paragraph and previous.speaker and not claim.speaker and _quoted(claim.text):
            claim.speaker, claim.cue, claim.quote = previous.speaker, previous.cue, "direct"
    _continue_after_colon(claims)
    for claim in claims:
        if claim.quote != "direct":
            claim.quote = "none" if not claim.speaker else ("direct" if _quoted(claim.text) else "indirect")
        claim.speaker_kind = speaker_kind(claim.speaker)


COLON_RUN = 5  # sentences a "..., fuhr er fort:" introduces at most


def _continue_after_colon(claims: list[Claim]) -> None:
    """A speaker's sentence ending in a colon introduces their words, quoted
    or set off as paragraphs: they are theirs until another speaker appears."""
    for k, claim in enumerate(claims):
        if not (claim.speaker and claim.text.rstrip().endswith(":")):
            continue
        for follower in claims[k + 1 : k + 1 + COLON_RUN]:
            if follower.speaker:
                break
            follower.speaker, follower.cue, follower.quote = claim.speaker, claim.cue, "direct"


OPENING = "„«‚"
CLOSING = "“”»‘"
QUOTED = re.compile(r"(^|:\s*)?[„«‚\"]([^“”»‘\"]+)[“”»‘\"]")
MIN_QUOTED_WORDS = 3  # fewer in quotes is a phrase the writer marks ("am Tisch"), not a quote


def _quoted(text: str) -> bool:
    """Whether the sentence reports words as said: a quote that opens it or
    follows a colon, or that is most of it. A few quoted words inside indirect
    speech ("die Gespräche seien „ein zweigleisiger Prozess“") are not."""
    total = max(1, len(lexicon.words(text)))
    for m in QUOTED.finditer(text.strip()):
        n = len(lexicon.words(m.group(2)))
        if n >= MIN_QUOTED_WORDS and (m.group(1) is not None or n / total >= 0.5):
            return True
    return False


def _depth_after(text: str, depth: int) -> int:
    for char in text:
        if char in OPENING:
            depth += 1
        elif char in CLOSING and depth:
            depth -= 1
        elif char == '"':
            depth = 0 if depth else 1
    return depth


def quote_groups(texts: list[str]) -> list[list[int]]:
    """Runs of consecutive sentences inside one quotation: a sentence that
    leaves a quote open continues into the next."""
    groups: list[list[int]] = []
    depth = 0
    for k, text in enumerate(texts):
        if depth and groups and groups[-1][-1] == k - 1:
            groups[-1].append(k)
        elif _depth_after(text, 0) > 0:
            groups.append([k])
        depth = _depth_after(text, depth)
    return [g for g in groups if len(g) > 1]


def _resolve(claim: Claim, before: list[Claim], named: list[str]) -> str | None:
    # A speaker already named in the article whose last word appears in this
    # claim or just before it is the likeliest referent ("Rubio ..., indem er sagte").
    context = " ".join(c.text for c in before) + " " + claim.text
    for speaker in reversed(named):
        head = speaker.split()[-1]
        if _capitalised(head) and re.search(rf"\b{re.escape(head)}\b", context):
            return speaker
    for previous in reversed(before):
        if previous.speaker and previous.speaker.lower() not in PRONOUNS:
            return previous.speaker
    return None
