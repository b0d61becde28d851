"""Where plugins written for earlier versions find the judge API (``claims.judges.ModelJudge``):
the names of ``judging.registry``, ``judging.model`` and ``judging.nli``."""

from .judging.model import CASCADE_SHARED, CASCADE_SIMILARITY, MAX_FAILURES, ModelJudge, pair_key
from .judging.nli import NLIJudge
from .judging.registry import DEFAULT, JudgeNotFound, JudgeOptions, VerdictCache, get_judge, registered

__all__ = [
    "CASCADE_SHARED", "CASCADE_SIMILARITY", "DEFAULT", "JudgeNotFound", "JudgeOptions", "MAX_FAILURES", "ModelJudge", "NLIJudge",
    "VerdictCache", "get_judge", "pair_key", "registered",
]
