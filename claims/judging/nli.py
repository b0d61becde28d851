"""The ``nli:NAME_OR_PATH`` judge: a sentence-transformers ``CrossEncoder`` NLI
model on disk decides the pairs the signals judge does not call plainly
unrelated, its probabilities combined with the signals'."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from .. import hookspecs
from . import judge as judging
from .model import ModelJudge, pair_key
from .registry import JudgeNotFound, JudgeOptions


class NLIJudge(ModelJudge):
    """``nli:NAME_OR_PATH``: a sentence-transformers ``CrossEncoder`` on disk,
    its probabilities combined with the signals (``judge.Judge(nli_model=...)``).

    What is cached is the model's probabilities, which depend on the two texts
    only; they are combined with the signals of the build at hand. A cached
    verdict would carry the signals of the build that first judged the pair:
    which shared words are rarest, and so a reason and score, change with
    what else is stored."""

    def __init__(self, model: str, options: JudgeOptions):
        super().__init__(options)
        self.spec = f"nli:{model}"
        self.combined = judging.Judge(options, nli_model=model)

    @property
    def cache_name(self) -> str:
        return f"{self.spec}|probabilities"

    def ask(self, pairs):
        model, order = self.combined.nli
        q = np.asarray(model.predict([(a, b) for a, b, _ in pairs], batch_size=self.combined.batch_size, apply_softmax=True))[:, order]
        # Kept as (relation, score, reason): the label it favours, its share, and all three shares.
        return [(judging.LABELS[int(np.argmax(row))], float(row.max()), json.dumps([round(float(x), 6) for x in row])) for row in q]

    def judge_pairs(self, pairs, speakers=None, vocabulary=None, known=None):
        first = self.signals.judge_pairs(pairs, speakers, vocabulary, known)
        chosen = [k for k, (v, (_, _, sim)) in enumerate(zip(first, pairs)) if self.sent(v, sim)]
        keys = {k: pair_key(pairs[k][0], pairs[k][1]) for k in chosen}
        answers = self._answers(pairs, chosen, keys)
        asked = [k for k in chosen if keys[k] in answers]
        verdicts: list[judging.Verdict | None] = list(first)
        for k in chosen:
            verdicts[k] = None
        if asked:
            speakers = speakers or [(None, None)] * len(pairs)
            q = np.array([json.loads(answers[keys[k]][2]) for k in asked])
            decided = self.decide([pairs[k] for k in asked], q, [speakers[k] for k in asked], vocabulary, known)
            for k, verdict in zip(asked, decided):
                verdicts[k] = replace(verdict, judge=self.spec)
        return verdicts

    def decide(self, pairs, q: np.ndarray, speakers, vocabulary, known) -> list[judging.Verdict]:
        """The verdicts of the pairs the model answered, from its (agree,
        related, conflict) probabilities ``q``: here combined with the signals'."""
        return self.combined.judge_pairs(pairs, speakers, vocabulary, known, nli=q)


@hookspecs.hookimpl
def register_judges(register):
    def nli(argument, options):
        if not argument:
            raise JudgeNotFound("nli: name a CrossEncoder NLI model on disk, as nli:PATH")
        try:
            return NLIJudge(argument, options)
        except judging.NLIModelNotFound as e:
            raise JudgeNotFound(f"nli:{argument}: {e}") from e

    register("nli", nli, "a sentence-transformers CrossEncoder NLI model on disk, with the signals: nli:PATH")
