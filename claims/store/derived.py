"""What is derived from the stored claims: stories, pairs and their verdicts,
the model judges' verdict cache, topics, answers and proposed points; the
``Store``'s methods for them (a mixin of ``store.Store``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Iterable

from ..inputs import ingest

if TYPE_CHECKING:
    from ..judging.registry import Verdict


def in_stories(stories: Iterable[int] | None, article: str = "a") -> tuple[str, list]:
    """A ``where`` clause on the article alias ``article`` that keeps the
    articles of ``stories`` (None: every article), and its parameters."""
    if stories is None:
        return "", []
    return f"where {article}.story_id in (select value from json_each(?))", [json.dumps(sorted(stories))]


def refresh_term_weights(db, terms: Iterable[str] | None = None) -> None:
    """Make ``term_weights`` again for ``terms`` (default: all) from
    ``article_terms`` (``Derived.term_weights`` says what a weight is), with
    the article each is from."""
    if terms is None:
        where, params = "", []
        db.execute("delete from term_weights")
    else:
        where, params = "where t.term in (select value from json_each(?))", [json.dumps(sorted(set(terms)), ensure_ascii=False)]
        db.execute("delete from term_weights where term in (select value from json_each(?))", params)
    db.execute(
        f"""insert into term_weights (term, weight, article_id)
           select term, weight, article_id from (
             select t.term, t.weight, t.article_id, row_number() over (partition by t.term order by a.path, a.id) as k
             from article_terms t join articles a on a.id = t.article_id {where})
           where k = 1""", params)


def weigh_terms_of(db, article_id: int) -> None:
    """The terms of an article just stored: each takes its weight where the
    article comes before the one the term's weight is from (by path, then
    id), or where the term is new. One statement over the article's terms:
    making each term's weight again read every article with it (34 ms an
    article on GNAD, most of writing it)."""
    db.execute(
        """insert into term_weights (term, weight, article_id)
           select term, weight, article_id from article_terms where article_id = ?
           on conflict (term) do update set weight = excluded.weight, article_id = excluded.article_id
           where (select path, id from articles where id = excluded.article_id)
               < (select path, id from articles where id = term_weights.article_id)""", [article_id])


def unweigh_terms_of(db, article_id: int) -> None:
    """Before an article is removed: the terms whose weight is from it are weighed again without it."""
    terms = [r[0] for r in db.execute("select term from term_weights where article_id = ?", [article_id])]
    db.execute("delete from article_terms where article_id = ?", [article_id])
    if terms:
        refresh_term_weights(db, terms)


class Derived:
    # Stories -------------------------------------------------------------

    def story_named(self, label: str) -> int:
        """The id of the story the user named ``label``, made if new."""
        row = self.db.execute("select id from stories where given = 1 and label = ?", [label]).fetchone()
        if row:
            return row[0]
        return self.db["stories"].insert({"label": label, "given": 1, "articles": 0, "sources": 0}).last_pk

    def new_story(self) -> int:
        return self.db["stories"].insert({"label": None, "given": 0, "articles": 0, "sources": 0}).last_pk

    def unplaced(self) -> list[int]:
        """Articles without a story, in id order."""
        return [r[0] for r in self.db.execute("select id from articles where story_id is null order by id")]

    def named_articles(self) -> set[int]:
        """Ids of the articles in stories the user named."""
        return {r[0] for r in self.db.execute("select a.id from articles a join stories s on s.id = a.story_id where s.given = 1")}

    def story_of(self) -> dict[int, int]:
        """article id -> story id, for the articles that have one."""
        return dict(self.db.execute("select id, story_id from articles where story_id is not null"))

    def found_stories(self) -> bool:
        """Whether stories were found (grouped) before, not only given."""
        return self.db.execute("select 1 from stories where given = 0 limit 1").fetchone() is not None

    def found_articles(self) -> list[tuple[int, int | None]]:
        """(id, found story or None) of every article not in a story the
        user named, in the order of their texts' sha256: grouping them does
        not depend on the order they were stored in."""
        return self.db.execute(
            """select a.id, a.story_id from articles a left join stories s on s.id = a.story_id
               where s.given is not 1 order by a.sha256, a.id"""
        ).fetchall()

    def published_days(self, article_ids: list[int]):
        """The day each article was published, as a day number (NaN: no date,
        or none this reads: ``ingest.published_day``), for these ids in their order."""
        import numpy as np

        published = dict(self.db.execute(
            "select id, published from articles where id in (select value from json_each(?))", [json.dumps(list(article_ids))]))
        return np.array([_day(published.get(a)) for a in article_ids], dtype=float)

    def place(self, article_id: int, story_id: int) -> None:
        self.db["articles"].update(article_id, {"story_id": story_id})

    def term_weights(self, terms: Iterable[str] | None = None) -> dict[str, float]:
        """term -> how rare it is (of ``terms``; default: all): the rarity of
        the word the first stored article by path shows it by
        (``article_terms``), as ``term_weights`` keeps it. First by path, as a
        fresh build of a folder reads its files, not first stored: a db's
        stories do not depend on the order its articles came in. (The least
        rare of its words, or the rarest, also order-free, grouped GNAD worse:
        14 and 73 conflicts across newspaper sections against 2.)"""
        if terms is None:
            return dict(self.db.execute("select term, weight from term_weights"))
        return dict(self.db.execute(
            "select term, weight from term_weights where term in (select value from json_each(?))", [json.dumps(sorted(set(terms)), ensure_ascii=False)]))

    def repeated_contents(self, contents: Iterable[str]) -> dict[str, int]:
        """Of ``contents``, those that claims of more than one stored article
        assert -> in how many articles (``stories.weights``)."""
        return dict(self.db.execute(
            """select coalesce(content, text), count(distinct article_id) from claims
               where coalesce(content, text) in (select value from json_each(?))
               group by coalesce(content, text) having count(distinct article_id) > 1""",
            [json.dumps(sorted(set(contents)), ensure_ascii=False)]))

    def save_profiles(self, model: str, article_ids: list[int], means, terms: list[dict[str, float]]) -> None:
        """Articles' profiles (``index/stories.py``): mean vectors under
        ``model`` and term weights, these both as rows (``profile_terms``, for
        ``term_dots``) and whole (``article_profiles.terms``, for ``kept_profiles``)."""
        from .vectors import to_blob

        self.db["article_profiles"].insert_all(
            ({"article_id": a, "model": model, "mean": to_blob(m), "terms": json.dumps(t, ensure_ascii=False)}
             for a, m, t in zip(article_ids, means, terms)), pk=("article_id", "model"), replace=True)
        self.db.execute("delete from profile_terms where article_id in (select value from json_each(?))", [json.dumps(article_ids)])
        # A row a term of each article (146,000 for GNAD's): one prepared statement,
        # not sqlite-utils' insert_all, which builds and checks every row in Python.
        self.db.conn.executemany(
            "insert into profile_terms (article_id, term, weight) values (?, ?, ?)",
            ((a, t, w) for a, weights in zip(article_ids, terms) for t, w in weights.items()))

    def profile_means(self, model: str, article_ids: list[int]) -> tuple[list[int], object]:
        """Of ``article_ids``, those with a kept profile under ``model``, in id
        order, and their profiles' mean vectors."""
        from .vectors import from_blobs

        rows = self.db.execute(
            "select article_id, mean from article_profiles where model = ? and article_id in (select value from json_each(?)) order by article_id",
            [model, json.dumps(sorted(article_ids))]).fetchall()
        if not rows:
            return [], None
        # An article without a claim may have been kept with a one-number mean: zeros of the others' width.
        width = max(len(r[1]) for r in rows)
        return [r[0] for r in rows], from_blobs([r[1] if len(r[1]) == width else bytes(width) for r in rows])

    def kept_profiles(self, model: str, article_ids: list[int]) -> dict:
        """article id -> (mean vector, term -> weight) of those of
        ``article_ids`` whose profile under ``model`` is kept whole. A JSON
        text an article: reading the rows of ``profile_terms`` took as long
        as reading the claims they are made of."""
        from .vectors import from_blob

        rows = self.db.execute(
            "select article_id, mean, terms from article_profiles where model = ? and terms is not null and article_id in (select value from json_each(?))",
            [model, json.dumps(sorted(article_ids))])
        return {a: (from_blob(mean), json.loads(terms)) for a, mean, terms in rows}

    def drop_profiles(self, article_ids: Iterable[int] | None = None) -> None:
        """Forget the kept profiles of ``article_ids`` (None: all): made
        again, from their claims, when next compared."""
        if article_ids is None:
            self.db.execute("delete from article_profiles")
            self.db.execute("delete from profile_terms")
            return
        ids = [json.dumps(sorted(set(article_ids)))]
        if ids[0] == "[]":
            return
        self.db.execute("delete from article_profiles where article_id in (select value from json_each(?))", ids)
        self.db.execute("delete from profile_terms where article_id in (select value from json_each(?))", ids)

    def articles_sharing_claims(self, article_id: int) -> set[int]:
        """The other articles that assert a sentence this one asserts."""
        return {r[0] for r in self.db.execute(
            """select distinct article_id from claims where coalesce(content, text) in
               (select coalesce(content, text) from claims where article_id = ?) and article_id != ?""", [article_id, article_id])}

    def articles_with_terms(self, terms: Iterable[str]) -> set[int]:
        """The articles whose kept profile has one of ``terms``."""
        return {r[0] for r in self.db.execute(
            "select distinct article_id from profile_terms where term in (select value from json_each(?))", [json.dumps(sorted(set(terms)), ensure_ascii=False)])}

    def term_dots(self, weights: dict[str, float], articles: list[int]) -> list[tuple[int, float]]:
        """(article, dot product of its kept profile's term weights with
        ``weights``) of those of ``articles`` with a term of ``weights``:
        summed in SQLite over the covering index on ``profile_terms.term``,
        not read into Python (a term of every article, a dateline, is ten
        thousand rows)."""
        # The terms first, then the articles as a filter (cross join, unary +):
        # SQLite 3.51 otherwise went article by article through the primary key, 80 times slower.
        return self.db.execute(
            """select p.article_id, sum(p.weight * n.value) from json_each(?) n cross join profile_terms p on p.term = n.key
               where +p.article_id in (select value from json_each(?)) group by p.article_id""",
            [json.dumps(weights, ensure_ascii=False), json.dumps(articles)]).fetchall()

    def count_stories(self) -> None:
        """Counts, dates and labels of the stories from their articles; a story
        left without articles goes. A found story is labelled with the title of
        its first article."""
        self.db.execute(
            """update stories set
                 articles = (select count(*) from articles where story_id = stories.id),
                 sources = (select count(distinct source) from articles where story_id = stories.id),
                 first_published = (select min(published) from articles where story_id = stories.id),
                 last_published = (select max(published) from articles where story_id = stories.id),
                 label = case when given = 1 then label else (
                   select title from articles where story_id = stories.id
                   order by coalesce(published, ''), path, id limit 1) end"""
        )
        # A story left without articles goes, and with it the points proposed
        # for it (questions.story_id refers to it).
        empty = "select id from questions where origin = 'auto' and story_id in (select id from stories where articles = 0)"
        self.db.execute(f"delete from answers where question_id in ({empty})")
        self.db.execute(f"delete from questions where id in ({empty})")
        self.db.execute("delete from stories where articles = 0")
        # A story id can be given again: what its points were made of goes with it.
        self.db.execute("delete from point_marks where story_id not in (select id from stories)")

    def story_articles(self) -> list[tuple]:
        """(story, article id, sha256, path, source) of every placed article,
        by story and id: what a story's derived rows are made of
        (``pipeline/scope.py``)."""
        return self.db.execute(
            "select story_id, id, sha256, path, source from articles where story_id is not null order by story_id, id").fetchall()

    def story_marks(self) -> dict[int, str]:
        """Story id -> the digest its stored pairs, topics and sides were derived with."""
        return dict(self.db.execute("select story_id, mark from story_marks"))

    def save_story_marks(self, marks: dict[int, str], stories: Iterable[int] | None) -> None:
        """The marks of ``stories`` (None: all), in place of theirs; a story no
        longer there loses its mark."""
        if stories is None:
            self.db.execute("delete from story_marks")
        else:
            self.db.execute("delete from story_marks where story_id in (select value from json_each(?))", [json.dumps(sorted(stories))])
        self.db["story_marks"].insert_all(({"story_id": s, "mark": m} for s, m in marks.items()), pk="story_id", replace=True)
        self.db.execute("delete from story_marks where story_id not in (select id from stories)")

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
        """Store the features ``found`` (text -> JSON), and forget those of
        texts no claim has any more."""
        self.db["claim_features"].upsert_all(({"text": t, "version": version, "features": f} for t, f in found.items()), pk="text")
        self.db.execute("delete from claim_features where text not in (select coalesce(content, text) from claims)")

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
        confirmed, text) of every yes or no answer, for ``pipeline/sides.py``: the
        story is the claim's (a question asked of the whole db has answers in
        many stories; sides are compared within one)."""
        return self.db.execute(
            """select s.question_id, q.proposition, ar.story_id, s.claim_id, ar.source, c.speaker, s.stance,
                      case when s.status in ('confirmed', 'carried') then 1.0 else s.score end,
                      coalesce(s.status in ('confirmed', 'carried'), 0), c.text
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

    def restore_cues(self, stories: Iterable[int] | None = None) -> None:
        """Take the side-derived rows of ``stories``' claims back to what the
        pairwise judge said of the pair (``cue``), and forget those that were
        only sides': a story's sides derived again start where its matching left them."""
        where, params = in_stories(stories)
        claims = f"select c.id from claims c join articles a on a.id = c.article_id {where}"
        mine = f"point is not null and coalesce(judged_by, judge) = 'sides' and claim_a in ({claims})"
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

    # Topics --------------------------------------------------------------

    def topic_of(self, stories: Iterable[int] | None = None) -> dict[int, int]:
        """claim id -> topic id (of ``stories``' claims)."""
        where, params = in_stories(stories)
        return dict(self.db.execute(
            f"select t.claim_id, t.topic_id from claim_topics t join claims c on c.id = t.claim_id join articles a on a.id = c.article_id {where}",
            params))

    def last_topic(self) -> int:
        return self.db.execute("select max(id) from topics").fetchone()[0] or 0

    def contents(self, stories: Iterable[int] | None = None) -> dict[int, str]:
        """claim id -> what it asserts (of ``stories``' claims)."""
        where, params = in_stories(stories)
        return dict(self.db.execute(f"select c.id, coalesce(c.content, c.text) from claims c join articles a on a.id = c.article_id {where}", params))

    def topics_of_stories(self, stories: Iterable[int]) -> tuple[str, list]:
        """A ``where`` clause for ``count_topics`` that keeps the topics of ``stories``' claims."""
        where, params = in_stories(stories)
        return (f"""where id in (select t.topic_id from claim_topics t join claims c on c.id = t.claim_id
                                 join articles a on a.id = c.article_id {where})""", params)

    def replace_topics(self, topics: list[tuple[int, str, list[int]]], stories: Iterable[int] | None = None) -> None:
        """The topics of ``stories`` (None: all), each (id, label, its claim
        ids), in place of the stored ones; a topic left without claims goes."""
        if stories is None:
            self.db.execute("delete from claim_topics")
        else:
            where, params = in_stories(stories)
            self.db.execute(f"delete from claim_topics where claim_id in (select c.id from claims c join articles a on a.id = c.article_id {where})", params)
        self.db.execute("delete from topics where id not in (select topic_id from claim_topics)")
        self.db["topics"].insert_all({"id": id_, "label": label, "claims": len(group), "sources": 0, "conflicts": 0} for id_, label, group in topics)
        self.db["claim_topics"].insert_all({"claim_id": claim, "topic_id": id_} for id_, _, group in topics for claim in group)
        if stories is None:
            self.count_topics()
        else:
            self.count_topics(*self.topics_of_stories(stories))

    def count_topics(self, where: str = "", params=()) -> None:
        # Sources and conflicts from the tables, so the counts mean what SQL means;
        # the conflicts found, as the ``conflicts`` view shows them (issue 44).
        # "+p.relation" keeps SQLite off the relation index: going from the topic's
        # claims to their pairs, not through every conflict of the corpus per topic.
        self.db.execute(
            """update topics set
                 claims = (select count(*) from claim_topics where topic_id = topics.id),
                 sources = (select count(distinct a.source) from claim_topics t
                            join claims c on c.id = t.claim_id join articles a on a.id = c.article_id
                            where t.topic_id = topics.id),
                 conflicts = (select count(*) from claim_topics ta
                              join claim_pairs p on p.claim_a = ta.claim_id
                              join claim_topics tb on tb.claim_id = p.claim_b and tb.topic_id = ta.topic_id
                              where ta.topic_id = topics.id and +p.relation = 'conflict'
                                and (p.status = 'confirmed' or p.found is not null)) """
            + where,
            params,
        )

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
                }
                for a in answers
            )


def _day(published: str | None) -> float:
    day = ingest.published_day(published)
    return float(day.toordinal()) if day else float("nan")
