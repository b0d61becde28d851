"""What is derived from the stored claims, as the ``Store``'s methods for it
(``Derived``, a mixin of ``store.Store``), split by what each part owns:

- ``derived_stories.py`` (``Stories``): stories, the articles' kept
  profiles and the terms' weights they are compared by, what each story's
  derived rows were made of, and topics; ``in_stories``, the ``where``
  clause every derived table is read by story with;
- ``derived_names.py`` (``Names``): the rare names each article gives;
- ``derived_verdicts.py`` (``Verdicts``): matched pairs and their
  verdicts, the judge's features of each claim, the model judges' verdict
  cache, and the answers, points and sides.

The names of each stay importable from here.
"""

from __future__ import annotations

from .derived_names import Names
from .derived_stories import Stories, in_stories, refresh_term_weights, unweigh_terms_of, weigh_terms_of
from .derived_verdicts import Verdicts

__all__ = ["Derived", "Names", "Stories", "Verdicts", "in_stories", "refresh_term_weights", "unweigh_terms_of", "weigh_terms_of"]


class Derived(Stories, Verdicts, Names):
    """Every method of the ``Store`` for what is derived from the claims."""
