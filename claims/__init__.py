"""claims: compare claims across news articles, where sources agree and where they conflict.

    import claims
    corpus = claims.Corpus("news.db")
    corpus.add(["articles/"])
    corpus.conflicts()
"""

from .corpus import Corpus
from .hookspecs import hookimpl
from .settings import Question, Settings
from .store import Store

__all__ = ["Corpus", "Question", "Settings", "Store", "hookimpl"]
