"""Topics: claims about one subject, gathered across sources.

The similarity graph is the matched pairs (``match.py``: embeddings and shared
terms), each edge weighing ``similarity + LEXICAL_WEIGHT * overlap``. Louvain
communities (igraph) cut each story's graph into topics (pairs are of one
story); a claim that matched nothing has no topic. Each topic is labelled
with its most distinctive lemmas by class-based TF-IDF (c-TF-IDF, as BERTopic
does) among the topics of its story: a lemma's frequency in the topic, times
``log(1 + average lemmas per topic / the lemma's frequency in all of them)``,
times how rare the lemma is in the language (``terms.rarity``). A story's
topics depend on nothing outside it: an added article changes the topics of
its story only.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

from ..text import features, lexicon, terms
from . import match

MIN_CLAIMS = 2  # a topic gathers claims; one claim is not a topic
LABEL_WORDS = 4
RESOLUTION = 1.0  # Louvain: higher gives more, smaller topics
SEED = 0  # Louvain is randomised: one seed, the same topics for the same graph


def communities(edges: list[tuple[int, int, float]], resolution: float = RESOLUTION, order: dict | None = None) -> list[list[int]]:
    """Groups of at least ``MIN_CLAIMS`` nodes, largest first, each sorted.
    ``order``: node -> rank, the order Louvain visits the nodes in (default
    their own order); the communities depend on it, so a build passes an
    order that does not depend on ids (``Store.claim_order``).

    igraph's Louvain, in C: networkx's, in Python, was most of the topics
    stage on the benchmark's 22,000 claims."""
    import random

    import igraph

    order = order or {}
    nodes = sorted({n for a, b, _ in edges for n in (a, b)}, key=lambda n: (order.get(n, n), n))
    # Edges in the nodes' order too: igraph's result depends on theirs as well.
    edges = sorted(edges, key=lambda e: sorted((order.get(e[0], e[0]), order.get(e[1], e[1]))))
    index = {n: k for k, n in enumerate(nodes)}
    graph = igraph.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b, _ in edges])
    # igraph draws from the generator it is given: a seeded one, the same topics for the same graph.
    igraph.set_random_number_generator(random.Random(SEED))
    try:
        found = graph.community_multilevel(weights=[w for _, _, w in edges], resolution=resolution)
    finally:
        igraph.set_random_number_generator(random)
    groups = [sorted(nodes[k] for k in group) for group in found if len(group) >= MIN_CLAIMS]
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def words(f: features.Features) -> list[str]:
    """The lemmas of a claim's content words (of its ``features.of``),
    for labels: not who said it ("Beamter", "Person") nor that they said it
    ("sprechen")."""
    unsaid = _attribution_words()
    return [lemma for lemma, keys in zip(f.sequence, f.keys) if keys and not lemma.isdigit() and lemma not in unsaid]


@lru_cache(maxsize=None)
def _attribution_words() -> frozenset[str]:
    cues = {lexicon.lemma(cue) for cue in lexicon.speech_cues()}
    return frozenset(cues | lexicon.anonymous_roles() | {lexicon.lemma(w) for w in lexicon.anonymous_roles()} | {"sprechen"})


def c_tf_idf(documents: list[list[str]]) -> list[dict[str, float]]:
    """Per class (one document of all its words), each word's c-TF-IDF."""
    counts = [Counter(doc) for doc in documents]
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    average = sum(total.values()) / max(1, len(documents))
    scores = []
    for c in counts:
        size = sum(c.values()) or 1
        scores.append({w: (n / size) * math.log(1 + average / total[w]) for w, n in c.items()})
    return scores


def label(scores: dict[str, float], n: int = LABEL_WORDS) -> str:
    return ", ".join(w for w, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:n])


def write_topics(store, since: int = 0, known: features.FeatureMap | None = None, stories=None) -> int:
    """Replace the topics of ``store`` (a ``store.Store``) from the matched
    pairs of ``stories`` (default: all), as a fresh build makes them; the
    number of topics written. ``known``: claims' features computed before.
    (``since`` is kept for callers.)"""
    by_story: dict[int, list] = {}
    for a, b, sim, overlap, story in store.pair_edges(stories):
        by_story.setdefault(story, []).append((a, b, match.score(sim, overlap or 0.0)))
    order = store.claim_order(stories)
    # Labels name what the claims assert, not who said it: their contents.
    text = store.contents(stories)
    known = features.FeatureMap() if known is None else known
    groups, scores = [], []
    for story in sorted(by_story):
        found = communities(by_story[story], order=order)
        groups += found
        scores += [{w: s * terms.rarity(w) for w, s in c.items()}
                   for c in c_tf_idf([[w for claim in group for w in words(known[text[claim]])] for group in found])]
    ranked = sorted(range(len(groups)), key=lambda k: (-len(groups[k]), groups[k][0]))
    groups, scores = [groups[k] for k in ranked], [scores[k] for k in ranked]
    # New ids after every stored topic's, those of stories kept included.
    ids = carried_ids(groups, store.topic_of(stories), store.last_topic())
    store.replace_topics([(id_, label(s), group) for id_, group, s in zip(ids, groups, scores)], stories)
    return len(groups)


def carried_ids(groups: list[list[int]], previous: dict[int, int], last: int = 0) -> list[int]:
    """An id for each group: the id of the earlier topic it shares the most
    claims with (``previous``: claim -> topic), so that clustering again keeps
    the ids saved queries and links name; ids after all earlier ones for the rest."""
    overlaps = sorted(
        ((-n, k, topic) for k, group in enumerate(groups)
         for topic, n in Counter(previous[c] for c in group if c in previous).items()),
    )
    ids: list[int | None] = [None] * len(groups)
    taken: set[int] = set()
    for _, k, topic in overlaps:
        if ids[k] is None and topic not in taken:
            ids[k] = topic
            taken.add(topic)
    following = max(set(previous.values()) | taken | {last}) + 1
    for k in range(len(groups)):
        if ids[k] is None:
            ids[k], following = following, following + 1
    return ids
