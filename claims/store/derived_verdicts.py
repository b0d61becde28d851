"""What is derived from the stored claims as verdicts: the matched pairs and
the judges' verdicts of them (with the pairwise judge's cues under the
verdicts from sides), the features the judge reads of each claim, the model
judges' verdict cache, and the answers to the user's questions and the
proposed points with their sides; the ``Store``'s methods for them
(``Verdicts``, a mixin of ``store.Store`` through ``derived.Derived``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Iterable

from .derived_stories import in_stories

if TYPE_CHECKING:
    from ..judging.registry import Verdict


class Verdicts:
    # Pairs ---------------------------------------------------------------

    def story_conflicts(self, stories: Iterable[int] | None = None) -> dict[int, list[tuple[int, int, str, str, float]]]:
        """Story id -> (claim_a, claim_b, content_a, content_b, score) of the
        conflicts between claims of that story, strongest first. One query:
        one a story cost GNAD's 900 stories a second."""
        found: dict[int, list] = {}
        for story_id, *row in self.db.execute(
            """select aa.story_id, p.claim_a, p.claim_b, coalesce(a.content, a.text), coalesce(b.content, b.text), p.score
               from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
               join articles aa on aa.id = a.article_id
               """ + (in_stories(stories, "aa")[0] or "where 1") + """ and p.relation = 'conflict'
               order by aa.story_id, p.score desc, p.claim_a, p.claim_b""", in_stories(stories, "aa")[1]
        ):
            found.setdefault(story_id, []).append(tuple(row))
        return found

    def article_sources(self) -> dict[int, str | None]:
        """article id -> its outlet (``articles.source``)."""
        return dict(self.db.execute("select id, source from articles"))

    def story_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute("select id from stories order by id")]

    # Features -------------------------------------------------------------

    def features(self, version: str, texts: Iterable[str] | None = None) -> dict[str, str]:
        """Claim text -> its stored features (JSON, ``features.dumps``) of
        this ``version``, for the stored claims' texts (of ``texts``)."""
        if texts is not None:
            return dict(self.db.execute(
                "select text, features from claim_features where version = ? and text in (select value from json_each(?))",
                [version, json.dumps(sorted(set(texts)), ensure_ascii=False)]))
        return dict(self.db.execute(
            """select text, features from claim_features where version = ?
               and text in (select coalesce(content, text) from claims)""", [version]))

    def keep_features(self, version: str, found: dict[str, str]) -> None:
        """Store the features ``found`` (text -> JSON)."""
        self.db["claim_features"].upsert_all(({"text": t, "version": version, "features": f} for t, f in found.items()), pk="text")

    def forget_features(self, texts: list[str]) -> None:
        """Forget the features of those of ``texts`` no claim has any more
        (claims go only with their article, ``Store.remove_article``). Of
        those texts only, through the index on what claims assert: a sweep
        of every kept feature cost an add to a db of 10,000 articles 0.16 s."""
        gone = json.dumps(texts, ensure_ascii=False)
        self.db.execute(
            """delete from claim_features where text in (select value from json_each(?)) and text not in
               (select coalesce(content, text) from claims where coalesce(content, text) in (select value from json_each(?)))""",
            [gone, gone])

    def clear_pairs(self, stories: Iterable[int] | None = None) -> None:
        """Forget the pairs of ``stories``' claims (None: every pair)."""
        if stories is None:
            self.db.execute("delete from claim_pairs")
            return
        where, params = in_stories(stories)
        claims = f"select c.id from claims c join articles a on a.id = c.article_id {where}"
        self.db.execute(f"delete from claim_pairs where claim_a in ({claims}) or claim_b in ({claims})", params + params)

    def save_pairs(self, pairs, verdicts) -> None:
        """Matched pairs (``match.Match``) with their verdicts (``judge.Verdict``)."""
        self.db["claim_pairs"].upsert_all(
            (
                {
                    "claim_a": p.a, "claim_b": p.b, "similarity": p.similarity, "overlap": p.overlap,
                    "shared": ", ".join(v.shared) or None,
                    "relation": v.relation, "score": v.score, "reason": v.reason, "kind": v.kind, "judge": v.judge,
                    "judged_relation": v.relation, "judged_by": v.judge, "status": "proposed",
                }
                for p, v in zip(pairs, verdicts)
                if v is not None  # a pair its judge could not judge waits for the next build
            ),
            pk=("claim_a", "claim_b"),
        )

    def point_sides(self, stories: Iterable[int] | None = None) -> list[tuple]:
        """(point, proposition, story, claim, source, speaker, stance, score,
        confirmed, text, asked) of every yes or no answer, for ``pipeline/sides.py``
        (``asked``: the point is a user's question, whose numbers decide
        conflicts by value as well as agreements); the
        story is the claim's (a question asked of the whole db has answers in
        many stories; sides are compared within one)."""
        return self.db.execute(
            """select s.question_id, q.proposition, ar.story_id, s.claim_id, ar.source, c.speaker, s.stance,
                      case when s.status in ('confirmed', 'carried') then 1.0 else s.score end,
                      coalesce(s.status in ('confirmed', 'carried'), 0),
                      c.text, coalesce(q.origin, 'user') = 'user'
               from answers s join questions q on q.id = s.question_id join claims c on c.id = s.claim_id
               join articles ar on ar.id = c.article_id
               """ + (in_stories(stories, "ar")[0] or "where 1") + """ and s.stance in ('yes', 'no')
               order by s.question_id, s.claim_id""", in_stories(stories, "ar")[1]
        ).fetchall()

    def answer_stories(self, origin: str = "user") -> set[int]:
        """The stories of the claims that take a side on questions of
        ``origin``, and of the conflicts, agreements and reported changes
        that name such a question: what a build that derives only some
        stories derives the sides of again, even after one killed before it
        wrote the sides of the answers it had stored."""
        questions = "select id from questions where coalesce(origin, 'user') = ?"
        return {r[0] for r in self.db.execute(
            f"""select ar.story_id from answers s join claims c on c.id = s.claim_id join articles ar on ar.id = c.article_id
                where s.question_id in ({questions}) and s.stance in ('yes', 'no') and ar.story_id is not null
                union select ar.story_id from claim_pairs p join claims c on c.id = p.claim_a join articles ar on ar.id = c.article_id
                where p.point in ({questions}) and ar.story_id is not null
                union select story_id from reported_state where point in ({questions}) and story_id is not null""",
            [origin, origin, origin])}

    def user_answers(self) -> dict[str, list[tuple[int, int]]]:
        """Question id -> (claim, story) of each stored answer to the user's questions."""
        found: dict[str, list] = {}
        for question_id, claim_id, story_id in self.db.execute(
            """select s.question_id, s.claim_id, ar.story_id from answers s join questions q on q.id = s.question_id
               join claims c on c.id = s.claim_id join articles ar on ar.id = c.article_id
               where coalesce(q.origin, 'user') = 'user' order by s.question_id, s.claim_id"""):
            found.setdefault(question_id, []).append((claim_id, story_id))
        return found

    def find_same_statements(self, stories: Iterable[int] | None = None, known=None) -> int:
        """The pairwise judge's agreements between two outlets that make the
        same statement (``text/statements.py``: agency copy, a quote two
        outlets repeat) are found (``found`` 'same statement'), of ``stories``'
        claims (None: all); the judge's other agreements stay candidates (a
        reader's review of the pair shows over it, as over any). How
        many. A pair the sides of a point derive as an agreement too (over
        the judge's verdict, kept in ``cue``) is found the same way: a point
        the two claims answer alike takes nothing from the statement they
        share. The same statement in the same order (``statements.same_order``),
        read from what the claims assert (``content``); ``known``: the build's
        features (the stored claims' are not lemmatised again). Measured
        precision (``benchmarks/same_statements.py``): the 3 on the developers'
        stories are agreements a reader notes (riesa-protest's planned 10:00
        start among them); on GNAD with seven outlets 3 of 4 (the fourth two
        copies of a notice that the full text is gone); on PAWS-X's
        adversarial pairs 0.80 of those whose texts differ."""
        from ..text import statements

        where, params = in_stories(stories)
        claims = f"select c.id from claims c join articles a on a.id = c.article_id {where}"
        self.db.execute(f"update claim_pairs set found = null where found = 'same statement' and claim_a in ({claims})", params)
        rows = self.db.execute(
            f"""select p.claim_a, p.claim_b, coalesce(ca.content, ca.text), coalesce(cb.content, cb.text), ca.speaker, cb.speaker from claim_pairs p
                join claims ca on ca.id = p.claim_a join claims cb on cb.id = p.claim_b
                join articles aa on aa.id = ca.article_id join articles ab on ab.id = cb.article_id
                where p.claim_a in ({claims}) and coalesce(p.judged_relation, p.relation) = 'agree'
                  and (p.point is null or json_extract(p.cue, '$.relation') = 'agree')
                  and p.found is null and coalesce(aa.source, '') != coalesce(ab.source, '')""",
            params,
        ).fetchall()
        same = [(a, b) for a, b, text_a, text_b, speaker_a, speaker_b in rows
                if statements.same(text_a, text_b, speaker_a, speaker_b, known) and statements.same_order(text_a, text_b, known)]
        self.db.conn.executemany("update claim_pairs set found = 'same statement' where claim_a = ? and claim_b = ?", same)
        return len(same)

    def restore_cues(self, stories: Iterable[int] | None = None) -> None:
        """Take the side-derived rows of ``stories``' claims back to what the
        pairwise judge said of the pair (``cue``), and forget those that were
        only sides': a story's sides derived again start where its matching left them."""
        where, params = in_stories(stories)
        claims = f"select c.id from claims c join articles a on a.id = c.article_id {where}"
        self.restore_pairs(f"claim_a in ({claims})", params)

    def restore_pairs(self, which: str, params) -> None:
        """Take the side-derived rows ``which`` (SQL on ``claim_pairs``) back
        to the pairwise judge's verdict (``cue``), or forget them (only sides')."""
        mine = f"point is not null and coalesce(judged_by, judge) = 'sides' and {which}"
        self.db.execute(
            f"""update claim_pairs set relation = json_extract(cue, '$.relation'), judged_relation = json_extract(cue, '$.relation'),
                  score = json_extract(cue, '$.score'), reason = json_extract(cue, '$.reason'), kind = json_extract(cue, '$.kind'),
                  judge = json_extract(cue, '$.judge'), judged_by = json_extract(cue, '$.judge'), status = 'proposed',
                  point = null, cue = null, found = null
                where {mine} and cue is not null""", params)
        self.db.execute(f"delete from claim_pairs where {mine}", params)

    def save_sides(self, rows: list[dict], contested: set[str] = frozenset(), stories: Iterable[int] | None = None) -> None:
        """Conflicts and agreements derived from sides (``pipeline/sides.py``)
        of ``stories`` (None: all), over the pairwise judge's verdict of the
        same pair (its similarity and shared words kept); those of an earlier
        derivation go first. The reviews are applied to them before the topics
        count the found conflicts."""
        self.restore_cues(stories)
        # A pair the pairwise judge stored (either way round) keeps its order,
        # one row per pair, and its cue verdict in ``cue`` (JSON): a later build
        # keeps that verdict where a fresh build would judge the same (``judged_pairs``).
        where, params = in_stories(stories)
        cues = {(a, b): json.dumps({"relation": r, "score": s, "reason": why, "kind": k, "judge": j}, ensure_ascii=False)
                for a, b, r, s, why, k, j in self.db.execute(
                    f"""select p.claim_a, p.claim_b, p.judged_relation, p.score, p.reason, p.kind, p.judged_by from claim_pairs p
                        join claims c on c.id = p.claim_a join articles a on a.id = c.article_id {where or 'where 1'} and p.point is null""",
                    params)}
        rows = [{**r, "claim_a": r["claim_b"], "claim_b": r["claim_a"]} if (r["claim_b"], r["claim_a"]) in cues else r for r in rows]
        rows = [{**r, "cue": cues.get((r["claim_a"], r["claim_b"]))} for r in rows]
        self.db["claim_pairs"].upsert_all(rows, pk=("claim_a", "claim_b"))
        # The reader's word over the sides' (a pair a reader decided), before the topics count found conflicts.
        self.apply_reviews()
        if stories is None:
            self.db.execute("update questions set contested = (id in (select value from json_each(?)))", [json.dumps(sorted(contested))])
            self.count_topics()
            return
        self.db.execute(
            """update questions set contested = (id in (select value from json_each(?)))
               where coalesce(origin, 'user') = 'user' or story_id in (select value from json_each(?))""",
            [json.dumps(sorted(contested)), json.dumps(sorted(stories))])
        self.count_topics(*self.topics_of_stories(stories))

    def judged_pairs(self, stories: Iterable[int] | None = None) -> dict[tuple, Verdict]:
        """(content_a, content_b, speaker_a, speaker_b, similarity) -> the
        judge's own verdict (not a reader's review) of every stored pair, for
        ``pipeline/reuse.py``."""
        from ..judging.registry import Verdict

        found = {}
        for ca, cb, sa, sb, sim, relation, score, reason, kind, shared, judge, point, cue in self.db.execute(
            """select coalesce(a.content, a.text), coalesce(b.content, b.text), a.speaker, b.speaker, p.similarity,
                      p.judged_relation, p.score, p.reason, p.kind, p.shared, p.judged_by, p.point, p.cue
               from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
               join articles aa on aa.id = a.article_id
               """ + (in_stories(stories, "aa")[0] or "where 1") + " and p.judged_relation is not null", in_stories(stories, "aa")[1]
        ):
            if point is not None:
                if cue is None:
                    continue  # a pair only the sides link: no pairwise verdict
                c = json.loads(cue)  # the pairwise judge's verdict, under the one from sides
                relation, score, reason, kind, judge = c["relation"], c["score"], c["reason"], c["kind"], c["judge"]
            found[(ca, cb, sa, sb, sim)] = Verdict(relation, score, reason, kind, tuple(shared.split(", ")) if shared else (), judge)
        return found

    # Model verdicts ----------------------------------------------------------

    def cached_verdicts(self, judge: str, keys: list[str]) -> dict[str, tuple[str, float, str]]:
        """pair key -> (relation, score, reason) that ``judge`` gave before."""
        rows = self.db.execute(
            "select pair, relation, score, reason from verdict_cache where judge = ? and pair in (select value from json_each(?))",
            [judge, json.dumps(keys)],
        ).fetchall()
        return {pair: (relation, score, reason) for pair, relation, score, reason in rows}

    def cache_verdicts(self, judge: str, rows: list[tuple[str, str, float, str]]) -> None:
        """Keep ``judge``'s verdicts, (pair key, relation, score, reason) each,
        committed at once when no build transaction is open: a build
        interrupted after this keeps them."""
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self.db["verdict_cache"].upsert_all(
            ({"judge": judge, "pair": key, "relation": r, "score": score, "reason": reason, "at": now} for key, r, score, reason in rows),
            pk=("judge", "pair"),
        )

    def pair_edges(self, stories: Iterable[int] | None = None) -> list[tuple[int, int, float, float | None, int]]:
        """(claim_a, claim_b, similarity, overlap, story) of every matched
        pair (of ``stories``; the two claims of a pair are of one story)."""
        where, params = in_stories(stories)
        # Not a pair only sides link: it has no similarity.
        return self.db.execute(
            f"""select p.claim_a, p.claim_b, p.similarity, p.overlap, a.story_id from claim_pairs p
               join claims c on c.id = p.claim_a join articles a on a.id = c.article_id {where or 'where 1'} and p.similarity is not null""",
            params,
        ).fetchall()

    # Questions -------------------------------------------------------------

    def replace_answers(self, answered: list[tuple[object, str, list]]) -> None:
        """All the user's questions, each (``settings.Question``, the
        proposition asked about, its ``ask.Answer`` list), in place of the
        stored ones; the proposed points stay."""
        user = "select id from questions where coalesce(origin, 'user') = 'user'"
        self.db.execute(f"delete from answers where question_id in ({user})")
        self.db.execute(f"delete from questions where id in ({user})")
        self._insert_answered(answered, "user")
        # How many answers each has: an article removed later takes its claims'
        # answers with it, and the next build must tell (``ask._candidates``).
        self.save_config(answered=json.dumps({q.id: len(answers) for q, _, answers in answered}, sort_keys=True))

    def replace_points(self, story_ids, answered: list[tuple[object, str, list]], story_of_point: dict[str, int],
                       marks: dict[int, str] | None = None) -> None:
        """The proposed points of ``story_ids``, each (``settings.Question``,
        its proposition, its answers), in place of the stored ones; ``marks``:
        story id -> the digest of what its points were made of
        (``reuse.point_mark``), for the stories whose points are complete."""
        stale = "select id from questions where origin = 'auto' and story_id in (select value from json_each(?))"
        ids = json.dumps(sorted(set(story_ids)))
        self.db.execute(f"delete from answers where question_id in ({stale})", [ids])
        self.db.execute(f"delete from questions where id in ({stale})", [ids])
        self.db.execute("delete from point_marks where story_id in (select value from json_each(?))", [ids])
        self._insert_answered(answered, "auto", story_of_point)
        if marks:
            self.db["point_marks"].insert_all(({"story_id": s, "mark": m} for s, m in marks.items()), pk="story_id", replace=True)

    def point_marks(self) -> dict[int, str]:
        """Story id -> the digest its stored points were made with."""
        return dict(self.db.execute("select story_id, mark from point_marks"))

    def _insert_answered(self, answered, origin: str, story_of_point: dict[str, int] | None = None) -> None:
        for question, statement, answers in answered:
            self.db["questions"].insert({
                "id": question.id, "question": question.question, "proposition": statement, "origin": origin,
                "story_id": (story_of_point or {}).get(question.id),
            })
            self.db["answers"].insert_all(
                {
                    "question_id": question.id, "claim_id": a.claim_id, "stance": a.stance,
                    "score": a.score, "similarity": a.similarity, "reason": a.reason, "judge": a.judge,
                    "judged_stance": a.stance, "judged_by": a.judge, "status": "proposed", "lean": a.lean,
                    "about": a.about, "relevance": a.relevance,
                }
                for a in answers
            )
