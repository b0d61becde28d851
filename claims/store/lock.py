"""One writer at a time: a build holds ``DB.lock`` (beside the db) while it
writes, so that two builds of one db, say two cron runs that overlap, take
turns instead of interleaving their derivations.

SQLite's own lock is per transaction: two builds would each write whole
transactions, but one build's derivation could read claims the other is
half-way through adding, and both would derive everything. The lock is an
advisory ``flock`` on a file of its own (not on the db, whose POSIX locks
SQLite drops when any handle of the file closes), so readers (Datasette, a
reader's review, ``claims ask``) never wait for it. It is released when the
process ends, however it ends: a killed build leaves no stale lock.

Within one process it is re-entrant (a build that opens the store again, a
migration inside a build), since a second ``flock`` of the same file from the
same process would wait for itself.
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from ..errors import DbBusy

_held: dict[str, int] = {}  # lock path -> depth, in this process
_guard = threading.Lock()


def path_of(db) -> Path | None:
    """The lock file of a ``sqlite_utils.Database`` on disk (None in memory)."""
    for _, name, file in db.execute("pragma database_list").fetchall():
        if name == "main":
            return Path(file + ".lock") if file else None
    return None


@contextmanager
def writing(lock_path: Path | None, echo: Callable[[str], None] = lambda message: None, wait: bool = True):
    """Hold ``lock_path`` while the block runs. When another process holds
    it: wait for it (saying so in one line through ``echo``), or, with
    ``wait=False``, raise ``DbBusy``. Yields whether it waited (what was
    read of the db before may be out of date)."""
    if lock_path is None:
        yield False
        return
    key = os.path.abspath(lock_path)
    with _guard:
        depth = _held.get(key, 0)
        if depth:
            _held[key] = depth + 1
    if depth:
        try:
            yield False
        finally:
            with _guard:
                _held[key] -= 1
        return
    db_name = str(lock_path)[: -len(".lock")]
    f = open(lock_path, "a+")
    waited = False
    try:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waited = True
            if not wait:
                raise DbBusy(f"{db_name}: another build is writing it; try again when it ends") from None
            echo(f"{db_name}: another build is writing it; waiting for it to end")
            fcntl.flock(f, fcntl.LOCK_EX)
        with _guard:
            _held[key] = 1
        try:
            yield waited
        finally:
            with _guard:
                del _held[key]
            fcntl.flock(f, fcntl.LOCK_UN)
    finally:
        f.close()
