"""Model judges: what the judges that ask a model share.

- a cascade: the signals judge sees every pair first, and only the pairs it
  does not call plainly unrelated go to the model (``--judge-all``: all);
- a verdict cache: verdicts are stored by (judge, the two texts), so a
  rebuild, a build after a crash or an added article never asks the model
  again about a pair it has judged; each batch is stored as it is judged
  (``registry.VerdictCache``);
- failures at the edge: a model that fails or replies out of form leaves its
  pairs unjudged, with one line naming the judge and the pair.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace

from . import judge as judging
from .registry import JudgeOptions, TupleJudge

# Plainly unrelated, for the cascade: the signals judge says "related", the
# claims are not close in meaning (``Scale.cascade``) and share at most this
# many content words.
CASCADE_SHARED = 1
# After this many failures in a row a model judge stops asking: the model is
# down, out of quota or misconfigured, and each further call would fail too.
MAX_FAILURES = 3


def pair_key(text_a: str, text_b: str) -> str:
    """What the cache knows a pair by: its two texts, in order."""
    return hashlib.sha256(f"{text_a}\x00{text_b}".encode("utf-8")).hexdigest()[:32]


class ModelJudge(TupleJudge):
    """A judge that asks a model about the pairs the signals judge does not
    call plainly unrelated, remembers what it was told (``options.cache``),
    and says which pairs it could not judge. Subclasses set ``spec`` (the
    name it was asked for, stored with each verdict) and implement ``ask``."""

    spec = "model"

    def __init__(self, options: JudgeOptions):
        self.options = options
        self.signals = judging.Judge(options)
        self.unjudged = 0  # pairs left unjudged by the last call
        self.usage = {"input": 0, "output": 0}  # tokens, where the model says

    @property
    def name(self) -> str:
        # What the verdicts depend on: the model, and the signals that choose what it sees.
        return f"{self.spec}|{self.signals.name}" + ("|all" if self.options.judge_all else "")

    def ask(self, pairs: list[tuple[str, str, float]]) -> list[tuple[str, float, str] | Exception]:
        """(relation, score, reason) for each ``(text_a, text_b, similarity)``,
        or the exception that kept the model from judging it."""
        raise NotImplementedError

    def sent(self, verdict: judging.Verdict, similarity: float) -> bool:
        """Whether a pair goes to the model: all with ``judge_all``, else the
        pairs the signals judge does not call plainly unrelated."""
        if self.options.judge_all:
            return True
        return verdict.relation != "related" or similarity >= self.signals.scale.cascade or len(verdict.shared) > CASCADE_SHARED

    @property
    def cache_name(self) -> str:
        """What the cached answers are kept under: what they depend on."""
        return self.name

    def judge_pairs(self, pairs, speakers=None, vocabulary=None, known=None) -> list[judging.Verdict | None]:
        first = self.signals.judge_pairs(pairs, speakers, vocabulary, known)
        chosen = [k for k, (v, (_, _, sim)) in enumerate(zip(first, pairs)) if self.sent(v, sim)]
        keys = {k: pair_key(pairs[k][0], pairs[k][1]) for k in chosen}
        answers = self._answers(pairs, chosen, keys)
        speakers = speakers or [(None, None)] * len(pairs)
        verdicts: list[judging.Verdict | None] = list(first)
        for k in chosen:
            answer = answers.get(keys[k])
            verdicts[k] = None if answer is None else self._verdict(answer, first[k], speakers[k])
        return verdicts

    def _answers(self, pairs, chosen: list[int], keys: dict[int, str]) -> dict[str, tuple[str, float, str]]:
        """pair key -> the model's answer, for the ``chosen`` pairs it could
        answer: from the cache, else asked in batches (each batch cached as
        it comes); ``self.unjudged`` counts the rest."""
        cache = self.options.cache
        found = cache.cached_verdicts(self.cache_name, list(keys.values())) if cache is not None else {}
        # Each pair of texts once: a sentence repeated in two articles is one question.
        asked_as: dict[str, int] = {}
        for k in chosen:
            asked_as.setdefault(keys[k], k)
        todo = [k for key, k in asked_as.items() if key not in found]
        answers = dict(found)
        self.unjudged = 0
        failures = processed = 0
        bar = _progress(len(todo), self.spec, self.options.progress)
        start = time.perf_counter()
        for lo in range(0, len(todo), self.options.batch_size):
            batch = todo[lo : lo + self.options.batch_size]
            judged = []
            # ``ask`` may answer lazily, pair by pair: after MAX_FAILURES in a row nothing more is asked.
            for k, reply in zip(batch, self.ask([pairs[k] for k in batch])):
                processed += 1
                if isinstance(reply, Exception):
                    failures += 1
                    self.unjudged += 1
                    self.options.echo(f"{self.spec}: pair left unjudged ({_short(pairs[k][0])} | {_short(pairs[k][1])}): {_one_line(reply)}")
                    if failures >= MAX_FAILURES:
                        break
                    continue
                failures = 0
                answers[keys[k]] = reply
                judged.append((keys[k], *reply))
            if cache is not None and judged:
                cache.cache_verdicts(self.cache_name, judged)
            if bar is not None:
                bar.update(len(batch))
                rate = (lo + len(batch)) / max(1e-9, time.perf_counter() - start)
                bar.set_postfix_str(f"{rate:.1f} pairs/s, tokens in {self.usage['input']:,} out {self.usage['output']:,}")
            if failures >= MAX_FAILURES:
                self.unjudged += len(todo) - processed
                self.options.echo(f"{self.spec}: {len(todo) - processed} more pairs left unjudged after {failures} failures in a row; the next build asks again")
                break
        if bar is not None:
            bar.close()
        return answers

    def _verdict(self, answer: tuple[str, float, str], signals: judging.Verdict, speakers) -> judging.Verdict:
        relation, score, reason = answer
        kind, who = judging._kind(*speakers) if relation == "conflict" else (None, "")
        return replace(signals, relation=relation, score=round(float(score), 3), reason=who + reason, kind=kind, judge=self.spec)


def _progress(total: int, what: str, show: bool):
    if not show or total < 1:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=what, unit="pair")


def _short(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _one_line(error: Exception) -> str:
    message = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {message}" if type(error).__name__ not in message else message
