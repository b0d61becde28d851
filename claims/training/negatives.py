"""Hard negatives for the stance model: texts that look like an answer to a
point and do not answer it.

Why: trained only on Wahl-O-Mat's own pairs (a thesis and a party's
justification of its answer to *that* thesis), the model never sees a text
that is about the same thing without answering, and on news it reads "about
the same thing" as "yes" (issue 46). The realistic negatives are the
justifications of the *other* theses of the same election that look most like
the thesis (the same parties, the same policy field, the same words), labelled
"does not answer".

Wahl-O-Mat's file names no election, but lists each party's answers to one
election's theses in a run; theses that stand within ``WINDOW`` rows of each
other at least ``TOGETHER`` times belong to one election (a thesis reused in
a later election links both, which is harmless here).

A justification given to more than one thesis (a party's "see our
programme") is never a negative: it is labelled with a side elsewhere. Nor is
a justification of a thesis that reads almost as the thesis itself
(``SAME_THESIS``), which may well answer it.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import numpy as np

WINDOW = 30  # rows either side in which one election's theses stand together
TOGETHER = 3  # times, for two theses to count as the same election's
SAME_THESIS = 0.8  # USE similarity from which another thesis may be this one reworded
SHARE = 0.2  # negatives per thesis, as a share of its own pairs


def elections(rows: list[tuple[str, str, str]]) -> dict[str, set[str]]:
    """For each thesis, the other theses of its election."""
    theses = [a for a, _, _ in rows]
    together = Counter()
    for i, a in enumerate(theses):
        for b in set(theses[i + 1 : i + 1 + WINDOW]):
            if b != a:
                together[(a, b) if a < b else (b, a)] += 1
    out = defaultdict(set)
    for (a, b), n in together.items():
        if n >= TOGETHER:
            out[a].add(b)
            out[b].add(a)
    return out


def hard_negatives(rows: list[tuple[str, str, str]], model=None, share: float = SHARE, seed: int = 0):
    """(thesis, justification) pairs where the justification answers another
    thesis of the same election and looks most like this one: for each thesis,
    ``share`` times as many as it has pairs of its own (at least one), the most
    similar first."""
    from ..index import embed

    model = model or embed.load_model()
    per_thesis = defaultdict(list)
    given_to = defaultdict(set)
    for a, b, _ in rows:
        per_thesis[a].append(b)
        given_to[b].add(a)
    own = {b for b, theses in given_to.items() if len(theses) == 1}
    neighbours = elections(rows)
    theses = sorted(per_thesis)
    texts = sorted(own)
    t_vec = embed.encode(model, theses)
    j_vec = embed.encode(model, texts)
    t_index = {t: i for i, t in enumerate(theses)}
    j_index = {t: i for i, t in enumerate(texts)}
    rng = random.Random(seed)
    out = []
    for thesis in theses:
        others = [o for o in neighbours.get(thesis, ()) if float(t_vec[t_index[thesis]] @ t_vec[t_index[o]]) < SAME_THESIS]
        candidates = sorted({b for o in others for b in per_thesis[o] if b in own})
        if not candidates:
            continue
        sims = j_vec[[j_index[b] for b in candidates]] @ t_vec[t_index[thesis]]
        n = max(1, round(share * len(per_thesis[thesis])))
        best = np.argsort(-sims, kind="stable")[:n]
        out += [(thesis, candidates[k]) for k in best]
    rng.shuffle(out)
    return out
