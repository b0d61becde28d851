"""Where plugins written for earlier versions find a judge's verdict (``claims.judge.Verdict``)
and the signals judge: the names of ``judging.judge``."""

from .judging.judge import ALIASES, LABELS, NEWS_PRIOR, Judge, Verdict, Weights, judge, judge_pairs, load_weights

__all__ = ["ALIASES", "LABELS", "NEWS_PRIOR", "Judge", "Verdict", "Weights", "judge", "judge_pairs", "load_weights"]
