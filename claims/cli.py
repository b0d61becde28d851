"""The ``claims`` command: a thin layer over the pipeline modules."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import embed, match

DEFAULT_DB = "db/claims.db"


@click.group()
@click.version_option(package_name="claims")
def cli():
    "Compare claims across news articles: where sources agree and where they conflict."


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False), help="SQLite database to create or update")
@click.option("--model", default=embed.DEFAULT_MODEL, show_default=True, help="Sentence-transformers model name or local path")
@click.option("--threshold", default=match.DEFAULT_THRESHOLD, show_default=True, type=click.FloatRange(-1, 1), help="Cosine similarity at which two claims are matched")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when writing to a terminal)")
def build(paths, db_path, model, threshold, progress):
    """Build or update the claims database from article files.

    PATHS are .txt, .md or .jsonl files or folders of them (default: seeds/).
    """
    from .build import build as run_build

    paths = paths or ("seeds/",)
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    if progress is None:
        progress = sys.stderr.isatty()
    try:
        result = run_build(
            paths, db_path, model_name=model, threshold=threshold, progress=progress,
            echo=lambda message: click.echo(f"claims: {message}", err=True),
        )
    except embed.ModelNotFound as e:
        raise click.ClickException(str(e))
    click.echo(result.summary())
    if result.read == 0:
        raise click.ClickException("no article could be read from " + ", ".join(paths))


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-h", "--host", default="127.0.0.1", show_default=True)
@click.option("-p", "--port", default=8001, show_default=True, type=int)
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False), help="Datasette metadata (default: metadata.yml beside the db)")
@click.option("--open", "open_browser", is_flag=True, help="Open the browser")
def serve(db_path, host, port, metadata, open_browser):
    """Browse the claims database in Datasette."""
    from .serve import serve as run_serve

    sys.exit(run_serve(db_path, host=host, port=port, metadata=metadata, open_browser=open_browser))


if __name__ == "__main__":
    cli()
