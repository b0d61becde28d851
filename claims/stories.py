"""Stories: the articles that report on the same event or subject.

Claims are matched and judged only within a story: two claims from articles
about a football match and a bank merger may share a negation and a word, but
they do not contradict each other. A story is

- given by the user: a ``story`` field in a JSONL article, or
  ``claims build --story NAME`` for every article of that build; or
- found: articles are grouped by average linkage over how alike they are, that
  is the mean of two cosines: of their claims' mean embeddings (what they are
  about) and of their content terms weighted by how rare each word is in the
  language (the names, places and things they share, which an embedding of a
  whole article blurs).

The first build groups all its articles at once; later builds put each new
article in the story it is most alike (on average over the story's articles,
the rule average linkage joins by) when that reaches ``THRESHOLD``, or start a
new story. Two articles as alike as ``STRONG`` are one story either way.
Nothing is grouped again, so story ids last across builds.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy import sparse

from .terms import UNKNOWN_RARITY

# Average likeness (see the module docstring) at which articles are one story.
THRESHOLD = 0.475
# Two articles this alike are one story whatever the rest of theirs: a short
# follow-up that repeats one article's subject and names little else.
STRONG = 0.6
EMBEDDING_WEIGHT = 0.5  # the rest is the terms' cosine


def profiles(vectors_by_article: list[np.ndarray], terms_by_article: list[Counter], rarity: dict[str, float], weights_by_article: list[np.ndarray] | None = None):
    """(weighted mean claim vectors, unit length; term vectors weighted by the
    terms' rarity in the language, unit length). ``terms_by_article`` counts
    are weighted already. Rarity in the language, not in the corpus: a
    corpus of five articles on one story has no idf to speak of."""
    dims = vectors_by_article[0].shape[1] if vectors_by_article else 1
    means = np.zeros((len(vectors_by_article), dims), dtype=np.float32)
    for k, v in enumerate(vectors_by_article):
        if len(v):
            w = weights_by_article[k] if weights_by_article is not None else np.ones(len(v))
            means[k] = (w[:, None] * v).sum(axis=0)
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    means = means / np.where(norms > 0, norms, 1.0)
    columns: dict[str, int] = {}
    rows, cols, values = [], [], []
    for row, counts in enumerate(terms_by_article):
        for term, n in counts.items():
            rows.append(row)
            cols.append(columns.setdefault(term, len(columns)))
            values.append((1 + np.log(max(n, 1.0))) * rarity.get(term, UNKNOWN_RARITY))
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(len(terms_by_article), max(1, len(columns))), dtype=np.float64)
    lengths = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    matrix = sparse.diags(1 / np.where(lengths > 0, lengths, 1.0)) @ matrix
    return means.astype(np.float32), matrix.tocsr()


def likeness(a, b) -> np.ndarray:
    """How alike the articles of profiles ``a`` and ``b`` are, pairwise."""
    means_a, terms_a = a
    means_b, terms_b = b
    return EMBEDDING_WEIGHT * (means_a @ means_b.T) + (1 - EMBEDDING_WEIGHT) * (terms_a @ terms_b.T).toarray()


def group(alike: np.ndarray, threshold: float = THRESHOLD, strong: float = STRONG) -> list[int]:
    """A group number per article: average linkage, cut where the average
    likeness between two groups falls below ``threshold``; groups with two
    articles at least ``strong`` alike are joined."""
    n = len(alike)
    if n < 2:
        return [0] * n
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial.distance import squareform

    distance = np.clip(1.0 - alike, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    distance = (distance + distance.T) / 2
    tree = linkage(squareform(distance, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    # Articles are linked to their group's first article and to any article
    # as alike as ``strong``; the components are the stories.
    first_of: dict[int, int] = {}
    rows, cols = [], []
    for k, label in enumerate(labels):
        rows.append(k)
        cols.append(first_of.setdefault(int(label), k))
    strong_rows, strong_cols = np.nonzero(np.triu(alike, 1) >= strong)
    links = sparse.csr_matrix(
        (np.ones(len(rows) + len(strong_rows)), (rows + strong_rows.tolist(), cols + strong_cols.tolist())), shape=(n, n)
    )
    _, components = connected_components(links, directed=False)
    # Numbered by first appearance, so the same input gives the same numbers.
    first: dict[int, int] = {}
    return [first.setdefault(int(c), len(first)) for c in components]


def place(alike_to_stories: np.ndarray, threshold: float = THRESHOLD, closest: np.ndarray | None = None, strong: float = STRONG) -> int | None:
    """The story (column) a new article joins: the most alike on average, if
    it reaches ``threshold``; else the one with the article most alike
    (``closest``), if that reaches ``strong``."""
    if alike_to_stories.size == 0:
        return None
    best = int(np.argmax(alike_to_stories))
    if alike_to_stories[best] >= threshold:
        return best
    if closest is not None and closest.max() >= strong:
        return int(np.argmax(closest))
    return None


def weights(article_ids: list[int], contents: list[str]) -> np.ndarray:
    """How much each claim says about its article's story: 1 over the number of
    articles that have the same sentence. Page furniture repeated under every
    article of a site ("Der Volltext dieses Artikels steht nicht mehr zur
    Verfügung") would otherwise make its articles one story; an article
    carried whole by several outlets keeps its profile, all its claims
    weighing alike."""
    articles_with: dict[str, set[int]] = {}
    for article_id, content in zip(article_ids, contents):
        articles_with.setdefault(content, set()).add(article_id)
    return np.array([1.0 / len(articles_with[c]) for c in contents])


def assign(store, article_ids: np.ndarray, vectors: np.ndarray, claim_terms: list[frozenset[str]], contents: list[str], threshold: float = THRESHOLD) -> int:
    """Give every article of ``store`` (a ``store.Store``) without a story one
    (see the module docstring), from the stored claims: their articles,
    vectors, terms and contents, row by row. The number of articles placed;
    stories' counts are brought up to date."""
    todo = store.unplaced()
    if not todo:
        store.count_stories()  # stories the user named may have new articles
        return 0
    claim_weights = weights(article_ids.tolist(), contents)
    rows_of: dict[int, list[int]] = {}
    counts: dict[int, Counter] = {}
    for k, article_id in enumerate(article_ids.tolist()):
        rows_of.setdefault(article_id, []).append(k)
        bag = counts.setdefault(article_id, Counter())
        for term in claim_terms[k]:
            bag[term] += claim_weights[k]
    stored = store.story_of()
    found_before = store.found_stories()
    ids = list(stored) + todo
    blocks = [vectors[rows_of.get(article_id, [])] for article_id in ids]
    profile = profiles(blocks, [counts.get(a, Counter()) for a in ids], store.term_weights(), [claim_weights[rows_of.get(a, [])] for a in ids])
    k_new = len(stored)
    new_profile = (profile[0][k_new:], profile[1][k_new:])
    if not found_before:
        # The first grouping: all new articles at once, by average linkage.
        groups = group(likeness(new_profile, new_profile), threshold)
        story_of_group: dict[int, int] = {}
        for article_id, g in zip(todo, groups):
            if g not in story_of_group:
                story_of_group[g] = store.new_story()
            store.place(article_id, story_of_group[g])
    else:
        members: dict[int, list[int]] = {}
        for k, article_id in enumerate(ids[:k_new]):
            members.setdefault(stored[article_id], []).append(k)
        alike = likeness(new_profile, profile)
        for j, article_id in enumerate(todo):
            stories = list(members)
            means = np.array([alike[j, members[s]].mean() for s in stories])
            closest = np.array([alike[j, members[s]].max() for s in stories])
            chosen = place(means, threshold, closest)
            story = stories[chosen] if chosen is not None else store.new_story()
            store.place(article_id, story)
            # Later new articles may join the story this one started or joined.
            members.setdefault(story, []).append(k_new + j)
    store.count_stories()
    return len(todo)
