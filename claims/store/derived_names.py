"""The rare names each stored article gives (``text/names.py``: people and
places), kept in ``article_names`` a row a name, as the ``Store``'s methods
for them (``Names``, a mixin of ``store.Store`` through ``derived.Derived``).
Stories read them to tell reports of one event (``index/timing.py``); kept,
a new article finds the stored ones that share its names through the index on
``name``, not by reading every stored text."""

from __future__ import annotations

import json

from ..text.names import rare_names


def name_all(db) -> None:
    """Keep the rare names of every stored article of ``db`` again from its
    text (the migration that made ``article_names``, and a new release)."""
    db.execute("delete from article_names")
    db.conn.executemany("insert into article_names (article_id, name) values (?, ?)",
                        ((id_, name) for id_, text in db.execute("select id, text from articles").fetchall()
                         for name in sorted(rare_names(text or ""))))


class Names:
    def keep_names(self, article_id: int, text: str | None) -> None:
        """Keep the rare names of an article just stored."""
        self.db.conn.executemany("insert into article_names (article_id, name) values (?, ?)",
                                 ((article_id, name) for name in sorted(rare_names(text or ""))))

    def name_articles(self) -> None:
        """Keep the rare names of every stored article again from its text:
        another release may read them otherwise."""
        name_all(self.db)

    def names_of(self, article_ids: list[int]) -> list[frozenset[str]]:
        """The kept names of each of ``article_ids``, in their order."""
        names: dict[int, set[str]] = {}
        for id_, name in self.db.execute(
                "select article_id, name from article_names where article_id in (select value from json_each(?))", [json.dumps(list(article_ids))]):
            names.setdefault(id_, set()).add(name)
        return [frozenset(names.get(a, ())) for a in article_ids]

    def sharing_names(self, names: list[frozenset[str]]) -> list[set[int]]:
        """For each set of ``names`` (a new article's), the stored articles
        that ``index/timing.keeps`` keeps in time with it."""
        from ..index.timing import KEEP_NAMES, keeps

        found = []
        for given in names:
            rows = self.db.execute(
                """select s.article_id, s.shared, (select count(*) from article_names n where n.article_id = s.article_id)
                   from (select article_id, count(*) as shared from article_names where name in (select value from json_each(?))
                         group by article_id having count(*) >= ?) s""",
                [json.dumps(sorted(given), ensure_ascii=False), KEEP_NAMES]).fetchall() if len(given) >= KEEP_NAMES else []
            found.append({a for a, shared, size in rows if keeps(shared, len(given), size)})
        return found
