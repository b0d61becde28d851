"""Reviews as labelled pairs: what readers decided (``reviews`` table,
``store.Store.add_review``) in the form ``claims eval`` and ``claims
calibrate`` read, so that the judge learns from them.

A pair review is the two claims' texts with the reader's relation; a stance
review is the claim against the point's proposition, its stance read as a
relation as Wahl-O-Mat's answers are (yes = agree, no = conflict, unclear =
related). Of several reviews of one pair or stance the latest holds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np

from ..text import statements
from .vectors import from_blob

# What a reader can say of a pair and of a claim's stance on a point.
REVIEW_VALUES = {"pair": ("agree", "related", "conflict"), "stance": ("yes", "no", "unclear")}
STANCE_RELATION = {"yes": "agree", "no": "conflict", "unclear": "related"}

# A reader's side on a point moves the point's claims alike to the reviewed
# one (issue 44: one click settles more than one claim). Alike: claim vectors
# this close (cosine), the same numbers and as many negations
# (``statements.comparable``). Measured (two claims alike on one point: how
# often they take the same side; ``benchmarks/alike_sides.py``): Wahl-O-Mat
# dev, 400 theses' party justifications, from 0.7 0.67 (464 pairs), from 0.75
# 0.73 (112), from 0.8 0.83 (36), from 0.85 1.0 (24); the developers' stories'
# golds 6 of 6 from 0.8 (10 of 10 from 0.75, 14 of 16 from 0.7).
ALIKE = 0.8
# The score of a side taken from alike claims: that measured precision. It is
# more than the stance model's (accuracy 0.6), so the reader's side outweighs
# the model's; the side stays a proposal (a candidate) for the reader to confirm.
ALIKE_SCORE = 0.83


def sides_imply(reader_sides: bool = False) -> str:
    """SQL on a ``claim_pairs`` row: its two claims' sides on its point are
    yes or no and imply its relation (alike: agree; opposite: conflict);
    ``reader_sides``: both sides a reader's (confirmed, or carried)."""
    readers = "and x.status in ('confirmed', 'carried') and y.status in ('confirmed', 'carried')" if reader_sides else ""
    return f"""exists (select 1 from answers x join answers y on y.question_id = x.question_id
                       where x.question_id = claim_pairs.point and x.claim_id = claim_pairs.claim_a and y.claim_id = claim_pairs.claim_b
                         {readers} and x.stance in ('yes', 'no') and y.stance in ('yes', 'no')
                         and (x.stance = y.stance) = (claim_pairs.relation = 'agree'))"""


@dataclasses.dataclass(frozen=True)
class About:
    """Who gave a review and why: the keywords of ``add_review`` besides what it decides."""

    note: str | None = None  # the reader's reason, shown beside the review
    actor: str | None = None  # who decided (a name, "simulated reader"); None: not said


def review_key(kind: str, text_a: str, text_b: str | None = None, question: str | None = None) -> tuple:
    """What one review is about: a pair in either order, or a claim's stance on one point."""
    return ("pair", *sorted((text_a, text_b or ""))) if kind == "pair" else ("stance", text_a, question)


def labelled_pairs(store) -> list[tuple[str, str, str]]:
    """(text_a, text_b, relation) of every review, the latest of each pair or stance."""
    latest: dict[tuple, tuple[str, str, str]] = {}
    for r in store.reviews():
        if r["kind"] == "pair" and r["text_a"] and r["text_b"] and r["value"] in STANCE_RELATION.values():
            latest[review_key("pair", r["text_a"], r["text_b"])] = (r["text_a"], r["text_b"], r["value"])
        elif r["kind"] == "stance" and r["text_a"] and r["question"] and r["value"] in STANCE_RELATION:
            latest[review_key("stance", r["text_a"], question=r["question"])] = (r["question"], r["text_a"], STANCE_RELATION[r["value"]])
    return list(latest.values())


def export(store, path: str | Path) -> int:
    """Write the reviews as a pairs file (``text_a<TAB>text_b<TAB>label``); how many."""
    rows = labelled_pairs(store)
    # Tabs and line breaks inside a claim become spaces: the format is one pair a line, unquoted.
    lines = (f"{' '.join(a.split())}\t{' '.join(b.split())}\t{label}\n" for a, b, label in rows)
    Path(path).write_text("".join(lines), encoding="utf-8")
    return len(rows)


class Reviews:
    """The ``Store``'s methods for readers' reviews (a mixin of ``store.Store``)."""

    # Reviews ---------------------------------------------------------------

    def add_review(self, kind: str, value: str, text_a: str, text_b: str | None = None, question: str | None = None,
                   **about: str | None) -> int:
        """Keep what a reader decided and show it at once: a pair's relation
        (``kind`` 'pair', the two claims' texts) or a claim's stance on a point
        (``kind`` 'stance', the claim's text and the point's proposition). The
        latest review of a pair or a stance is the one that holds. Articles are
        untouched, so a build does not start over: it applies the reviews again
        as it writes, and the points it proposes follow the reviewed conflicts.
        ``about``: ``note`` and ``actor``, the fields of ``About``."""
        if kind not in REVIEW_VALUES or value not in REVIEW_VALUES[kind]:
            raise ValueError(f"a {kind} review is one of {', '.join(REVIEW_VALUES.get(kind, ()))}, not {value!r}")
        unknown = sorted(set(about) - {f.name for f in dataclasses.fields(About)})
        if unknown:
            raise TypeError(f"add_review() got an unexpected keyword argument {unknown[0]!r}")
        by = About(**about)
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self.atomic():
            review_id = self.db["reviews"].insert({
                "kind": kind, "text_a": text_a, "text_b": text_b, "question": question, "value": value,
                "note": by.note or None, "at": now, "actor": by.actor,
            }).last_pk
            self.apply_reviews()
            if kind == "pair":
                # The points proposed from a story's conflicts are made again by the next build.
                self.save_config(derived="0")
        return review_id

    def remove_reviews(self, kind: str, text_a: str, text_b: str | None = None, question: str | None = None) -> int:
        """Undo: the reviews of one pair (in either order) or one stance go, and
        the judge's verdict shows again; how many went."""
        with self.atomic():
            if kind == "pair":
                gone = self.db.execute(
                    "delete from reviews where kind = 'pair' and ((text_a = ? and text_b = ?) or (text_a = ? and text_b = ?))",
                    [text_a, text_b, text_b, text_a],
                ).rowcount
            else:
                gone = self.db.execute("delete from reviews where kind = 'stance' and text_a = ? and question = ?", [text_a, question]).rowcount
            self.apply_reviews()
            if gone and kind == "pair":
                self.save_config(derived="0")
        return gone

    def apply_reviews(self) -> None:
        """Show the reviews' values in ``claim_pairs`` and ``answers``
        (``judge`` 'reader', ``status`` 'confirmed'), the judge's own kept in
        ``judged_relation`` / ``judged_stance``; a verdict whose review is gone
        shows the judge's again. A review matches claims by their text (or what
        they assert, ``content``), so it outlives ids, rebuilds and models."""
        self.db.execute("update claim_pairs set relation = judged_relation, judge = judged_by, status = 'proposed' where status = 'confirmed'")
        self.db.execute("update answers set stance = judged_stance, judge = judged_by, score = coalesce(judged_score, score), "
                        "judged_score = null, status = 'proposed', carried = null where status in ('confirmed', 'carried') or judge = 'alike'")
        rows = self.db.execute(
            "select kind, text_a, text_b, question, value, id from reviews where kind in ('pair', 'stance') order by id"
        ).fetchall()
        if not rows:
            self._unfind()
            return
        texts = {t for _, a, b, _, _, _ in rows for t in (a, b) if t is not None}
        ids_of: dict[str, set[int]] = {}
        for claim_id, text, content in self.db.execute(
            """select id, text, content from claims where text in (select value from json_each(:t))
               or content in (select value from json_each(:t))""", {"t": json.dumps(sorted(texts), ensure_ascii=False)},
        ):
            for t in {text, content} & texts:
                ids_of.setdefault(t, set()).add(claim_id)
        pair_value: dict[tuple[int, int], str] = {}
        stance_value: dict[tuple[str, int], str] = {}
        review_of: dict[tuple[str, int], int] = {}
        reviewed_text = {review_id: a for _, a, _, _, _, review_id in rows}
        questions: dict[str, list[str]] = {}
        for proposition, question_id in self.db.execute("select proposition, id from questions union all select question, id from questions"):
            questions.setdefault(proposition, []).append(question_id)
        on_point: set[tuple[str, int, int]] = set()
        pair_review: dict[tuple[int, int], int] = {}
        for kind, a, b, question, value, review_id in rows:  # in id order: the latest review holds
            if kind == "pair":
                for x in ids_of.get(a, ()):
                    for y in ids_of.get(b, ()):
                        pair_value[(x, y)] = pair_value[(y, x)] = value
                        pair_review[(x, y)] = pair_review[(y, x)] = review_id
                        for question_id in questions.get(question, ()) if question else ():
                            on_point.add((question_id, *sorted((x, y))))
            else:
                for question_id in questions.get(question, ()):
                    for x in ids_of.get(a, ()):
                        stance_value[(question_id, x)] = value
                        review_of[(question_id, x)] = review_id
        if pair_value:
            self.db.conn.executemany(
                "update claim_pairs set relation = ?, judge = 'reader', status = 'confirmed' where claim_a = ? and claim_b = ?",
                [(v, x, y) for (x, y), v in pair_value.items()],
            )
        if stance_value:
            self.db.conn.executemany(
                "update answers set stance = ?, judge = 'reader', status = 'confirmed' where question_id = ? and claim_id = ?",
                [(v, q, c) for (q, c), v in stance_value.items()],
            )
            carried = self._carry(stance_value, review_of, reviewed_text)
            self._alike({**{k: (v, review_of[k]) for k, v in stance_value.items()}, **carried}, reviewed_text)
        if on_point:
            self._sides_of_pairs(on_point, {k: (v, pair_review[k]) for k, v in pair_value.items()}, stance_value)
        self._unfind()

    def _unfind(self) -> None:
        """A pair found from two readers' sides stays found only while both
        sides are: an undone or changed stance review takes it back to a
        candidate at once (the next build derives the point's pairs again)."""
        self.db.execute(f"update claim_pairs set found = null where found = 'reader sides' and not {sides_imply(reader_sides=True)}")

    def _sides_of_pairs(self, on_point: set[tuple[str, int, int]], latest: dict[tuple[int, int], tuple[str, int]],
                        stance_value: dict[tuple[str, int], str]) -> None:
        """A reader's relation on a pair of a point's answers (a pair review
        that names the point: the queue's pairs derived from sides), one side
        sure (a reader's, or read by value: "numbers: ...") and the other the
        machine's proposal, says the other's side too: agree, the sure side's;
        conflict, the other one; related, it answers nothing (issue 46: a claim
        that names nothing of "rund 15.000 Menschen", read as yes, made a pair
        with every count, and each click settled one). Status 'carried',
        ``carried`` naming the review; the claim's pairs derived on the point
        that its new side contradicts go at once (the next build derives the
        point's pairs again). A reader's own side on the claim wins; the
        pair's latest review holds (``latest``: (claim, claim) -> (relation,
        review)), whether it names the point or not. ``on_point``: (point,
        claim, claim) of the pairs' reviews that name a point."""
        side: dict[tuple[str, int], tuple] = {}
        for question_id, claim_id, stance, status, reason, text in self.db.execute(
            """select s.question_id, s.claim_id, s.stance, coalesce(s.status, 'proposed'), coalesce(s.reason, ''), c.text
               from answers s join claims c on c.id = s.claim_id
               where s.question_id in (select value from json_each(?)) and s.claim_id in (select value from json_each(?))""",
            [json.dumps(sorted({q for q, _, _ in on_point})), json.dumps(sorted({c for _, *pair in on_point for c in pair}))]):
            side[(question_id, claim_id)] = (stance, status, reason, text)
        implied: dict[tuple[str, int], tuple[str, str]] = {}
        for point, a, b in sorted(on_point, key=lambda k: (latest[(k[1], k[2])][1], k)):  # of two pairs' reviews, the later holds
            value, review = latest[(a, b)]
            if (point, a) not in side or (point, b) not in side:
                continue
            sure = [c for c in (a, b) if side[(point, c)][0] in ("yes", "no")
                    and (side[(point, c)][1] in ("confirmed", "carried") or side[(point, c)][2].startswith("numbers:"))]
            if len(sure) != 1:
                continue  # two proposals (which one is wrong?), or two sure sides
            [s] = sure
            other = b if s == a else a
            if (point, other) in stance_value or side[(point, other)][1] != "proposed":
                continue
            given = side[(point, s)][0]
            stance = given if value == "agree" else ({"yes": "no", "no": "yes"}[given] if value == "conflict" else "unclear")
            implied[(point, other)] = (stance, f"from review {review}: a reader said {value} of the pair with «{side[(point, s)][3]}» ({given})")
        self.db.conn.executemany(
            "update answers set stance = ?, judge = 'reader', status = 'carried', carried = ? where question_id = ? and claim_id = ?",
            [(stance, why, q, c) for (q, c), (stance, why) in implied.items()])
        # (A build runs this after it derives the pairs again: those the new side made stay.)
        for point, claim in implied:
            self.restore_pairs(f"point = ? and ? in (claim_a, claim_b) and coalesce(status, 'proposed') = 'proposed' and not {sides_imply()}",
                               [point, claim])

    def _carry(self, stance_value: dict[tuple[str, int], str], review_of: dict[tuple[str, int], int],
               reviewed_text: dict[int, str]) -> dict[tuple[str, int], tuple[str, int]]:
        """A reader's side on a point carries to the same statement in the
        other reports that answer it (``text/statements.py``): status
        'carried', ``carried`` naming the review; a reader's own review of
        that claim wins, and of two reviews that carry to one claim the later."""
        questions = sorted({q for q, _ in stance_value})
        answering: dict[str, list[tuple]] = {}
        for row in self.db.execute(
            """select s.question_id, c.id, c.text, c.speaker, c.article_id from answers s join claims c on c.id = s.claim_id
               where s.question_id in (select value from json_each(?)) order by s.question_id, c.id""", [json.dumps(questions)]
        ):
            answering.setdefault(row[0], []).append(row[1:])
        carried: dict[tuple[str, int], tuple[str, str, int]] = {}
        for (question_id, x), value in sorted(stance_value.items(), key=lambda item: review_of[item[0]]):
            mine = next((r for r in answering.get(question_id, ()) if r[0] == x), None)
            if mine is None:
                continue
            for y, text, speaker, article in answering[question_id]:
                if (question_id, y) in stance_value or article == mine[3]:
                    continue
                if statements.same(mine[1], text, mine[2], speaker):
                    review = review_of[(question_id, x)]
                    why = f"carried from review {review}: a reader said {value} of the same statement, «{reviewed_text[review]}»"
                    carried[(question_id, y)] = (value, why, review)
        if carried:
            self.db.conn.executemany(
                "update answers set stance = ?, judge = 'reader', status = 'carried', carried = ? where question_id = ? and claim_id = ?",
                [(value, why, q, c) for (q, c), (value, why, _) in carried.items()],
            )
        return {key: (value, review) for key, (value, _, review) in carried.items()}

    def _alike(self, settled: dict[tuple[str, int], tuple[str, int]], reviewed_text: dict[int, str]) -> None:
        """A point's claims alike to claims a reader settled on it (``ALIKE``)
        take the side the reader gave, weighed by closeness: ``judge`` 'alike',
        ``carried`` naming the review, the model's score kept in
        ``judged_score``. Still proposals: the queue asks about them, and one
        a reader says answers nothing moves the claims like it down the queue
        (on an automatic point, whose candidates are its sides, out of it).
        ``settled``: (question, claim) -> (side, review) of the confirmed and
        carried sides."""
        model = self.config().get("model")
        questions = sorted({q for q, _ in settled})
        if not model or not questions:
            return
        members: dict[str, list[tuple]] = {}
        for question_id, claim_id, text, blob, status, stance, reason in self.db.execute(
            """select s.question_id, s.claim_id, coalesce(c.content, c.text), e.vector, s.status, s.stance, coalesce(s.reason, '')
               from answers s join claims c on c.id = s.claim_id join embeddings e on e.claim_id = c.id and e.model = ?
               where s.question_id in (select value from json_each(?)) order by s.question_id, s.claim_id""",
            [model, json.dumps(questions)],
        ):
            members.setdefault(question_id, []).append((claim_id, text, from_blob(blob), status, stance, reason))
        moved = []
        for question_id, rows in members.items():
            examples = [(text, vector, *settled[(question_id, claim_id)]) for claim_id, text, vector, *_ in rows if (question_id, claim_id) in settled]
            if not examples:
                continue
            closeness = np.stack([vector for _, vector, _, _ in examples])
            for claim_id, text, vector, status, stance, reason in rows:
                # A side read by value is the machine's surest; a reader's own stands.
                if status != "proposed" or reason.startswith("numbers:"):
                    continue
                weight: dict[str, float] = {}
                nearest: dict[str, tuple[float, int]] = {}
                for (example, _, value, review), similarity in zip(examples, closeness @ vector):
                    if similarity >= ALIKE and statements.comparable(example, text):
                        weight[value] = weight.get(value, 0.0) + float(similarity)
                        nearest[value] = max(nearest.get(value, (0.0, 0)), (float(similarity), review))
                if not weight:
                    continue
                ranked = sorted(weight.items(), key=lambda item: (-item[1], item[0]))
                value = ranked[0][0]
                if value == stance or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
                    continue
                similarity, review = nearest[value]
                why = f"like review {review}: a reader said {value} of «{reviewed_text[review]}» (similarity {similarity:.2f})"
                moved.append((value, ALIKE_SCORE, why, question_id, claim_id))
        self.db.conn.executemany(
            "update answers set judged_score = score, stance = ?, score = ?, judge = 'alike', carried = ? where question_id = ? and claim_id = ?",
            moved,
        )

    def review_mark(self) -> str:
        """What changes whenever a review is written or undone, with SQL too
        (``config.reviewed`` keeps it as of the last complete build)."""
        count, last, total = self.db.execute("select count(*), max(id), total(id) from reviews").fetchone()
        return f"{count}:{last or 0}:{int(total)}"

    def reviews(self) -> list[dict]:
        return list(self.db.query("select * from reviews order by id"))
