"""Where plugins written for earlier versions find the judge API (``claims.judges.ModelJudge``):
the names of ``judging.registry``, ``judging.model`` and ``judging.nli``."""

from .index.scales import Scale
from .judging.model import CASCADE_SHARED, MAX_FAILURES, ModelJudge, pair_key
from .judging.nli import NLIJudge
from .judging.registry import DEFAULT, JudgeNotFound, JudgeOptions, VerdictCache, get_judge, registered

CASCADE_SIMILARITY = Scale().cascade  # USE's; another model's is ``scales.of(model).cascade``

__all__ = [
    "CASCADE_SHARED", "CASCADE_SIMILARITY", "DEFAULT", "JudgeNotFound", "JudgeOptions", "MAX_FAILURES", "ModelJudge", "NLIJudge",
    "VerdictCache", "get_judge", "pair_key", "registered",
]
