"""Where plugins written for earlier versions find the judge API (``claims.judges.ModelJudge``):
the names of ``judging.registry``, ``judging.model`` and ``judging.nli``."""

from .index.scales import Scale
from .judging.model import CASCADE_SHARED, MAX_FAILURES, ModelJudge, pair_key
from .judging.nli import NLIJudge
from .judging.registry import (
    DEFAULT, ClaimPair, JudgeNotFound, JudgeOptions, Knowledge, PairJudge, VerdictCache, get_judge, judge_claims, registered,
)

CASCADE_SIMILARITY = Scale().cascade  # USE's; another model's is ``scales.of(model).cascade``

__all__ = [
    "CASCADE_SHARED", "CASCADE_SIMILARITY", "ClaimPair", "DEFAULT", "JudgeNotFound", "JudgeOptions", "MAX_FAILURES", "ModelJudge", "NLIJudge",
    "Knowledge", "PairJudge", "VerdictCache", "get_judge", "judge_claims", "pair_key", "registered",
]
