"""The plugin manager: the judges shipped with claims, and those of installed
plugins (entry point group ``claims``)."""

from __future__ import annotations

import pluggy

from . import hookspecs

DEFAULT_PLUGINS = ("claims.judging.judge", "claims.judging.nli", "claims.judging.llm", "claims.judging.e5_judge", "claims.judging.stance_judge")


def manager() -> pluggy.PluginManager:
    """A plugin manager with the built-in judges and every installed plugin."""
    pm = pluggy.PluginManager("claims")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(__import__(name, fromlist=["_"]), name=name)
    pm.load_setuptools_entrypoints("claims")
    return pm


# One manager per process, as Datasette and llm keep theirs: plugins register
# into it (tests register a judge here with ``pm.register``).
pm = manager()
