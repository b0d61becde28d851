"""Corpus: the claims of many articles in one SQLite db, and what to ask of them.

    >>> import claims
    >>> corpus = claims.Corpus("news.db")
    >>> corpus.add([{"title": "...", "source": "Tagesschau", "text": "..."}])
    >>> corpus.conflicts()

``claims build``, ``claims ask`` and the other commands are a few lines over
this object. The db's ``Store`` owns every write; the ``Settings`` say what the
stored results depend on, and a build with other settings redoes what they
change.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
from typing import Any, Callable, Iterable

import numpy as np

from .index import embed, match
from .pipeline import ask as asking, build as building
from .pipeline.context import Build, BuildResult
from .pipeline.local import Local
from .settings import Settings
from .store import Store

Item = Any  # a path (str or PathLike), a dict like a JSONL record, or an ingest.Article


@dataclasses.dataclass(frozen=True)
class Running:
    """How a ``Corpus`` runs its builds, not what they make (that is the
    ``Settings``): each field is also a keyword of ``Corpus(...)``."""

    encoder: Any = None  # a loaded sentence-transformers model for ``settings.model``
    progress: bool = False  # show progress bars
    echo: Callable[[str], None] | None = None  # hears what a long build is doing
    ray: str | bool | None = None  # a Ray cluster to run on: True (a local one) or its address
    wait: bool = True  # wait for another build of the db to end


RUNNING = {f.name for f in dataclasses.fields(Running)}


class Corpus:
    """The claims db at ``path`` (made, with its folder, when missing).

    ``settings``, or any of its fields as keyword arguments (``model``,
    ``threshold``, ``semantic_threshold``, ``judge``, ``judge_all``,
    ``nli_model``, ``conflict_prior``, ``questions``), override those the db
    was built with; defaults for a new db. ``encoder``: a loaded sentence-transformers model to use as
    ``settings.model`` (else it is loaded from disk when first needed).
    ``progress`` shows progress bars; ``echo`` hears what a long build is doing.
    ``ray``: split and embed on a Ray cluster (``cluster.py``): True for a
    local one, or the address of one (``auto``: the cluster this machine is in).
    ``wait``: when another build holds the db, wait for it (else fail at once).
    These five are ``Running``'s fields: ``options=Running(...)`` gives them at
    once, and a keyword given beside it wins.
    """

    def __init__(
        self, path: str | os.PathLike | Store, settings: Settings | None = None, *, options: Running | None = None, **keywords,
    ):
        # ``keywords``: ``Running``'s fields (encoder, progress, echo, ray,
        # wait) over ``options``; the rest are the settings' fields.
        running = {k: keywords.pop(k) for k in list(keywords) if k in RUNNING}
        options = dataclasses.replace(options or Running(), **running)
        overrides = keywords
        self.store = path if isinstance(path, Store) else Store(path)
        self.settings = (settings or Settings.stored(self.store.config())).replace(**overrides)
        self._asked = (settings, overrides)  # to read the db's settings again after waiting for another build
        self.encoder = options.encoder
        self.progress = options.progress
        self.echo = options.echo or (lambda message: None)
        self.ray = options.ray
        self.wait = options.wait

    @property
    def settings(self) -> Settings:
        """What the next build makes its results with; setting other settings
        makes the next build redo what they change."""
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self._settings = settings
        self._asked = (settings, {})
        self._judge = None

    @property
    def db(self):
        """The ``sqlite_utils.Database``, for reading and for SQL."""
        return self.store.db

    def model(self):
        """The embedding model, loaded on first use."""
        if self.encoder is None:
            self.encoder = embed.load_model(self.settings.model)
        return self.encoder

    def pairs_judge(self):
        """The judge of matched pairs (``Settings.pairs_judge``): a model
        judge keeps its verdicts in this corpus's db."""
        if self._judge is None:
            self._judge = self.settings.pairs_judge(cache=self.store, progress=self.progress, echo=self.echo)
        return self._judge

    def stance_judge(self):
        """The same judge for claims against a question (``Settings.stance_judge``)."""
        return self.settings.stance_judge(cache=self.store, progress=self.progress, echo=self.echo)

    def _context(self, judging: bool = True) -> Build:
        """The context of one build (or one question): what its stages read."""
        if self.ray:
            from .pipeline.cluster import Cluster

            runner = Cluster(None if self.ray is True else self.ray)
        else:
            runner = Local()
        return Build(
            self.store, self.settings, self.pairs_judge() if judging else None, self.stance_judge(), self.model, runner,
            echo=self.echo, progress=self.progress,
        )

    # Writing ---------------------------------------------------------------

    def _reread(self, waited: bool) -> None:
        """After waiting for another build of the db: the settings it was
        built with may have changed (a new db's first build stored them)."""
        settings, overrides = self._asked
        if waited and settings is None:
            self.settings = Settings.stored(self.store.config()).replace(**overrides)

    def add(
        self, items: Iterable[Item] | Item = (), story: str | None = None, build: bool = True, refresh: bool = False,
        feeds: Iterable[str] = (),
    ) -> BuildResult:
        """Read articles, split them into claims, embed and store them; then
        (``build``) bring stories, pairs, topics and answers up to date.

        ``items``: paths of .txt/.md/.jsonl/.html files or folders, dicts like
        JSONL records (``text``, and ``title``, ``source``, ``url``,
        ``published``, ``story``, ``path`` if known), ``ingest.Article`` objects,
        or a pandas DataFrame of such records. An article stored before is
        skipped; a changed file replaces its old version. ``story``: the
        story of each article that does not name its own. URLs and ``.urls``
        files (one URL a line) are fetched once and their pages stored
        (``fetch.py``); ``refresh``: fetch them again. ``feeds``: RSS or Atom
        feed URLs, whose items are fetched as URLs; the feed's titles and
        dates stand in where a page has none.
        """
        with self.store.writing(self.echo, self.wait) as waited:
            self._reread(waited)
            context = self._context()
            with _collector_paused():
                building.add(context, items, story, refresh, list(feeds))
                if build:
                    building.update(context)
            return context.result.count(self.store)

    def build(self) -> BuildResult:
        """Bring what is made of the stored claims up to date with the
        settings: vectors of another model, stories for new articles, pairs
        and verdicts, topics, answers. Nothing is done when all is current."""
        with self.store.writing(self.echo, self.wait) as waited:
            self._reread(waited)
            context = self._context()
            with _collector_paused():
                building.update(context)
            return context.result.count(self.store)

    # Reading -----------------------------------------------------------------

    def conflicts(self, story: int | None = None, limit: int | None = None) -> list[dict]:
        """Pairs found to conflict, confirmed first: both claims, who said
        each, in which article, and why (rows of the ``conflicts`` view).
        Found: a reader confirmed it, or it joins sides readers gave; what
        the machine only suspects is in ``candidates()``."""
        return self._pairs("conflicts", story, limit)

    def agreements(self, story: int | None = None, limit: int | None = None) -> list[dict]:
        """Pairs found to say the same thing (rows of the ``agreements`` view)."""
        return self._pairs("agreements", story, limit)

    def candidates(self, story: int | None = None, limit: int | None = None) -> list[dict]:
        """What the machine suspects and no reader has settled: its sides on
        each point and its conflicts and agreements (rows of the ``candidates``
        view, with ``would_change``: the found pairs confirming one would make)."""
        return self._pairs("candidates", story, limit)

    def review(self, kind: str, value: str, text_a: str, text_b: str | None = None, question: str | None = None,
               **about: str | None) -> int:
        """A reader's word (``Store.add_review``): a pair's relation (``kind``
        'pair': conflict, related or agree) or a claim's side on a point
        (``kind`` 'stance': yes, no or unclear; ``question``: its proposition).
        ``about``: ``note`` and ``actor`` (``reviews.About``). It shows at
        once; the next build derives what follows from it."""
        return self.store.add_review(kind, value, text_a, text_b, question, **about)

    def _pairs(self, view: str, story: int | None, limit: int | None) -> list[dict]:
        where, params = ("story_id = ?", [story]) if story is not None else (None, [])
        return list(self.db[view].rows_where(where, params, limit=limit))

    def points(self, story: int | None = None) -> list[dict]:
        """Points: the questions asked of the db and those proposed for each
        story, each with ``contested``, its conflicts and agreements, and each
        source's side (``sides``: source -> yes, no, both or unclear); rows of
        the ``points`` view, contested first within a story."""
        import json

        where, params = ("story_id = ?", [story]) if story is not None else (None, [])
        return [{**row, "sides": json.loads(row["sides"] or "{}")} for row in self.db["points"].rows_where(where, params)]

    def changes(self, since: str | None = None, build: int | None = None) -> list[dict]:
        """What builds changed (table ``changes``): after the time ``since``
        (ISO, UTC), or of the build numbered ``build``, or of the last one."""
        return self.store.changes(since, build)

    def stories(self) -> list[dict]:
        return list(self.db["stories"].rows_where(order_by="id"))

    def topics(self) -> list[dict]:
        """Topics, most claims first."""
        return list(self.db["topics"].rows_where(order_by="claims desc, id"))

    def claims(self, story: int | None = None) -> list[dict]:
        """Claims in article order, each with its article's source and title."""
        where = "where a.story_id = ?" if story is not None else ""
        return list(self.db.query(
            f"""select c.*, a.source, a.title, a.story_id from claims c join articles a on a.id = c.article_id
                {where} order by c.article_id, c.position""",
            [story] if story is not None else [],
        ))

    def ask(self, question: str, proposition: str | None = None, limit: int = asking.USER_LIMIT) -> list[asking.Answer]:
        """The claims most relevant to a yes/no ``question``, each with its
        stance toward it (yes, no, unclear) and the reason, given by the
        build's judge at its calibration prior (``Settings.stance_judge``)."""
        return asking.ask(self._context(judging=False), question, proposition, limit)

    def similar(self, text: str, limit: int = 10) -> list[dict]:
        """The claims closest in meaning to ``text``, closest first, each with
        its ``similarity`` (cosine of the embeddings)."""
        claims = self.store.load(self.settings.model)
        if not len(claims):
            return []
        [query] = embed.encode(self.model(), [text])
        similarity = claims.vectors @ query
        top = np.argsort(-similarity, kind="stable")[:limit]
        shown = self.store.claims_shown([claims.ids[k] for k in top])
        return [{**shown[claims.ids[k]], "similarity": round(float(similarity[k]), match.ROUND)} for k in top]


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while a build makes its many short-lived
    objects (lemmas, term sets, pairs): with the models and the lemmatiser's
    dictionaries in memory, each full collection walks millions of objects
    (0.3 s here), as long as adding ten articles takes. A build makes few
    cycles; the collector runs again when it is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
