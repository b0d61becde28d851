"""The build context: what one build works with, made once and handed to every stage.

A stage takes the ``Build`` and reads what it needs of it: the store it writes
through, the settings, the judges, the embedding model (loaded when first
asked for), the runner that splits, embeds and matches (here or on a Ray
cluster), and three things a build gathers as it goes: the features of each
claim's text (computed once, in the split workers, and read again by the
judge, the questions and the topics), the timings and counts of the result,
and the lines a user hears of what it is doing.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from ..inputs import ingest
from ..settings import Settings
from ..store import Store
from ..text.features import FeatureMap

Echo = Callable[[str], None]


def silent(message: str) -> None:
    pass


@dataclass
class BuildResult:
    new: int = 0
    unchanged: int = 0
    replaced: int = 0
    removed: int = 0  # stored articles whose file is no longer there
    duplicates: list[str] = field(default_factory=list)  # paths read whose text another stored article has
    problems: list[ingest.Problem] = field(default_factory=list)
    articles: int = 0
    stories: int = 0
    claims: int = 0
    pairs: int = 0
    conflicts: int = 0
    agreements: int = 0
    candidates: int = 0  # conflicts and agreements the machine proposes that no reader has settled
    by_value: int = 0  # of those found, the ones the claims' numbers decide (``sides.BY_VALUE``)
    same_statement: int = 0  # of those found, agreements where two outlets make the same statement
    topics: int = 0
    answers: int = 0
    stories_derived: int = 0  # stories whose pairs, topics, points and sides this build derived again (``scope.py``)
    unjudged: int = 0  # pairs and answers a model judge could not judge: the next build asks again
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, for benchmarks
    stance_reads: dict[int, int] = field(default_factory=dict)  # story id -> pairs the stance model read for its points (not from its cache)
    stance_read_seconds: float = 0.0  # the time the stance model took to read them, for benchmarks
    changes: Counter = field(default_factory=Counter)  # (what, change) -> how many, as ``Store.record_changes`` reported them

    @property
    def read(self) -> int:
        return self.new + self.unchanged + self.replaced

    def summary(self) -> str:
        removed = f", {self.removed} removed" if self.removed else ""
        return (
            f"{self.articles} articles ({self.new} new, {self.replaced} changed, {self.unchanged} unchanged{removed}), {self.stories} stories, "
            f"{self.claims} claims, {self.pairs} pairs, {self.conflicts} conflicts, {self.agreements} agreements, {self.topics} topics"
            + (f", {self.candidates} candidates" if self.candidates else "")
        )

    def trust(self) -> str:
        """One line: what the conflicts and agreements shown are (issue 44)."""
        from .sides import MACHINE

        n = self.same_statement
        same = f", {n} agreement{'s' if n != 1 else ''} where two outlets make the same statement" if n else ""
        if MACHINE is None and (self.by_value or same):
            valued = f", and {self.by_value} pairs whose numbers of one thing the machine compared by value" if self.by_value else ""
            return (f"found: what readers confirmed, sides they gave{same}{valued}; the stance model finds nothing on its own "
                    f"(not measured 0.8 precise): its {self.candidates} candidates wait in the review queue")
        if MACHINE is None:
            return ("found: what readers confirmed, and sides they gave; the machine found nothing on its own (it decides only numbers "
                    "of one thing by value: on a user's question one value or two, on another point one value; "
                    "and the same statement in two outlets; "
                    "its other ways were not measured 0.8 precise): "
                    f"its {self.candidates} candidates wait in the review queue")
        return f"found: what readers confirmed, and the machine's sides from P {MACHINE:.2f}; {self.candidates} candidates wait in the review queue"

    def changed(self) -> str:
        """One line: what this build changed (``store/changes.py``)."""
        from ..store.changes import summary

        return summary(self.changes)

    def count(self, store: Store) -> "BuildResult":
        counts = store.counts()
        self.articles, self.stories, self.claims = counts["articles"], counts["stories"], counts["claims"]
        self.pairs, self.topics, self.answers = counts["claim_pairs"], counts["topics"], counts["answers"]
        self.conflicts, self.agreements, self.candidates = counts["conflict"], counts["agree"], counts["candidates"]
        self.by_value = counts.get("by_value", 0)
        self.same_statement = counts.get("same_statement", 0)
        return self

    @contextlib.contextmanager
    def timed(self, stage: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start


@dataclass
class Build:
    """One build's (or one question's) context. ``encoder()`` gives the
    embedding model of ``settings.model``; ``runner`` splits, embeds and
    matches (``local.Local``, or ``cluster.Cluster`` on Ray)."""

    store: Store
    settings: Settings
    judge: object  # of matched pairs (``Settings.pairs_judge``)
    stance_judge: object  # of claims against a question (``Settings.stance_judge``)
    encoder: Callable[[], object]
    runner: object = None
    features: FeatureMap = field(default_factory=FeatureMap)
    result: BuildResult = field(default_factory=BuildResult)
    echo: Echo = silent
    progress: bool = False
    order: dict | None = None  # claim id -> rank by article path and position, once the build has read it
    previous: dict | None = None  # claim id -> the claim before it in its article, once asked for (``ask.py``)
    stories: set | None = None  # the stories this build derives again (``scope.py``; None: all)

    def timed(self, stage: str):
        return self.result.timed(stage)

    def doing(self, message: str) -> None:
        """What a long build is doing, said where it shows its progress."""
        if self.progress:
            self.echo(message)

    def told(self, problem: ingest.Problem) -> None:
        """A problem met: kept in the result (and so in ``ingest_log``), and said."""
        self.result.problems.append(problem)
        self.echo(str(problem))

    def bar(self, items, total: int, stage: str, unit: str = "article"):
        """``items``, with a progress bar when the build shows progress."""
        if not self.progress or total < 2:
            return items
        from tqdm import tqdm

        return tqdm(items, total=total, desc=stage, unit=unit)
