"""The docs' generated parts: the CLI reference (docs/cli.md) from the commands'
own --help, and the tables and views (docs/schema.md) from the migrations.

    python docs/generate.py          # rewrite what is between the markers
    python docs/generate.py --check  # exit 1 when a page is out of date (CI, make docs)

Each page keeps its hand-written text; only what lies between
``<!-- generated: NAME -->`` and ``<!-- end generated -->`` is written here.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
WIDTH = 100  # the help's line width, whatever the terminal


def cli_reference() -> str:
    """Every command's --help, as ``claims`` prints it, in the order of ``claims --help``."""
    import click
    from click.testing import CliRunner

    from claims.cli import cli

    runner = CliRunner()
    out = []

    def walk(command: click.Command, path: list[str]) -> None:
        result = runner.invoke(cli, [*path, "--help"], prog_name="claims",
                               terminal_width=WIDTH, max_content_width=WIDTH)
        assert result.exit_code == 0, result.output
        name = " ".join(["claims", *path])
        out.append(f"## {name}\n\n```\n$ {name} --help\n{result.output.rstrip()}\n```\n")
        if isinstance(command, click.Group):
            ctx = click.Context(command)
            for sub in command.list_commands(ctx):
                walk(command.get_command(ctx, sub), [*path, sub])

    walk(cli, [])
    return "\n".join(out)


def schema() -> str:
    """The tables, their columns and the views' SQL of a new db, made by the
    project's own ``Store`` (every migration applied)."""
    import sqlite_utils

    from claims.store import Store

    with tempfile.TemporaryDirectory() as folder:
        db = Store(Path(folder) / "claims.db").db
        out = ["Migrations applied to a new db, in order: "
               + ", ".join(f"`{r['name']}`" for r in db.query("select name from _sqlite_migrations order by id")) + ".\n"]
        out.append("## Tables\n")
        hidden = {t for t in db.table_names() if re.match(r"claims_fts_", t)}
        for name in db.table_names():
            if name in hidden:
                continue
            table = db[name]
            assert isinstance(table, sqlite_utils.db.Table)
            keys = {fk.column: f"{fk.other_table}.{fk.other_column}" for fk in table.foreign_keys}
            pks = set(table.pks) if table.use_rowid is False else set()
            out.append(f"### `{name}`\n")
            if table.virtual_table_using:
                out.append(f"A virtual table ({table.virtual_table_using.lower()}): full-text search on "
                           f"{', '.join(f'`{c.name}`' for c in table.columns)}.\n")
                continue
            out.append("| column | type | |\n| --- | --- | --- |")
            for c in table.columns:
                notes = [n for n in ("primary key" if c.name in pks else "",
                                     f"→ `{keys[c.name]}`" if c.name in keys else "",
                                     "not null" if c.notnull and c.name not in pks else "") if n]
                out.append(f"| `{c.name}` | {c.type or ''} | {', '.join(notes)} |")
            indexes = [ix for ix in table.indexes if not ix.name.startswith("sqlite_autoindex")]
            if indexes:
                out.append("\nIndexes: " + "; ".join(
                    f"`{ix.name}` ({', '.join(c or 'an expression' for c in ix.columns)}{', unique' if ix.unique else ''})" for ix in indexes) + ".")
            out.append("")
        out.append("## Views\n")
        for name in db.view_names():
            sql = db.execute("select sql from sqlite_master where type = 'view' and name = ?", [name]).fetchone()[0]
            columns = ", ".join(f"`{c.name}`" for c in db[name].columns)
            out.append(f"### `{name}`\n\nColumns: {columns}.\n\n```sql\n{sql.strip()}\n```\n")
    return "\n".join(out)


PAGES = {"cli.md": ("cli", cli_reference), "schema.md": ("schema", schema)}


def rewritten(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- generated: {name} -->\n).*?(<!-- end generated -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"docs: no '<!-- generated: {name} -->' ... '<!-- end generated -->' block")
    return pattern.sub(lambda m: m.group(1) + "\n" + body.strip() + "\n\n" + m.group(2), text, count=1)


def stale_pages() -> list[str]:
    """The pages whose generated part is not what the code gives now."""
    return [page for page, (name, make) in PAGES.items()
            if rewritten((DOCS / page).read_text(encoding="utf-8"), name, make()) != (DOCS / page).read_text(encoding="utf-8")]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = stale_pages()
        for page in stale:
            print(f"docs/{page} is out of date: run `python docs/generate.py` (make docs-generate)", file=sys.stderr)
        return 1 if stale else 0
    for page, (name, make) in PAGES.items():
        path = DOCS / page
        path.write_text(rewritten(path.read_text(encoding="utf-8"), name, make()), encoding="utf-8")
        print(f"docs/{page} written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
