"""Sides: conflicts and agreements derived from what sources answer one point.

Most conflicts a reader finds between reports are two claims answering one
point oppositely ("will the Europeans be at the table?": one report yes,
another no). So once every relevant claim of a story has a side on each of
its points (``ask.py``, by the stance model), two voices on opposite
confident sides make one conflict, between their most confident claims on
each side, and two on the same side one agreement. A voice is an outlet
(``articles.source``), and inside one outlet each named speaker.

Found or candidate (issue 44): a pair is *found* (``found``) when both its
sides are a reader's (confirmed, or carried from a review to the same
statement); every pair of such claims of distinct voices is kept, not only
each voice's surest. A pair the machine alone derives is found only where
its measured precision reaches 0.8 (``machine``: the P(side) from which it
does; None, as measured so far, means never) and is otherwise a candidate.

One row per pair of claims, in ``claim_pairs`` with the point it comes from
(``point``): a reader's review first (``Store.apply_reviews`` runs after),
then a verdict from sides, then the pairwise judge's cue. A reader's stance
review changes the answers, and so the sides, at the next build.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from ..text import quantities

CONFIDENT = 0.5  # P(side) at which a claim's stance counts as a side, unless the stance model fitted its own
# The P(side) from which two sides the machine alone gives make a found
# conflict or agreement: where its precision was measured at least 0.8 on the
# developers' stories and the seeds (``benchmarks/found_precision.py``). None:
# at no threshold did it, so the stance model's sides find nothing on their own; its pairs
# are candidates for a reader.
MACHINE: float | None = None
# Two sides read by value (``quantities``: a number of the same thing, of the
# same kind) on a user's question make a found pair by their values alone: one
# value agrees, two conflict, whatever each says to the point (the police's
# 10,000 and the organisers' 12,000 both say no to 15,000, and conflict).
# Measured on the developers' stories: ``benchmarks/found_precision.py``. On
# an automatic point (one article's claim, which names no event a reader
# chose) only one value is found, an agreement (riesa-protest's two-hour
# delay in two reports); two values stay a candidate: Weidel's 20 minutes
# late against the conference's two hours are two delays of two things
# (and on GNAD, before stories were grouped by event, two attacks' counts).
BY_VALUE = True
AGREEING_VOICES = 4  # per side of a point: agreements among its most confident voices only


@dataclass(frozen=True)
class Side:
    point: str
    proposition: str
    story: int | None
    claim: int
    source: str | None
    speaker: str | None
    stance: str  # yes | no
    score: float
    confirmed: bool  # a reader's review
    text: str | None = None  # the claim's, when its number may be compared (``quantities``)
    asked: bool = True  # the point is a user's question (not an automatic point)


def by_value(side: Side) -> bool:
    """Whether the side is read from the claim's number against the point's."""
    return bool(side.text) and quantities.compare(side.proposition, side.text) is not None


ARTICLES = ("der ", "die ", "das ", "den ", "dem ", "des ", "ein ", "eine ", "einer ", "the ")


def voice(side: Side) -> tuple[str, str]:
    """(outlet, speaker): the speaker without case or a leading article, so that
    "Die Polizei" and "Polizei", "die Veranstalter" and "der Veranstalter" are one voice."""
    speaker = " ".join((side.speaker or "").lower().split())
    for article in ARTICLES:
        if speaker.startswith(article):
            speaker = speaker[len(article):]
            break
    return (side.source or "", speaker)


def distinct(a: Side, b: Side) -> bool:
    """Whether two sides are two voices: two outlets, or two named speakers of one."""
    if (a.source or "") != (b.source or ""):
        return True
    return bool(a.speaker and b.speaker and voice(a)[1] != voice(b)[1])


def kind(a: Side, b: Side) -> str | None:
    """``reports`` when two outlets report one person differently, ``dispute``
    between two speakers; None when a side has no named speaker."""
    if not (a.speaker and b.speaker):
        return None
    if voice(a)[1] == voice(b)[1]:
        return "reports" if (a.source or "") != (b.source or "") else "self"
    return "dispute"


def _who(side: Side) -> str:
    source = side.source or "unnamed source"
    return f"{source} ({side.speaker})" if side.speaker else source


def derive(sides: list[Side], confident: float = CONFIDENT, order: dict[int, int] | None = None,
           machine: float | None = None) -> list[dict]:
    """``claim_pairs`` rows of the conflicts and agreements that ``sides``
    imply; a side counts from P(side) ``confident`` (the stance model's
    fitted one: its yes and no are right three times in four there).
    ``order``: claim id -> rank by article path and position; ties go by it,
    and ``claim_a`` is the claim first in it, so that nothing depends on which
    build stored which claim (ids). ``machine``: the P(side) from which two
    sides the machine alone gives make a found pair (None: never)."""
    order = order or {}
    rank = lambda s: (order.get(s.claim, s.claim), s.claim)  # noqa: E731
    by_point: dict[tuple[str, int | None], list[Side]] = {}
    for s in sides:
        if s.stance in ("yes", "no") and (s.confirmed or s.score >= confident):
            by_point.setdefault((s.point, s.story), []).append(s)
    rows: dict[tuple[int, int], dict] = {}
    for (point, _), found in sorted(by_point.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        # Every side a reader gave, and of each voice with none on a side its surest there.
        best: dict[tuple[tuple[str, str], str], Side] = {}
        for s in sorted(found, key=lambda s: (not s.confirmed, -s.score, rank(s))):
            best.setdefault((voice(s), s.stance), s)
        chosen = sorted({s for s in found if s.confirmed} | set(best.values()), key=lambda s: (not s.confirmed, -s.score, rank(s)))
        agreeing = {stance: [s for s in chosen if s.stance == stance][:AGREEING_VOICES] for stance in ("yes", "no")}
        valued = [s for s in found if by_value(s)] if BY_VALUE else []
        chosen = sorted(set(chosen) | set(valued), key=lambda s: (not s.confirmed, -s.score, rank(s)))
        for a, b in combinations(chosen, 2):
            if a.claim == b.claim or not distinct(a, b):
                continue
            relation = "conflict" if a.stance != b.stance else "agree"
            by_reader = a.confirmed and b.confirmed
            same = None if by_reader or not (a in valued and b in valued) else quantities.same_value(a.proposition, a.text, b.text)
            if same is None and a in valued and b in valued and not by_reader and (
                    quantities.so_far(a.proposition, a.text) or quantities.so_far(b.proposition, b.text)):
                continue  # a count as of then against another: a later total may differ without a conflict
            if same is not None:
                relation = "agree" if same else "conflict"
            elif relation == "agree" and not by_reader and not (a in agreeing[a.stance] and b in agreeing[b.stance]):
                continue
            elif not by_reader and not all(s.confirmed or best.get((voice(s), s.stance)) == s for s in (a, b)):
                continue  # the machine's pairs: each voice's surest claim on each side only
            first, second = sorted((a, b), key=rank)
            reason = (f"on «{first.proposition}»: {_who(first)} says {first.stance} ({_sure(first)}), "
                      f"{_who(second)} says {second.stance} ({_sure(second)})")
            if same is not None:
                reason = f"on «{first.proposition}»: {_who(first)} and {_who(second)} give {'one value' if same else 'different values'}"
            row = {
                "claim_a": first.claim, "claim_b": second.claim, "relation": relation,
                "score": round(min(a.score, b.score), 3), "reason": reason,
                "kind": kind(a, b) if relation == "conflict" else None, "judge": "sides",
                "judged_relation": relation, "judged_by": "sides", "status": "proposed", "point": point,
                "found": "reader sides" if by_reader else ("machine" if (same is True or (same is False and a.asked)) or (machine is not None and min(a.score, b.score) >= machine) else None),
            }
            key = (first.claim, second.claim)
            kept = rows.get(key)
            # One row per pair: one on a user's question (what the reader
            # asked, over an automatic point the same claims answer), then a
            # conflict over an agreement, then the surer, then by the point's
            # proposition (not its id, which names a story id).
            if kept is None or _strength(row, first.proposition, a.asked) > _strength(kept, kept["_proposition"], kept["_asked"]):
                rows[key] = {**row, "_proposition": first.proposition, "_asked": a.asked}
    ranked = sorted(rows, key=lambda k: (order.get(k[0], k[0]), order.get(k[1], k[1]), k))
    return [{k: v for k, v in rows[key].items() if k not in ("_proposition", "_asked")} for key in ranked]


def _sure(side: Side) -> str:
    return "a reader's side" if side.confirmed else f"P {side.score:.2f}"


def _strength(row: dict, proposition: str, asked: bool) -> tuple:
    return (row["found"] is not None, asked, row["relation"] == "conflict", row["score"], proposition)


def contested(sides: list[Side], confident: float = CONFIDENT) -> set[str]:
    """The points on which confident sides of two voices of one story stand
    opposite (before a pair of claims is kept for one point only)."""
    by_point: dict[tuple, list[Side]] = {}
    for s in sides:
        if s.stance in ("yes", "no") and (s.confirmed or s.score >= confident):
            by_point.setdefault((s.point, s.story), []).append(s)
    return {point for (point, _), group in by_point.items()
            if any(a.stance != b.stance and distinct(a, b) for a, b in combinations(group, 2))}


def apply(store, confident: float = CONFIDENT, order: dict[int, int] | None = None, stories=None,
          machine: float | None = None) -> int:
    """Derive the stored points' conflicts and agreements into ``claim_pairs``
    (of ``stories``' claims; default: all), and mark the contested points; how many rows."""
    if stories is not None:
        order = store.claim_order(stories)  # ties go by the order of these stories' claims among themselves
    found = [Side(*row) for row in store.point_sides(stories)]
    rows = derive(found, confident, order, machine)
    store.save_sides(rows, contested(found, confident), stories)
    return len(rows)
