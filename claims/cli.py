"""The ``claims`` command: a thin layer over the pipeline modules."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import embed, judge, match

DEFAULT_DB = "db/claims.db"


@click.group()
@click.version_option(package_name="claims")
def cli():
    "Compare claims across news articles: where sources agree and where they conflict."


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False), help="SQLite database to create or update")
@click.option("--model", default=embed.DEFAULT_MODEL, show_default=True, help="Sentence-transformers model name or local path")
@click.option("--threshold", default=match.DEFAULT_THRESHOLD, show_default=True, type=click.FloatRange(-1, 2), help="Score (cosine + 0.5 x overlap of specific terms) at which claims that share terms are matched")
@click.option("--semantic-threshold", default=match.SEMANTIC_THRESHOLD, show_default=True, type=click.FloatRange(-1, 1), help="Cosine at which claims that share no specific term are matched")
@click.option("--nli-model", help="A local sentence-transformers CrossEncoder NLI model to add to the judge")
@click.option("--conflict-prior", default=judge.NEWS_PRIOR, show_default=True, type=click.FloatRange(0, 0.5, min_open=True, max_open=True), help="Expected share of conflicts, and of agreements, among matched pairs")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when writing to a terminal)")
def build(paths, db_path, model, threshold, semantic_threshold, nli_model, conflict_prior, progress):
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
            paths, db_path, model_name=model, threshold=threshold, semantic_threshold=semantic_threshold, progress=progress,
            echo=lambda message: click.echo(f"claims: {message}", err=True),
            nli_model=nli_model, conflict_prior=conflict_prior,
        )
    except (embed.ModelNotFound, judge.NLIModelNotFound) as e:
        raise click.ClickException(str(e))
    click.echo(result.summary())
    if result.read == 0:
        raise click.ClickException("no article could be read from " + ", ".join(paths))


@cli.command(name="eval")
@click.argument("pairs_file", metavar="PAIRS.tsv", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object")
@click.option("--model", default=embed.DEFAULT_MODEL, show_default=True, help="Sentence-transformers model for similarities")
@click.option("--nli-model", help="A local sentence-transformers CrossEncoder NLI model to add to the judge")
@click.option("--prior", type=click.FloatRange(0, 0.5, min_open=True, max_open=True), help="Expected share of conflicts, and of agreements (default: as in the calibration pairs)")
@click.option("--baseline", is_flag=True, help="Measure the plain rule 'a negation word in exactly one text' instead")
def eval_command(pairs_file, as_json, model, nli_model, prior, baseline):
    """Measure the judge on labelled pairs: premise<TAB>hypothesis<TAB>label.

    Labels are entailment/neutral/contradiction or agree/related/conflict.
    """
    import json

    from . import eval as evaluation
    from .judge import NLIModelNotFound

    try:
        pairs = evaluation.read_pairs(pairs_file)
        if baseline:
            report = evaluation.negation_rule(pairs)
        else:
            report = evaluation.evaluate(pairs, model_name=model, nli_model=nli_model, prior=prior)
    except (evaluation.PairsError, embed.ModelNotFound, NLIModelNotFound) as e:
        raise click.ClickException(str(e))
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.table())


@cli.command()
@click.argument("pairs_file", metavar="PAIRS.tsv", type=click.Path(dir_okay=False))
@click.option("-o", "--output", default="claims/data/judge_weights.json", show_default=True, type=click.Path(dir_okay=False), help="Where to write the weights")
@click.option("--model", default=embed.DEFAULT_MODEL, show_default=True, help="Sentence-transformers model for similarities")
def calibrate(pairs_file, output, model):
    """Fit the judge's weights on labelled pairs and write them as JSON."""
    import json

    from . import eval as evaluation
    from .calibrate import calibrate as run_calibrate

    try:
        pairs = evaluation.read_pairs(pairs_file)
        weights = run_calibrate(pairs, model_name=model, source=Path(pairs_file).name)
    except (evaluation.PairsError, embed.ModelNotFound) as e:
        raise click.ClickException(str(e))
    Path(output).write_text(json.dumps(weights.to_dict(), indent=1) + "\n", encoding="utf-8")
    click.echo(f"{output}: weights from {len(pairs)} pairs, conflict threshold {weights.conflict_threshold:.2f}")


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
