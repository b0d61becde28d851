"""Two claims dbs, row for row: whether a change of the code changed what a build stores.

    python benchmarks/compare_dbs.py before.db after.db

Every table both dbs have is compared, rows in rowid order, and the first rows
that differ are printed. Columns that say when something happened (``at``,
``fetched_at``, ``applied_at``) differ from run to run and are left out, and so
is the ``config`` entry that names the code's version. Exit status 1 when any
table differs.
"""

from __future__ import annotations

import sys

import sqlite_utils

WHEN = {"at", "fetched_at", "applied_at", "time", "seconds"}
SHOWN = 3  # differing rows printed per table


def rows(db: sqlite_utils.Database, table: str) -> list[tuple]:
    columns = [c.name for c in db[table].columns if c.name not in WHEN]
    found = db.execute(f"select {', '.join(f'[{c}]' for c in columns)} from [{table}] order by rowid").fetchall()
    if table == "config":
        found = [r for r in found if r[0] != "version"]
    return found


def compare(a: str, b: str) -> int:
    left, right = sqlite_utils.Database(a), sqlite_utils.Database(b)
    differing = 0
    for table in sorted(set(left.table_names()) | set(right.table_names())):
        if table.startswith(("sqlite_", "_")) or "_fts" in table:
            continue
        if table not in left.table_names() or table not in right.table_names():
            print(f"{table}: only in {a if table in left.table_names() else b}")
            differing += 1
            continue
        x, y = rows(left, table), rows(right, table)
        if x == y:
            print(f"{table}: {len(x):,} rows, equal")
            continue
        differing += 1
        print(f"{table}: {len(x):,} rows against {len(y):,}, DIFFER")
        shown = 0
        for k in range(max(len(x), len(y))):
            one, other = (x[k] if k < len(x) else None), (y[k] if k < len(y) else None)
            if one != other:
                print(f"  row {k}:\n    {str(one)[:300]}\n    {str(other)[:300]}")
                shown += 1
                if shown == SHOWN:
                    break
    return 1 if differing else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    sys.exit(compare(sys.argv[1], sys.argv[2]))
