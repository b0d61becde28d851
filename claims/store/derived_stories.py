"""What is derived from the stored articles as stories: the stories
themselves (given or found), the articles' kept profiles and the terms'
weights stories compare them by, what each story's derived rows were made
of (``story_marks``), and the topics; the ``Store``'s methods for them
(``Stories``, a mixin of ``store.Store`` through ``derived.Derived``), and
the ``where`` clause every derived table is read by story with (``in_stories``)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Iterable

from ..inputs import ingest



def in_stories(stories: Iterable[int] | None, article: str = "a") -> tuple[str, list]:
    """A ``where`` clause on the article alias ``article`` that keeps the
    articles of ``stories`` (None: every article), and its parameters."""
    if stories is None:
        return "", []
    return f"where {article}.story_id in (select value from json_each(?))", [json.dumps(sorted(stories))]


def refresh_term_weights(db, terms: Iterable[str] | None = None) -> None:
    """Make ``term_weights`` again for ``terms`` (default: all) from
    ``article_terms`` (``Stories.term_weights`` says what a weight is), with
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


class Stories:
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

    def said_before_the_event(self, claims: list[tuple[int, int, str]]) -> set[int]:
        """Of ``claims`` (id, article id, content), those that name only days
        before their story's event day (the day most of its articles were
        published, the earliest of a tie): "Am Samstag ging die Polizei von
        bis zu 25.000 Menschen aus" in a report of Sunday's demonstration.
        A number such a claim gives is what was expected then, not the
        event's count (``quantities.compare``'s ``earlier``)."""
        from collections import Counter

        from ..text import dates

        ids = sorted({a for _, a, _ in claims})
        article = {a: (story, published) for a, story, published in self.db.execute(
            "select id, story_id, published from articles where id in (select value from json_each(?))", [json.dumps(ids)])}
        stories = sorted({story for story, _ in article.values() if story is not None})
        counted: dict[int, Counter] = {}
        for story, published in self.db.execute(
                "select story_id, published from articles where story_id in (select value from json_each(?))", [json.dumps(stories)]):
            day = ingest.published_day(published)
            if day is not None:
                counted.setdefault(story, Counter())[day.toordinal()] += 1
        event = {story: min(c, key=lambda d: (-c[d], d)) for story, c in counted.items()}
        earlier = set()
        for claim_id, article_id, content in claims:
            story, published = article.get(article_id, (None, None))
            day = ingest.published_day(published)
            if story not in event or day is None:
                continue
            named = dates.named_days(content, day)
            if named and max(named) < event[story]:
                earlier.add(claim_id)
        return earlier

    def events(self, article_ids: list[int]):
        """Each article's event days (``index/timing.event_days``: its own
        day and the days its text names), one row per id in their order, and
        the rare names it gives (``text/names.py``, as kept in ``article_names``)."""
        import numpy as np

        from ..index.timing import EVENT_DAYS, event_days

        if not article_ids:
            return np.zeros((0, EVENT_DAYS)), []
        ids = [json.dumps(list(article_ids))]
        rows = {id_: (published, text) for id_, published, text in self.db.execute(
            "select id, published, text from articles where id in (select value from json_each(?))", ids)}
        days = np.array([event_days(_day(rows[a][0]), _named(rows[a][1], rows[a][0])) for a in article_ids], dtype=float)
        return days.reshape(len(article_ids), -1), self.names_of(article_ids)

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



@lru_cache(maxsize=20000)
def _named(text: str, published: str | None) -> frozenset[int]:
    from ..text.dates import named_days

    return named_days(text, ingest.published_day(published))


def _day(published: str | None) -> float:
    day = ingest.published_day(published)
    return float(day.toordinal()) if day else float("nan")
