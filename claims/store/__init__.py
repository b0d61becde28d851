"""Store: the one owner of the SQLite db (``store.py``), its schema and
migrations (``schema.py``), what is derived from the claims (``derived.py``)
and readers' reviews (``reviews.py``)."""

from ..errors import NotADatabase
from .reviews import REVIEW_VALUES
from .schema import MIGRATIONS
from .store import BUSY_MS, Loaded, Store, beside, readable

__all__ = ["BUSY_MS", "MIGRATIONS", "REVIEW_VALUES", "Loaded", "NotADatabase", "Store", "beside", "readable"]
