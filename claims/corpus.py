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
import functools
import gc
import os
import time
from typing import Any, Callable, Iterable

import numpy as np

from .pipeline import ask as asking, cluster
from .index import embed, match
from .inputs import fetch, ingest
from .judging import signals
from .pipeline.build import BuildResult, Split, derive, embed_missing, encode_once, progress_bar, sort_out, split_all
from .settings import ANSWERS, EMBEDDINGS, Settings, stale
from .store import Store

Item = Any  # a path (str or PathLike), a dict like a JSONL record, or an ingest.Article


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
    """

    def __init__(
        self, path: str | os.PathLike | Store, settings: Settings | None = None, *, encoder=None,
        progress: bool = False, echo: Callable[[str], None] | None = None, ray: str | bool | None = None, **overrides,
    ):
        self.store = path if isinstance(path, Store) else Store(path)
        built_with = Settings.stored(self.store.config())
        self.settings = (settings or built_with).replace(**overrides)
        self.encoder = encoder
        self.progress = progress
        self.echo = echo or (lambda message: None)
        self.ray = ray

    @property
    def settings(self) -> Settings:
        """What the next build makes its results with; setting other settings
        makes the next build redo what they change."""
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self._settings = settings
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

    def _address(self) -> str | None:
        return None if self.ray is True else self.ray

    def pairs_judge(self):
        """The judge of matched pairs (``Settings.pairs_judge``): a model
        judge keeps its verdicts in this corpus's db."""
        if self._judge is None:
            self._judge = self.settings.pairs_judge(cache=self.store, progress=self.progress, echo=self.echo)
        return self._judge

    def stance_judge(self):
        """The same judge for claims against a question (``Settings.stance_judge``)."""
        return self.settings.stance_judge(cache=self.store, progress=self.progress, echo=self.echo)

    # Writing ---------------------------------------------------------------

    def add(
        self, items: Iterable[Item] | Item = (), story: str | None = None, build: bool = True, refresh: bool = False,
        feeds: Iterable[str] = (),
    ) -> BuildResult:
        """Read articles, split them into claims, embed and store them; then
        (``build``) bring stories, pairs, topics and answers up to date.

        ``items``: paths of .txt/.md/.jsonl files or folders, dicts like
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
        with _collector_paused():
            return self._add(items, story, build, refresh, list(feeds))

    def _add(self, items, story: str | None, build: bool, refresh: bool = False, feeds: list[str] = ()) -> BuildResult:
        result = BuildResult()
        items = ingest.as_items(items)
        urls, items, fetched_problems = fetch.split_items(items)
        from_feeds: dict[str, dict] = {}
        for feed in feeds:
            entries, trouble = fetch.feed_items(feed)
            fetched_problems += trouble
            for entry in entries:
                from_feeds.setdefault(entry["url"], entry)
        urls = list(dict.fromkeys(urls + list(from_feeds)))
        if urls:
            with result.timed("fetch"):
                fetched, trouble = fetch.articles_from(urls, self.store, refresh)
            for article in fetched:
                entry = from_feeds.get(article.path)
                if entry:
                    article.published = article.published or entry["published"]
                    if not article.title and entry["title"]:
                        article.title = entry["title"]
            items, fetched_problems = items + fetched, fetched_problems + trouble
        with result.timed("ingest"):
            # On a cluster, Parquet files are read there, a row group per task.
            parquet = (lambda paths: cluster.index(paths, self._address())) if self.ray else ingest.read_parquet_files
            articles, problems = ingest.read_items(items, parquet)
            problems = fetched_problems + problems
            for article in articles:
                article.story = article.story or story
            result.problems = problems
            gone = self._gone(items, articles)
            todo = sort_out(self.store, articles, result, set(gone))
            replaced = {old for _, old in todo}
            gone = {id_: path for id_, path in gone.items() if id_ not in replaced}
            # A file edited into another stored article's text: its old version goes.
            gone.update({id_: path for path, id_ in self.store.articles_at(result.duplicates).items() if id_ not in replaced})
        for problem in result.problems:
            self.echo(str(problem))
        if gone:
            with self.store.atomic():
                for article_id, path in gone.items():
                    self.store.remove_article(article_id)
                    result.problems.append(ingest.Problem(path, "no longer there (or no longer readable), removed with its claims", "removed"))
                    self.echo(str(result.problems[-1]))
            result.removed = len(gone)
        known = signals.FeatureMap()
        if self.ray:
            self._add_on_cluster(todo, story, result, known)
        else:
            splits = self._split(todo, result, known)
            texts = [c.content for s in splits for c in s.claims]
            with result.timed("embed"):
                vectors = encode_once(self.store, self.model(), self.settings.model, texts, self.progress) if texts else None
            offset = 0
            with result.timed("write"):
                for s in splits:
                    self._store(s, vectors[offset : offset + len(s.claims)] if s.claims else None, result)
                    offset += len(s.claims)
        self.store.log(result.problems)
        if build:
            self._build(result, known)
        return result.count(self.store)

    def _gone(self, items, articles) -> dict[int, str]:
        """id -> path of the stored articles read from a file or folder given
        here (one that exists: a mistyped path removes nothing) that this
        build did not read: their file was deleted, renamed, or can no
        longer be read. A fresh build of these paths would not have them."""
        given = [str(i) for i in items if isinstance(i, (str, os.PathLike)) and os.path.exists(i)]
        if not given:
            return {}
        read = {a.path for a in articles}
        return {id_: path for id_, path in self.store.articles_under(given) if path not in read}

    def _store(self, split: Split, vectors, result: BuildResult) -> None:
        """One article with its claims and their vectors, in one transaction."""
        with self.store.atomic():
            if split.replaces is not None:
                self.store.remove_article(split.replaces)
                result.replaced += 1
            else:
                result.new += 1
            self.store.add_article(split.article, split.language, split.claims, split.skipped, vectors, self.settings.model, split.rarities)

    def _add_on_cluster(self, todo, story: str | None, result: BuildResult, known: signals.FeatureMap) -> None:
        """Split and embed ``todo`` on the cluster (``cluster.stream``), and
        store each article as it comes, as a local build does."""
        replaces = {(item.path, item.sha256): old for item, old in todo}
        arriving = cluster.stream(todo, self.settings.model, story, self._address())
        # The cluster's stages overlap: what is timed here is the whole stream, as
        # "split", and apart the wait for its first article (workers starting, models loading).
        start = time.perf_counter()
        with result.timed("split"):
            for article, (language, claims, skipped, features, rarities), vectors in progress_bar(arriving, len(todo), "build", self.progress):
                result.seconds.setdefault("first_article", time.perf_counter() - start)
                known.update((c.content, f) for c, f in zip(claims, features))
                if not claims:
                    self._no_claims(article, result)
                else:
                    # A claim stored before keeps its vector (as ``encode_once`` does locally).
                    stored = self.store.stored_vectors(self.settings.model, [c.content for c in claims])
                    vectors = np.vstack([stored.get(c.content, v) for c, v in zip(claims, vectors)]).astype(np.float32, copy=False)
                self._store(Split(article, replaces[(article.path, article.sha256)], language, claims, skipped, rarities), vectors if claims else None, result)

    def build(self) -> BuildResult:
        """Bring what is made of the stored claims up to date with the
        settings: vectors of another model, stories for new articles, pairs
        and verdicts, topics, answers. Nothing is done when all is current."""
        result = BuildResult()
        with _collector_paused():
            self._build(result, signals.FeatureMap())
        return result.count(self.store)

    def _split(self, todo, result: BuildResult, known: signals.FeatureMap) -> list[Split]:
        splits = []
        with result.timed("split"):
            articles = [a for a, _ in todo]
            found = zip(todo, split_all(articles))
            for (article, replaces), (language, claims, skipped, features, rarities) in progress_bar(found, len(todo), "split", self.progress):
                # Lemmatised in a worker: not again when judging.
                known.update((c.content, f) for c, f in zip(claims, features))
                if not claims:
                    self._no_claims(article, result)
                splits.append(Split(article, replaces, language, claims, skipped, rarities))
        return splits

    def _no_claims(self, article, result: BuildResult) -> None:
        problem = ingest.Problem(article.path, "no claims found in the text", "warning")
        result.problems.append(problem)
        self.echo(str(problem))

    def _build(self, result: BuildResult, known: signals.FeatureMap) -> None:
        judge_ = self.pairs_judge()
        key = self.settings.key(judge_.name)
        config = self.store.config()
        model_changed = stale(key, config, EMBEDDINGS) and self.store.db["embeddings"].count > 0
        if model_changed:
            with self.store.atomic(), result.timed("embed"):
                embed_missing(self.store, self.model(), self.settings.model, self.progress)
        # Articles added or removed since the last complete build, an
        # interrupted build, or pairs and answers a model judge left unjudged.
        # A db of an older version has no mark: it is built again once.
        behind = config.get("derived") != "1"
        # Reviews written (or undone) since, in the browser or with SQL: the
        # points proposed from the conflicts follow the reader's word.
        behind |= config.get("reviewed", "0:0:0") != self.store.review_mark()
        # Nothing new, nothing changed: what is stored is what a rebuild would store.
        if model_changed or behind or self.store.unplaced() or stale(key, config, ANSWERS):
            on_cluster = functools.partial(cluster.match_and_judge, address=self._address()) if self.ray else None
            derive(
                self.store, self.settings, judge_, self.stance_judge(), result, known, self.model, model_changed,
                self.echo if self.progress else None, pairs_of=on_cluster,
            )
        if result.unjudged:
            self.echo(f"{result.unjudged:,} pairs or answers left unjudged by {self.settings.judge}: the next build asks again")

    # Reading -----------------------------------------------------------------

    def conflicts(self, story: int | None = None, limit: int | None = None) -> list[dict]:
        """Pairs judged to conflict, strongest first: both claims, who said
        each, in which article, and why (rows of the ``conflicts`` view)."""
        return self._pairs("conflicts", story, limit)

    def agreements(self, story: int | None = None, limit: int | None = None) -> list[dict]:
        """Pairs judged to say the same thing (rows of the ``agreements`` view)."""
        return self._pairs("agreements", story, limit)

    def _pairs(self, view: str, story: int | None, limit: int | None) -> list[dict]:
        where, params = ("story_id = ?", [story]) if story is not None else (None, [])
        return list(self.db[view].rows_where(where, params, limit=limit))

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

    def ask(self, question: str, proposition: str | None = None, limit: int = asking.LIMIT) -> list[asking.Answer]:
        """The claims most relevant to a yes/no ``question``, each with its
        stance toward it (yes, no, unclear) and the reason, given by the
        build's judge at its calibration prior (``Settings.stance_judge``)."""
        return asking.ask(
            self.store, question, proposition, limit, judge_=self.stance_judge(), model=self.settings.model, encoder=self.model(),
        )

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
