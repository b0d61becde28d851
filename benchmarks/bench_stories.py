"""How placing new articles in stories scales with the articles stored.

    python benchmarks/bench_stories.py [--stored 1000 10000 100000] [--new 10]

Synthetic corpora (no data is read): N stored articles in stories of three,
each article ``--claims`` claims whose vectors scatter around its story's
centre and ``--terms`` content terms, a third of them its story's. ``--new``
articles are then placed, half in stored stories and half about something
new, with ``stories.assign``, the function a build calls (up to
``stories.REGROUP_MAX`` found articles it groups them all again instead). Printed per N, as
one JSON line: the seconds of the whole placement and of its parts
(``profiles``: each article's mean vector and term profile from its claims;
``likeness``: the new articles against every stored one; the rest is choosing
each one's story), and whether the new articles landed where they belong.

The stored articles' claims are arrays in memory here; in a build they are
read from SQLite first (``Store.load``), which this does not time.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy import sparse

from claims.index import stories


class Placements:
    """A stand-in for ``store.Store`` with the calls ``stories.assign`` makes,
    so that only placing is timed: the stored articles' stories, and the new
    ones' placements."""

    def __init__(self, story_of: dict[int, int], todo: list[int]):
        self._story_of = dict(story_of)
        self._todo = todo
        self._next = max(story_of.values(), default=0) + 1

    def unplaced(self):
        return [a for a in self._todo if a not in self._story_of]

    def story_of(self):
        return {a: s for a, s in self._story_of.items() if a not in self._todo}

    def found_stories(self):
        return len(set(self._story_of.values()))

    def found_articles(self):
        return [(a, self._story_of.get(a)) for a in sorted(set(self._story_of) | set(self._todo))]

    def named_articles(self):
        return set()

    def published_days(self, article_ids):
        return np.full(len(article_ids), np.nan)  # undated, as the GNAD texts

    def new_story(self):
        self._next += 1
        return self._next - 1

    def place(self, article_id, story):
        self._story_of[article_id] = story

    def count_stories(self):
        pass


def corpus(stored: int, new: int, claims: int, terms: int, dim: int, vocabulary: int, rng):
    """Claims of ``stored + new`` articles: (article of each claim, vectors,
    claims x terms presence, rarity per term), each stored article's story,
    and the story each new article belongs to (None: a new one)."""
    n_stories = stored // 3 + new
    centres = rng.standard_normal((n_stories, dim)).astype(np.float32)
    story_terms = rng.integers(0, vocabulary, size=(n_stories, terms // 3))
    story = np.arange(stored) // 3
    # Half the new articles follow stored stories; the others are about something new.
    new_story = [int(rng.integers(0, stored // 3)) if k % 2 == 0 else stored // 3 + k for k in range(new)]
    article_story = np.concatenate([story, new_story])
    article = np.repeat(np.arange(stored + new), claims)
    vectors = centres[article_story[article]] + 0.8 * rng.standard_normal((len(article), dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    # Each claim names two of its article's terms: its story's or its own.
    own = rng.integers(0, vocabulary, size=(stored + new, terms - terms // 3))
    article_terms = np.concatenate([story_terms[article_story], own], axis=1)
    picks = article_terms[article[:, None], rng.integers(0, terms, size=(len(article), 2))]
    rows = np.repeat(np.arange(len(article)), 2)
    presence = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, picks.ravel())), shape=(len(article), vocabulary))
    presence.data[:] = 1.0
    rarity = rng.uniform(1.0, 6.0, size=vocabulary)
    story_of = {a: int(s) for a, s in enumerate(story)}
    return article, vectors, presence, rarity, story_of, new_story


def measure(stored: int, new: int, claims: int, terms: int, dim: int, vocabulary: int, seed: int = 5) -> dict:
    rng = np.random.default_rng(seed)
    article, vectors, presence, rarity, story_of, new_story = corpus(stored, new, claims, terms, dim, vocabulary, rng)
    contents = [f"claim {k}" for k in range(len(article))]  # all distinct: weights of 1
    todo = list(range(stored, stored + new))
    store = Placements(story_of, todo)

    start = time.perf_counter()
    placed = stories.assign(store, stories.Claims(article, vectors, presence, rarity, contents))
    seconds = time.perf_counter() - start
    # Up to stories.REGROUP_MAX found articles a build groups them all again
    # (and may move stored ones); beyond, it places the new ones.
    assert placed == new or stored + new <= stories.REGROUP_MAX

    # The parts, on the same input.
    start = time.perf_counter()
    profile = stories.profiles(article, stored + new, stories.weights(article.tolist(), contents), vectors, presence, rarity)
    profiles_seconds = time.perf_counter() - start
    start = time.perf_counter()
    stories.likeness((profile[0][stored:], profile[1][stored:]), profile)
    likeness_seconds = time.perf_counter() - start

    where = store._story_of
    followed = [k for k in range(new) if k % 2 == 0]
    right = sum(where[stored + k] == new_story[k] for k in followed)
    apart = len({where[stored + k] for k in range(new) if k % 2}) == new // 2 and all(
        where[stored + k] not in set(story_of.values()) for k in range(new) if k % 2
    )
    return {
        "stored_articles": stored, "new_articles": new, "claims": len(article),
        "seconds": round(seconds, 3), "profiles_seconds": round(profiles_seconds, 3),
        "likeness_seconds": round(likeness_seconds, 3), "choosing_seconds": round(max(0.0, seconds - profiles_seconds - likeness_seconds), 3),
        "followers_placed_right": f"{right}/{len(followed)}", "new_subjects_apart": apart,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stored", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--new", type=int, default=10)
    parser.add_argument("--claims", type=int, default=10, help="claims per article (GNAD: 22)")
    parser.add_argument("--terms", type=int, default=30, help="content terms per article")
    parser.add_argument("--dim", type=int, default=512, help="vector dimensions (USE: 512)")
    parser.add_argument("--vocabulary", type=int, default=200_000)
    args = parser.parse_args(argv)
    for n in args.stored:
        print(json.dumps(measure(n, args.new, args.claims, args.terms, args.dim, args.vocabulary)), flush=True)


if __name__ == "__main__":
    main()
