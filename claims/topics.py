"""Topics: claims about one subject, gathered across sources.

The similarity graph is the matched pairs (``match.py``: embeddings and shared
terms), each edge weighing ``similarity + LEXICAL_WEIGHT * overlap``. Louvain
communities (igraph) cut it into topics; a claim that matched nothing has no topic.
Each topic is labelled with its most distinctive lemmas by class-based TF-IDF
(c-TF-IDF, as BERTopic does): a lemma's frequency in the topic, times
``log(1 + average lemmas per topic / the lemma's frequency in all topics)``.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

from . import lexicon, match, signals

MIN_CLAIMS = 2  # a topic gathers claims; one claim is not a topic
LABEL_WORDS = 4
RESOLUTION = 1.0  # Louvain: higher gives more, smaller topics
SEED = 0  # Louvain is randomised: one seed, the same topics for the same graph


def communities(edges: list[tuple[int, int, float]], resolution: float = RESOLUTION) -> list[list[int]]:
    """Groups of at least ``MIN_CLAIMS`` nodes, largest first, each sorted.

    igraph's Louvain, in C: networkx's, in Python, was most of the topics
    stage on the benchmark's 22,000 claims."""
    import random

    import igraph

    nodes = sorted({n for a, b, _ in edges for n in (a, b)})
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


def words(text: str) -> list[str]:
    """The lemmas of a claim's content words, for labels: not who said it
    ("Beamter", "Person") nor that they said it ("sprechen")."""
    f = signals.features(text)
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


def write_topics(db, since: int = 0) -> int:
    """Replace ``topics`` and ``claim_topics`` from the matched pairs; the
    number of topics. With ``since``, the id of the last claim that had its
    topic, claims after it join the topic of their closest matched claim and the
    rest stays: adding a few articles costs about what they cost."""
    if since and db["topics"].count:
        _join_topics(db, since)
        # Only topics that new claims joined have new claims, sources or conflicts.
        _count(db, "where id in (select topic_id from claim_topics where claim_id > ?)", [since])
        return db["topics"].count
    edges = [
        (a, b, sim + match.LEXICAL_WEIGHT * (overlap or 0.0))
        for a, b, sim, overlap in db.execute("select claim_a, claim_b, similarity, overlap from claim_pairs")
    ]
    groups = communities(edges) if edges else []
    # Labels name what the claims assert, not who said it: their contents.
    text = dict(db.execute("select id, coalesce(content, text) from claims"))
    scores = c_tf_idf([[w for claim in group for w in words(text[claim])] for group in groups])
    ids = carried_ids(groups, dict(db.execute("select claim_id, topic_id from claim_topics")))
    db.execute("delete from claim_topics")
    db.execute("delete from topics")
    db["topics"].insert_all(
        {"id": id_, "label": label(s), "claims": len(group), "sources": 0, "conflicts": 0}
        for id_, group, s in zip(ids, groups, scores)
    )
    db["claim_topics"].insert_all(
        {"claim_id": claim, "topic_id": id_} for id_, group in zip(ids, groups) for claim in group
    )
    _count(db)
    return len(groups)


def carried_ids(groups: list[list[int]], previous: dict[int, int]) -> list[int]:
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
    following = max(set(previous.values()) | taken, default=0) + 1
    for k in range(len(groups)):
        if ids[k] is None:
            ids[k], following = following, following + 1
    return ids


def _join_topics(db, since: int) -> None:
    # claim_a < claim_b: a new claim is always claim_b of a pair with an older one.
    rows = db.execute(
        """select new, topic from (
             select p.claim_b as new, t.topic_id as topic,
                    row_number() over (partition by p.claim_b order by p.similarity + ? * coalesce(p.overlap, 0) desc) as rank
             from claim_pairs p join claim_topics t on t.claim_id = p.claim_a
             where p.claim_b > ? and p.claim_a <= ?)
           where rank = 1""",
        [match.LEXICAL_WEIGHT, since, since],
    ).fetchall()
    db["claim_topics"].insert_all(({"claim_id": new, "topic_id": topic} for new, topic in rows), ignore=True)


def _count(db, where: str = "", params=()) -> None:
    # Sources and conflicts from the tables, so the counts mean what SQL means.
    # "+p.relation" keeps SQLite off the relation index: going from the topic's
    # claims to their pairs, not through every conflict of the corpus per topic.
    db.execute(
        """update topics set
             claims = (select count(*) from claim_topics where topic_id = topics.id),
             sources = (select count(distinct a.source) from claim_topics t
                        join claims c on c.id = t.claim_id join articles a on a.id = c.article_id
                        where t.topic_id = topics.id),
             conflicts = (select count(*) from claim_topics ta
                          join claim_pairs p on p.claim_a = ta.claim_id
                          join claim_topics tb on tb.claim_id = p.claim_b and tb.topic_id = ta.topic_id
                          where ta.topic_id = topics.id and +p.relation = 'conflict') """
        + where,
        params,
    )
