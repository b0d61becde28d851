"""The plugin hooks of claims, declared in one place (pluggy, as Datasette and
``llm`` declare theirs). A plugin is a module or object with ``@hookimpl``
functions, installed with an entry point in the group ``claims``:

    [project.entry-points.claims]
    my_judge = "my_package.claims_plugin"
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("claims")
hookimpl = pluggy.HookimplMarker("claims")


@hookspec
def register_judges(register):
    """Register judges of pairs of claims: ``register(prefix, factory,
    description)``. A judge named ``prefix`` or ``prefix:ARGUMENT`` (``--judge
    nli:PATH``) is made by ``factory(argument, options)``, ``argument`` the
    text after the colon or None, ``options`` a ``judging.registry.JudgeOptions``; it
    returns an object with ``name`` and ``judge_claims(pairs)``, ``pairs`` a list
    of ``judging.registry.ClaimPair`` (see ``judging/registry.py``; a judge with
    the older ``judge_pairs`` still works)."""
