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

Found stories are grouped again on every build that changes them, all at
once, so that they are what a fresh build of the same articles gives, whatever
order the articles came in; each group keeps the id of the story it shares
the most articles with. Two articles as alike as ``Scale.story_strong`` are one story
either way. Only on a db of more than ``REGROUP_MAX`` articles in found
stories is each new article put in the story it is most alike (on average over
the story's articles, the rule average linkage joins by) when that reaches
``Scale.story``, or in a new story. Articles never join a story the user named.
Both cut-offs are on the embedding model's scale (``scales.py``).

Where two articles both have a date, time takes part (``in_time``): up to
``DATE_WINDOW`` days apart they are as alike as their texts; beyond, their
likeness halves every ``DATE_HALF_LIFE`` days, so the same subject reported
months apart (two rounds of talks) is two stories, unless the reports name the
same people and places (``timing.keeps``: a story runs as long as its people
do). An article without a date is grouped by its text alone, as before.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .scales import Scale
from .timing import EVENT_BONUS, EVENT_FLOOR, gaps, in_time, same_event, shared_names

# Average likeness (see the module docstring) at which articles are one story:
# ``Scale.story``. Two articles ``Scale.story_strong`` alike are one story
# whatever the rest of theirs: a short follow-up that repeats one article's
# subject and names little else.
EMBEDDING_WEIGHT = 0.5  # the rest is the terms' cosine


def profiles(rows: np.ndarray, n: int, claim_weights: np.ndarray, vectors: np.ndarray, presence: sparse.csr_matrix, rarity: np.ndarray):
    """Profiles of ``n`` articles from their claims (``rows[k]``: the article
    row of claim k): their weighted mean claim vectors, unit length; and their
    terms, each weighing ``(1 + log n) * rarity``, n its weighted count in the
    article (``presence``: claims x terms, ``rarity``: per term column), unit
    length. Rarity in the language, not in the corpus: a corpus of five
    articles on one story has no idf to speak of."""
    # float32 like the vectors: a float64 matrix would copy them all to float64 first.
    to_article = sparse.csr_matrix((claim_weights.astype(np.float32), (rows, np.arange(len(rows)))), shape=(n, len(rows)))
    means = np.asarray(to_article @ vectors, dtype=np.float32) if len(rows) else np.zeros((n, max(1, vectors.shape[1] if vectors.ndim == 2 else 1)), dtype=np.float32)
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    means = means / np.where(norms > 0, norms, 1.0)
    counts = (to_article @ presence).tocsr()
    counts.data = 1 + np.log(np.maximum(counts.data, 1.0))
    matrix = counts.multiply(rarity[None, :]).tocsr()
    # Each row's terms in column order (columns are terms in sorted order):
    # its length is then summed in an order its own terms set, so an
    # article's profile is the same float for float whichever articles it
    # was made with, and a kept one stands for it (``assemble``).
    matrix.sort_indices()
    lengths = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    matrix = (sparse.diags(1 / np.where(lengths > 0, lengths, 1.0)) @ matrix).tocsr()
    matrix.sort_indices()
    return means.astype(np.float32), matrix


def assemble(means: list[np.ndarray], term_weights: list[dict[str, float]], width: int):
    """Profiles (as ``profiles`` gives them) from each article's mean vector
    and term -> weight (``Claims.term_weights``, or as the store kept them):
    columns are the terms in sorted order, each row's in column order, so
    likeness sums each dot product in the same order however the profiles
    were made (made in one build with every article, or kept from several)."""
    n = len(means)
    # An article without a claim has no mean (one made with no claim at all is a
    # single 0): as in a fresh build, where its row of the means is zeros.
    means = [m if len(m) == width else np.zeros(width, dtype=np.float32) for m in means]
    vectors = np.vstack(means).astype(np.float32, copy=False) if n else np.zeros((0, max(1, width)), dtype=np.float32)
    names = sorted({t for weights in term_weights for t in weights})
    column = {t: k for k, t in enumerate(names)}
    cols = np.fromiter((column[t] for weights in term_weights for t in weights), dtype=np.int64)
    values = np.fromiter((w for weights in term_weights for w in weights.values()), dtype=np.float64, count=len(cols))
    rows = np.repeat(np.arange(n), [len(weights) for weights in term_weights]) if n else np.zeros(0, dtype=np.int64)
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(n, max(1, len(names))))
    matrix.sort_indices()
    return vectors, matrix


def likeness(a, b) -> np.ndarray:
    """How alike the articles of profiles ``a`` and ``b`` are, pairwise."""
    means_a, terms_a = a
    means_b, terms_b = b
    return EMBEDDING_WEIGHT * (means_a @ means_b.T) + (1 - EMBEDDING_WEIGHT) * (terms_a @ terms_b.T).toarray()


def group(alike: np.ndarray, threshold: float = Scale.story, strong: float = Scale.story_strong) -> list[int]:
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


def place(alike_to_stories: np.ndarray, threshold: float = Scale.story, closest: np.ndarray | None = None, strong: float = Scale.story_strong) -> int | None:
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


def per_story(alike: np.ndarray, story_of_article: np.ndarray, stories: int) -> tuple[np.ndarray, np.ndarray]:
    """The mean and the greatest of ``alike`` (one article's likeness to each
    placed article) over each story's articles (``story_of_article``: the
    story column of each), in a few array passes however many stories there
    are: a Python loop over the stories was what placing cost on large dbs."""
    column = story_of_article
    counts = np.bincount(column, minlength=stories)
    means = np.bincount(column, weights=alike, minlength=stories) / np.maximum(counts, 1)
    closest = np.full(stories, -np.inf)
    np.maximum.at(closest, column, alike)
    return means, closest


def weights(article_ids: list[int], contents: list[str], repeats: dict[str, int] | None = None) -> np.ndarray:
    """How much each claim says about its article's story: 1 over the number of
    articles that have the same sentence (among these claims' articles, or as
    ``repeats`` counts them: content -> articles of the db, where more than
    one). Page furniture repeated under every article of a site ("Der
    Volltext dieses Artikels steht nicht mehr zur Verfügung") would
    otherwise make its articles one story; an article carried whole by
    several outlets keeps its profile, all its claims weighing alike."""
    if repeats is not None:
        return np.array([1.0 / repeats.get(c, 1) for c in contents])
    articles_with: dict[str, set[int]] = {}
    for article_id, content in zip(article_ids, contents):
        articles_with.setdefault(content, set()).add(article_id)
    return np.array([1.0 / len(articles_with[c]) for c in contents])


# Up to this many articles in found stories, every build groups them all again,
# as a fresh build of the same articles would (average linkage holds their
# pairwise likeness in memory: 5,000 articles take about 300 MB and a second).
# Beyond it, new articles are placed in the stories there are (``place``) and
# stories depend on the order articles came in.
REGROUP_MAX = 5000


@dataclass
class Claims:
    """The stored claims as stories read them, row by row: their articles,
    vectors, terms (``presence``: claims x terms, ``rarity``: how rare each
    term column is) and contents; ``repeats``: content -> how many articles
    of the db assert it, where more than one (None: count among these claims);
    ``columns``: the term of each column, where profiles are kept."""

    article_ids: np.ndarray
    vectors: np.ndarray
    presence: sparse.csr_matrix
    rarity: np.ndarray
    contents: list[str]
    repeats: dict[str, int] | None = None
    columns: list[str] | None = None

    def profiles(self, ids: list[int]):
        """The profiles (``profiles``) of the articles ``ids``, in that order,
        from their claims."""
        row_of = {article_id: k for k, article_id in enumerate(ids)}
        keep = np.array([a in row_of for a in self.article_ids.tolist()], dtype=bool)
        rows = np.array([row_of[a] for a in self.article_ids[keep].tolist()], dtype=np.int64)
        kept_contents = [c for c, k in zip(self.contents, keep.tolist()) if k]
        claim_weights = weights(self.article_ids[keep].tolist(), kept_contents, self.repeats)
        return profiles(rows, len(ids), claim_weights, self.vectors[keep], self.presence[np.flatnonzero(keep)], self.rarity)

    def term_weights(self, matrix: sparse.csr_matrix) -> list[dict[str, float]]:
        """Each row of a profiles' term ``matrix`` as term -> weight."""
        matrix = matrix.tocsr()
        return [{self.columns[c]: float(w) for c, w in zip(matrix.indices[matrix.indptr[k]:matrix.indptr[k + 1]], matrix.data[matrix.indptr[k]:matrix.indptr[k + 1]])}
                for k in range(matrix.shape[0])]


def assign(store, claims, scale: Scale = Scale(), model: str | None = None) -> int:
    """Give every article of ``store`` (a ``store.Store``) that is not in a
    story the user named a found story (see the module docstring). Up to
    ``REGROUP_MAX`` such articles they are grouped again all at once, each
    group keeping the id of the story it shares the most articles with;
    beyond, only articles without a story are placed. The number of articles
    whose story was set or changed; stories' counts are brought up to date.

    ``claims``: the stored ``Claims``, or a function that gives the ``Claims``
    of a list of article ids. With ``model``, each article's profile under it
    is kept (``Store.save_profiles``) once made, and past ``REGROUP_MAX`` the
    stored articles are compared by their kept profiles: a new article is
    placed from its own claims and the stored profiles, not every stored
    claim. ``scale``: the model's cut-offs."""
    load = claims if callable(claims) else (lambda ids: claims)
    found = store.found_articles()
    if len(found) > REGROUP_MAX:
        moved = _place_new(store, load, scale, model)
    elif found:
        moved = _regroup(store, found, load, scale, model)
    else:
        moved = 0
    store.count_stories()
    return moved


def _keep_profiles(store, model: str | None, claims: Claims, ids: list[int], profile, only: set[int] | None = None) -> None:
    """Keep the profiles of ``ids`` (of ``only`` of them) that have none under ``model``."""
    if model is None or claims.columns is None:
        return
    have = set(store.profile_means(model, ids)[0])
    rows = [k for k, a in enumerate(ids) if a not in have and (only is None or a in only)]
    if rows:
        store.save_profiles(model, [ids[k] for k in rows], profile[0][rows], claims.term_weights(profile[1][rows]))


def _kept_profiles(store, load, model: str, ids: list[int]):
    """The profiles of ``ids`` (``assemble``), kept ones where the store has
    them, the others made from their claims and kept: an add regroups from
    the profiles of the articles it did not touch, not their claims. A kept
    profile is one a fresh build makes: the store drops the profiles an
    added or removed article changes (``Store._drop_profiles_changed``)."""
    kept = store.kept_profiles(model, ids)
    missing = [a for a in ids if a not in kept]
    if missing:
        claims = load(missing)
        if claims.columns is None:  # claims that cannot be kept: every profile made here
            return None
        made = claims.profiles(missing)
        weights = claims.term_weights(made[1])
        store.save_profiles(model, missing, made[0], weights)
        kept.update((a, (made[0][k], weights[k])) for k, a in enumerate(missing))
    width = max((len(kept[a][0]) for a in ids), default=1)
    return assemble([kept[a][0] for a in ids], [kept[a][1] for a in ids], width)


def _regroup(store, found, load, scale: Scale, model: str | None) -> int:
    ids = [a for a, _ in found]
    profile = _kept_profiles(store, load, model, ids) if model is not None else None
    if profile is None:
        claims = load(ids)
        profile = claims.profiles(ids)
    alike = likeness(profile, profile)
    days = store.published_days(ids)
    if not np.isnan(days).all():
        days, names = store.events(ids)
        gap, shared = gaps(days, days), shared_names(names, names)
        alike *= in_time(days, days, gap, shared)
        alike += EVENT_BONUS * (alike >= EVENT_FLOOR) * same_event(days, days, names, names, gap, shared)
    groups = group(alike, scale.story, scale.story_strong)
    before = {a: story for a, story in found if story is not None}
    members: dict[int, list[int]] = {}
    for article_id, g in zip(ids, groups):
        members.setdefault(g, []).append(article_id)
    # Each group keeps the id of the story it shares the most articles with
    # (ties: the older story), so links and saved queries outlast a regrouping.
    overlaps = sorted(
        (-n, story, g) for g, group_ids in members.items() for story, n in Counter(before[a] for a in group_ids if a in before).items()
    )
    story_of_group: dict[int, int] = {}
    taken: set[int] = set()
    for _, story, g in overlaps:
        if g not in story_of_group and story not in taken:
            story_of_group[g] = story
            taken.add(story)
    moved = 0
    for g in sorted(members):
        if g not in story_of_group:
            story_of_group[g] = store.new_story()
        for article_id in members[g]:
            if before.get(article_id) != story_of_group[g]:
                store.place(article_id, story_of_group[g])
                moved += 1
    return moved


def _kept_likeness(store, load, model: str, ids: list[int], new: tuple[list[int], Claims, tuple]) -> np.ndarray:
    """How alike the ``new`` articles (their ids, claims and profile) are to each of ``ids`` (the
    stored ones, then the new), from the kept profiles (made and kept first where missing: a db built
    before profiles were kept): the means' dot products in numpy, the terms' in SQLite (``Store.term_dots``)."""
    new, new_claims, new_profile = new
    have, means = store.profile_means(model, ids)
    missing = sorted(set(ids) - set(have))
    if missing:
        claims = load(missing)
        _keep_profiles(store, model, claims, missing, claims.profiles(missing))
        have, means = store.profile_means(model, ids)
    row_of = {a: k for k, a in enumerate(have)}
    means = means[[row_of[a] for a in ids]]
    column = {a: k for k, a in enumerate(ids)}
    terms = np.zeros((len(new), len(ids)))
    for j, weights in enumerate(new_claims.term_weights(new_profile[1])):
        for article_id, dot in store.term_dots(weights, ids):
            if article_id in column:
                terms[j, column[article_id]] = dot
    return EMBEDDING_WEIGHT * (new_profile[0] @ means.T) + (1 - EMBEDDING_WEIGHT) * terms


def _place_new(store, load, scale: Scale, model: str | None) -> int:
    """Past ``REGROUP_MAX``: each article without a story joins the found
    story it is most alike (``place``), or starts one."""
    todo = store.unplaced()
    if not todo:
        return 0
    named = store.named_articles()
    stored = {a: s for a, s in store.story_of().items() if a not in named}
    ids = list(stored) + todo
    k_new = len(stored)
    days = store.published_days(ids)
    # The new articles' events against the stored articles' days: past
    # ``REGROUP_MAX`` stories depend on the order articles came in, and a
    # monitor's add reads no stored article's text.
    new_days, new_names = store.events(todo)
    factor = in_time(new_days, days) if not np.isnan(days).all() else np.ones((len(todo), len(ids)))
    # The articles that share enough of a new one's names (stored or new:
    # ``timing.keeps``) are in time however long ago, found through the
    # names' index.
    column = {a: k for k, a in enumerate(ids)}
    for j, sharing in enumerate(store.sharing_names(new_names)):
        factor[j, [column[a] for a in sharing if a in column]] = 1.0
    if model is None:
        profile = load(ids).profiles(ids)
        alike = likeness((profile[0][k_new:], profile[1][k_new:]), profile)
    else:
        claims = load(todo)
        new_profile = claims.profiles(todo)
        _keep_profiles(store, model, claims, todo, new_profile)
        # Only the articles near enough in time to one of the new ones are read.
        near = np.flatnonzero(factor.max(axis=0) > 0)
        alike = np.zeros((len(todo), len(ids)))
        alike[:, near] = _kept_likeness(store, load, model, [ids[k] for k in near.tolist()], (todo, claims, new_profile))
    # Stories in the order their first article comes, as ties were broken before.
    column_of = {story: k for k, story in enumerate(dict.fromkeys(stored[a] for a in ids[:k_new]))}
    story_ids = list(column_of)
    story_col = np.empty(len(ids), dtype=np.int64)
    story_col[:k_new] = [column_of[stored[a]] for a in ids[:k_new]]
    alike *= factor
    if not np.isnan(days).all():
        # The same event (``timing.same_event``), read of the articles already
        # ``EVENT_FLOOR`` alike to a new one only: an add reads few stored texts.
        near = np.flatnonzero((alike >= EVENT_FLOOR).any(axis=0))
        near_ids = [ids[k] for k in near.tolist()]
        near_days, near_names = store.events(near_ids)
        event = same_event(new_days, near_days, new_names, near_names)
        alike[:, near] += EVENT_BONUS * (alike[:, near] >= EVENT_FLOOR) * event
    for j, article_id in enumerate(todo):
        # Each story's mean and greatest likeness to this article, over
        # its articles so far (new ones placed before it included).
        means_, closest = per_story(alike[j, : k_new + j], story_col[: k_new + j], len(story_ids))
        chosen = place(means_, scale.story, closest, scale.story_strong)
        if chosen is None:
            story_ids.append(store.new_story())
            chosen = len(story_ids) - 1
        store.place(article_id, story_ids[chosen])
        # Later new articles may join the story this one started or joined.
        story_col[k_new + j] = chosen
    return len(todo)
