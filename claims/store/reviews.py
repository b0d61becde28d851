"""Reviews as labelled pairs: what readers decided (``reviews`` table,
``store.Store.add_review``) in the form ``claims eval`` and ``claims
calibrate`` read, so that the judge learns from them.

A pair review is the two claims' texts with the reader's relation; a stance
review is the claim against the point's proposition, its stance read as a
relation as Wahl-O-Mat's answers are (yes = agree, no = conflict, unclear =
related). Of several reviews of one pair or stance the latest holds.
"""

from __future__ import annotations

from pathlib import Path

from . import Store

STANCE_RELATION = {"yes": "agree", "no": "conflict", "unclear": "related"}


def review_key(kind: str, text_a: str, text_b: str | None = None, question: str | None = None) -> tuple:
    """What one review is about: a pair in either order, or a claim's stance on one point."""
    return ("pair", *sorted((text_a, text_b or ""))) if kind == "pair" else ("stance", text_a, question)


def labelled_pairs(store: Store) -> list[tuple[str, str, str]]:
    """(text_a, text_b, relation) of every review, the latest of each pair or stance."""
    latest: dict[tuple, tuple[str, str, str]] = {}
    for r in store.reviews():
        if r["kind"] == "pair" and r["text_a"] and r["text_b"] and r["value"] in STANCE_RELATION.values():
            latest[review_key("pair", r["text_a"], r["text_b"])] = (r["text_a"], r["text_b"], r["value"])
        elif r["kind"] == "stance" and r["text_a"] and r["question"] and r["value"] in STANCE_RELATION:
            latest[review_key("stance", r["text_a"], question=r["question"])] = (r["question"], r["text_a"], STANCE_RELATION[r["value"]])
    return list(latest.values())


def export(store: Store, path: str | Path) -> int:
    """Write the reviews as a pairs file (``text_a<TAB>text_b<TAB>label``); how many."""
    rows = labelled_pairs(store)
    # Tabs and line breaks inside a claim become spaces: the format is one pair a line, unquoted.
    lines = (f"{' '.join(a.split())}\t{' '.join(b.split())}\t{label}\n" for a, b, label in rows)
    Path(path).write_text("".join(lines), encoding="utf-8")
    return len(rows)
