"""Ingest: turn files into articles, and say clearly what could not be read.

Reading never raises for bad input. Every file that is skipped or decoded with a
fallback yields a ``Problem`` naming the file, so the build can report it and go on.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
HTML_SUFFIXES = {".html", ".htm"}  # saved pages (pages.py)
SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | PARQUET_SUFFIXES | HTML_SUFFIXES
# An article longer than this is cut: no news article is, and splitting a 50 MB
# file would take the build hours.
MAX_CHARS = 1_000_000
# What an article says of itself besides its text: an edit of these alone is
# applied to the stored article in place (``pipeline/articles.sort_out``).
METADATA = ("title", "source", "url", "published", "author")


def published_day(published: str | None) -> dt.date | None:
    """The day an article's ``published`` names: its start as an ISO date
    (YYYY-MM-DD, as pages and feeds give it, a time after it or not). None
    for no date or one not written so: such an article is undated alike for
    stories and on the story page."""
    try:
        return dt.date.fromisoformat((published or "").strip()[:10])
    except ValueError:
        return None


@dataclass
class Article:
    path: str
    title: str
    text: str
    source: str
    url: str | None = None
    published: str | None = None
    # The story the user says the article belongs to (JSONL "story", or
    # ``claims build --story``); None: found by ``stories.py``.
    story: str | None = None
    author: str | None = None  # as a saved page names it
    sha256: str = field(init=False)

    def __post_init__(self):
        self.sha256 = hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class Problem:
    path: str
    message: str
    # "skipped" when nothing of the file was used, "warning" when it was used anyway
    action: str = "skipped"

    def __str__(self):
        return f"{self.path}: {self.message}"


def iter_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path | Problem]:
    """Expand files and folders into article files, in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            entries = sorted(path.rglob("*"))
            found = [p for p in entries if p.is_file() and p.suffix.lower() in SUFFIXES]
            if not found:
                yield Problem(str(path), "no .txt, .md, .html, .jsonl or .parquet files in this folder")
            for p in entries:
                if p.is_symlink() and not p.exists():
                    yield Problem(str(p), "symlink that leads nowhere (a loop or a missing target), skipped")
            yield from found
        elif path.is_file():
            yield path
        elif path.is_symlink():
            yield Problem(str(path), "symlink that leads nowhere (a loop or a missing target), skipped")
        else:
            yield Problem(str(path), "no such file or folder")


def decode(data: bytes, path: str) -> tuple[str | None, Problem | None]:
    """Bytes to text: UTF-8, UTF-16 with a byte order mark, else Latin-1 with a
    warning; binary data is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), Problem(path, "UTF-16, decoded", "warning")
        except UnicodeDecodeError:
            return None, Problem(path, "UTF-16 byte order mark but not valid UTF-16, skipped")
    if b"\x00" in data[:8192]:
        return None, Problem(path, "binary file (NUL bytes), skipped")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Latin-1 maps every byte, so this cannot fail; say so, since umlauts may be wrong.
        return data.decode("latin-1"), Problem(path, "not valid UTF-8, decoded as Latin-1", "warning")
    return text, None


def parse_text(text: str, path: str) -> Article:
    """A .txt/.md article: the first non-empty line is the title."""
    title = next((line.strip().lstrip("#").strip() for line in text.splitlines() if line.strip()), "")
    return Article(path=path, title=title, text=text, source=Path(path).stem)


def parse_jsonl(text: str, path: str) -> tuple[list[Article], list[Problem]]:
    articles, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(Problem(where, f"not valid JSON ({e.msg}), line skipped"))
            continue
        article, trouble = from_record(record, where, Path(path).stem, "line")
        articles += [article] if article else []
        problems += trouble
    return articles, problems


def from_record(record, where: str, default_source: str, unit: str = "record") -> tuple[Article | None, list[Problem]]:
    """An article from a JSONL-like record (``text``, and ``title``,
    ``source``, ``url``, ``published``, ``story`` if known); ``where`` names
    it in problems and is its path unless the record gives ``path``."""
    if not isinstance(record, dict):
        return None, [Problem(where, f"not a JSON object, {unit} skipped")]
    body = record.get("text")
    if not isinstance(body, str) or not body.strip():
        return None, [Problem(where, f"missing or empty 'text' field, {unit} skipped")]
    problems = []
    if len(body) > MAX_CHARS:
        body = body[:MAX_CHARS]
        problems.append(Problem(where, f"text longer than {MAX_CHARS:,} characters, truncated there", "warning"))
    title = record.get("title")
    title = title.strip() if isinstance(title, str) and title.strip() else parse_text(body, where).title
    source = record.get("source")
    article = Article(
        path=where,
        title=title,
        text=body,
        source=str(source) if source else default_source,
        url=_optional_str(record.get("url")),
        published=_optional_str(record.get("published")),
        story=_story(record.get("story")),
    )
    return article, problems


def read_records(records: Iterable[dict]) -> tuple[list[Article], list[Problem]]:
    """Articles from records given in Python (dicts like JSONL lines). A
    record's ``path`` (else its ``url``) identifies it, so that a record given
    again with another text replaces the stored one; without either, a record
    is known by its text."""
    articles, problems = [], []
    for number, record in enumerate(records, start=1):
        where = f"record {number}"
        if isinstance(record, dict):
            name = record.get("path") or record.get("url")
            text = record.get("text")
            if not name and isinstance(text, str):
                name = "record:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
            where = str(name or where)
        article, trouble = from_record(record, where, "records")
        articles += [article] if article else []
        problems += trouble
    return articles, problems


def as_items(items) -> list:
    """What ``read_items`` takes, as a list of items."""
    if isinstance(items, (str, os.PathLike, dict, Article)):
        return [items]
    if hasattr(items, "to_dict") and hasattr(items, "columns"):  # a pandas DataFrame
        return items.to_dict("records")
    return list(items)


def read_items(items, parquet=None) -> tuple[list[Article], list[Problem]]:
    """Articles from what a user of the Python API hands over: a path or an
    iterable of paths (files and folders), dicts, ``Article`` objects, or a
    pandas DataFrame of records; duplicates within the call are reported once.
    ``parquet``: as for ``read``."""
    items = as_items(items)
    paths, records, given = [], [], []
    for item in items:
        if isinstance(item, (str, os.PathLike)):
            paths.append(item)
        elif isinstance(item, Article):
            given.append(item)
        else:
            records.append(item)
    articles, problems = read(paths, parquet) if paths else ([], [])
    from_records, trouble = read_records(records)
    return unique(articles + from_records + given, problems + trouble)


def _optional_str(value) -> str | None:
    return None if value is None else str(value)


def _story(value) -> str | None:
    # A story name is a label; blank means "not given".
    return str(value).strip() or None if value is not None else None


def read_file(path: Path) -> tuple[list[Article], list[Problem]]:
    name = str(path)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        groups, problems = parquet_groups(path)
        articles = []
        for group in groups:
            found, trouble = read_parquet_group(group)
            articles += found
            problems += trouble
        return articles, problems
    try:
        data = path.read_bytes()
    except OSError as e:
        return [], [Problem(name, f"cannot be read ({e.strerror or e}), skipped")]
    if not data.strip():
        return [], [Problem(name, "empty file, skipped")]
    if path.suffix.lower() in HTML_SUFFIXES:
        return read_page(data, name)
    text, problem = decode(data, name)
    problems = [problem] if problem else []
    if text is None:
        return [], problems
    if len(text) > MAX_CHARS and path.suffix.lower() not in JSONL_SUFFIXES:
        text = text[:MAX_CHARS]
        problems.append(Problem(name, f"longer than {MAX_CHARS:,} characters, truncated there", "warning"))
    if path.suffix.lower() in JSONL_SUFFIXES:
        articles, more = parse_jsonl(text, name)
        return articles, problems + more
    return [parse_text(text, name)], problems


def read_page(data: bytes, name: str, url: str | None = None) -> tuple[list[Article], list[Problem]]:
    """A saved web page: its main text and what the page says of itself (``pages.py``)."""
    from . import pages

    if len(data) > 20 * MAX_CHARS:
        return [], [Problem(name, f"a page over {20 * MAX_CHARS:,} bytes, skipped")]
    fields, problem = pages.extract(data, name, url)
    if fields is None:
        return [], [Problem(name, problem)]
    return [Article(path=name, **fields)], []


@dataclass(frozen=True)
class ParquetGroup:
    """One row group of a Parquet file: what one task of a sharded read reads."""

    path: str
    group: int
    first_row: int  # rows of the file before it: its rows are named path:row from first_row + 1
    rows: int


def _pyarrow(name: str):
    try:
        import pyarrow.parquet
    except ImportError:
        return None, Problem(name, "reading Parquet needs pyarrow (pip install 'claims[parquet]'), skipped")
    return pyarrow.parquet, None


def parquet_groups(path: str | os.PathLike) -> tuple[list[ParquetGroup], list[Problem]]:
    """The row groups of a Parquet file of records like JSONL lines (``text``,
    and ``title``, ``source``, ``url``, ``published``, ``story`` if known),
    from its footer: nothing but the footer is read."""
    name = str(path)
    parquet, problem = _pyarrow(name)
    if problem:
        return [], [problem]
    try:
        file = parquet.ParquetFile(name)
        meta, columns = file.metadata, file.schema_arrow.names
    except Exception as e:  # pyarrow raises ArrowInvalid, OSError and others for what is not Parquet
        return [], [Problem(name, f"not a readable Parquet file ({str(e).splitlines()[0] if str(e) else type(e).__name__}), skipped")]
    if "text" not in columns:
        return [], [Problem(name, f"no 'text' column (it has {', '.join(columns) or 'none'}), skipped")]
    if meta.num_rows == 0:
        return [], [Problem(name, "Parquet file without rows, skipped")]
    groups, first = [], 0
    for k in range(meta.num_row_groups):
        rows = meta.row_group(k).num_rows
        if rows:
            groups.append(ParquetGroup(name, k, first, rows))
        first += rows
    return groups, []


def read_parquet_group(group: ParquetGroup, rows: list[int] | None = None) -> tuple[list[Article], list[Problem]]:
    """The articles of one row group; row n of the file is the article
    ``path:n`` (from 1), as line n of a JSONL file is. ``rows``: only these
    rows of the file (the group is read whole, but only they are made articles)."""
    parquet, problem = _pyarrow(group.path)
    if problem:
        return [], [problem]
    try:
        table = parquet.ParquetFile(group.path).read_row_group(group.group)
    except Exception as e:
        return [], [Problem(f"{group.path}:{group.first_row + 1}", f"row group {group.group} cannot be read ({str(e).splitlines()[0] if str(e) else type(e).__name__}), skipped")]
    numbers = range(group.first_row + 1, group.first_row + group.rows + 1) if rows is None else rows
    if rows is not None:
        table = table.take([n - group.first_row - 1 for n in rows])
    articles, problems = [], []
    for number, record in zip(numbers, table.to_pylist()):
        article, trouble = from_record(record, f"{group.path}:{number}", Path(group.path).stem, "row")
        articles += [article] if article else []
        problems += trouble
    return articles, problems


def read_parquet_files(paths: list[str]) -> dict[str, tuple[list[Article], list[Problem]]]:
    """The articles and problems of each Parquet file, read here."""
    return {path: read_file(Path(path)) for path in paths}


def read(paths: Iterable[str | os.PathLike], parquet=None) -> tuple[list[Article], list[Problem]]:
    """Read every article under ``paths``; duplicates within the run are
    reported once. ``parquet``: what reads the Parquet files among them, all at
    once (``read_parquet_files``; on a cluster, ``cluster.index``)."""
    files: list[Path | Problem] = []
    seen_paths: set[str] = set()
    for item in iter_files(paths):
        if not isinstance(item, Problem):
            key = os.path.realpath(item)
            if key in seen_paths:
                # The same file named twice is not a duplicate article.
                item = Problem(str(item), "given more than once, read once", "warning")
            seen_paths.add(key)
        files.append(item)
    tables = [str(f) for f in files if isinstance(f, Path) and f.suffix.lower() in PARQUET_SUFFIXES]
    from_parquet = (parquet or read_parquet_files)(tables) if tables else {}
    articles: list[Article] = []
    problems: list[Problem] = []
    for item in files:
        if isinstance(item, Problem):
            problems.append(item)
            continue
        found, trouble = from_parquet[str(item)] if str(item) in from_parquet else read_file(item)
        problems.extend(trouble)
        articles.extend(found)
    return unique(articles, problems)


def unique(articles: list, problems: list[Problem]) -> tuple[list, list[Problem]]:
    """The articles (or anything with their ``path`` and ``sha256``), each text
    once; a repeated text is a problem."""
    seen: dict[str, str] = {}
    unique = []
    for article in articles:
        if article.sha256 in seen:
            problems.append(Problem(article.path, f"same text as {seen[article.sha256]}, skipped as duplicate"))
            continue
        seen[article.sha256] = article.path
        unique.append(article)
    return unique, problems
