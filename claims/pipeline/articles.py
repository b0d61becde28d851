"""Articles: what a build is given, read, and sorted out against what is stored.

URLs and feeds are fetched once (``fetch.py``), files, folders and records
read (``ingest.py``); then each article is new, changed (it replaces its
stored version), unchanged (skipped), or the duplicate of another stored
text; and stored articles whose file is no longer there go.
"""

from __future__ import annotations

import os

from ..inputs import fetch, ingest
from .context import Build


def read(build: Build, items, story: str | None, refresh: bool = False, feeds: list[str] = ()) -> tuple[list[ingest.Article], list[str]]:
    """The articles of ``items`` (see ``Corpus.add``) and of the items of
    ``feeds``, each with ``story`` where it names none, and the files and
    folders given that exist (a mistyped path removes nothing); every problem
    met is told (``Build.told``)."""
    urls, items, problems = fetch.split_items(ingest.as_items(items))
    from_feeds: dict[str, dict] = {}
    for feed in feeds:
        entries, trouble = fetch.feed_items(feed)
        problems += trouble
        for entry in entries:
            from_feeds.setdefault(entry["url"], entry)
    urls = list(dict.fromkeys(urls + list(from_feeds)))
    if urls:
        with build.timed("fetch"):
            fetched, trouble = fetch.articles_from(urls, build.store, refresh)
        for article in fetched:
            entry = from_feeds.get(article.path)
            if entry:
                # The feed's date and title where the page has none.
                article.published = article.published or entry["published"]
                if not article.title and entry["title"]:
                    article.title = entry["title"]
        items, problems = items + fetched, problems + trouble
    with build.timed("ingest"):
        articles, trouble = ingest.read_items(items, build.runner.read_parquet)
    for article in articles:
        article.story = article.story or story
    for problem in problems + trouble:
        build.told(problem)
    given = [str(i) for i in items if isinstance(i, (str, os.PathLike)) and os.path.exists(i)]
    return articles, as_stored(build.store, articles, given)


def _file_of(path: str) -> tuple[str | None, str]:
    """The file an article was read from and the rest of its path (":4",
    a JSONL line), or None where it is no file here (a URL, a record)."""
    head, colon, line = path.rpartition(":")
    if colon and line.isdigit() and os.path.isfile(head):
        return head, colon + line
    return (path, "") if os.path.isfile(path) else (None, "")


def as_stored(store, articles: list[ingest.Article], given: list[str]) -> list[str]:
    """One file is one article however its path is written: an article read
    from a file the store has under another spelling of its path ("seeds"
    from one folder, "/abs/seeds" from another, "./seeds", a symlink) takes
    the stored path, and so do the folders given, so that the build sees it
    unchanged, not a duplicate of itself (nor its stored version gone). Only
    paths the store has not got exactly are looked up, by file name."""
    files: dict[str, list[tuple[ingest.Article, str]]] = {}
    for article in articles:
        name, rest = _file_of(article.path)
        if name:
            files.setdefault(name, []).append((article, rest))
    exact = store.articles_at([a.path for a in articles]) if files else {}
    missing = [name for name, reads in files.items() if not any(a.path in exact for a, _ in reads)]
    if not missing:
        return given
    real: dict[str, str] = {}
    for path in sorted(store.paths_naming({os.path.basename(name) for name in missing})):
        name, _ = _file_of(path)
        if name:
            real.setdefault(os.path.realpath(name), name)
    moved = {name: real[os.path.realpath(name)] for name in missing if real.get(os.path.realpath(name), name) != name}
    for name, stored in moved.items():
        for article, rest in files[name]:
            article.path = stored + rest
    return [_given_as_stored(g, moved) for g in given]


def _given_as_stored(given: str, moved: dict[str, str]) -> str:
    """A folder or file given, spelled as the store spells the files under it."""
    root = os.path.realpath(given)
    for name, stored in moved.items():
        inside = os.path.relpath(os.path.realpath(name), root)
        if inside == ".":
            return stored
        if not inside.startswith("..") and stored.endswith(os.sep + inside):
            return stored[: -len(inside) - 1]
    return given


def sort_out(build: Build, articles: list[ingest.Article], given: list[str]) -> list[tuple[ingest.Article, int | None]]:
    """The articles to split and store, each with the id of the stored version
    it replaces; unchanged ones are counted, duplicates of a stored text become
    problems; and stored articles read from a file or folder ``given`` here
    that this build did not read are removed (``_gone``). The text of a removed
    article under another path is that file renamed, and replaces it (its
    claims keep their vectors)."""
    store, result = build.store, build.result
    gone = _gone(build, articles, given)
    todo, after = [], []
    with_text = store.articles_with_texts([a.sha256 for a in articles])
    at_path = store.articles_at([a.path for a in articles])
    # Stored versions this build replaces: their path has another text now.
    replaced = {at_path[a.path] for a in articles if a.path in at_path and with_text.get(a.sha256, (None,))[0] != at_path[a.path]}
    stored = store.metadata_of([same[0] for same in with_text.values()])
    for article in articles:
        same_text = with_text.get(article.sha256)
        if same_text and same_text[1] == article.path and article.story in (None, same_text[2]):
            metadata = {k: getattr(article, k) for k in store.METADATA}
            if metadata == stored.get(same_text[0], metadata):
                result.unchanged += 1
            else:
                # Same text, another date or title: what a fresh build would store.
                store.update_metadata(same_text[0], metadata)
                result.replaced += 1
        elif same_text and same_text[1] == article.path:
            # Named into another story: built again there, its pairs with it.
            todo.append((article, same_text[0]))
        elif same_text and same_text[0] in gone:
            todo.append((article, same_text[0]))
        elif same_text and same_text[0] in replaced:
            # The old text of a file that changed, now under another path: a new
            # article, stored after the version it duplicates is gone.
            after.append((article, None))
        elif same_text:
            result.duplicates.append(article.path)
            build.told(ingest.Problem(article.path, f"same text as {same_text[1]}, already stored, skipped as duplicate"))
        else:
            todo.append((article, at_path.get(article.path)))
    todo += after
    replacing = {old for _, old in todo}
    gone = {id_: path for id_, path in gone.items() if id_ not in replacing}
    # A file edited into another stored article's text: its old version goes.
    gone.update({id_: path for path, id_ in store.articles_at(result.duplicates).items() if id_ not in replacing})
    _remove(build, gone)
    return todo


def _gone(build: Build, articles: list[ingest.Article], given: list[str]) -> dict[int, str]:
    """id -> path of the stored articles read from a file or folder
    ``given`` that this build did not read: their file was deleted, renamed,
    or can no longer be read. A fresh build of these paths would not have them."""
    if not given:
        return {}
    read = {a.path for a in articles}
    return {id_: path for id_, path in build.store.articles_under(given) if path not in read}


def _remove(build: Build, gone: dict[int, str]) -> None:
    if not gone:
        return
    with build.store.atomic():
        for article_id, path in gone.items():
            build.store.remove_article(article_id)
            build.told(ingest.Problem(path, "no longer there (or no longer readable), removed with its claims", "removed"))
    build.result.removed = len(gone)
