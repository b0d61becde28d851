"""Time in stories: how far apart two articles' events are (issue 45).

An article's event is on the days it names ("am 11. Januar 2025", "gestern",
"am vergangenen Samstag": ``text/dates.py``) and on its own day. Two dated
articles whose events come within ``NEAR`` days are as alike as their texts,
however far apart they were written: a report a year later that names the
day of the protest is a follow-up of the protest's reports. Beyond, their
likeness halves every ``DATE_HALF_LIFE`` days of the gap between their events:
a demonstration in the same city two weeks later, whose report names only
its own day, is another story. An article without a date is grouped by its
text alone.
"""

from __future__ import annotations

import numpy as np

NEAR = 3  # days: an event's day and the days after, when its reports come
DATE_HALF_LIFE = 14
# Reports of one event name its place and its people: two articles whose
# events come within ``NEAR`` days, that give a rare name both
# (``text/names.py``: "Riesa", "Nguyen"; not "München", nor a noun) and are
# already ``EVENT_FLOOR`` alike are ``EVENT_BONUS`` more alike. One day holds
# many events, few of which share a small town's or a person's name and
# words besides: riesa-protest's reports of the day and those on the MP
# struck there are one story; a demonstration in the same city a fortnight
# later is not near. (Tried first: any shared term as rare as the names,
# without the floor: compound heads and inflections such as "ling" or
# "heißen" joined GNAD articles of one day across sections, purity 0.966 to
# 0.920 on bench_dated_stories.py --limit 400.)
EVENT_BONUS = 0.1
EVENT_FLOOR = 0.3
# A story may run for months while its people and places stay: two articles
# that give ``KEEP_NAMES`` rare names both ("Nguyen" and "Riesa"; the accused
# and the town of a trial), and at least ``KEEP_SHARE`` of the names either
# gives, are as alike as their texts however far apart in time, so an
# investigation's reports over two years can be one story. One shared name is
# not enough (a demonstration in the same town a fortnight later, with other
# people, is another story), nor two of many: reports of two football matches
# half a year apart name a dozen players each and share a few. On GNAD dated
# at random in two rounds half a year apart (``bench_dated_stories.py``),
# two shared names alone joined 88 pairs of articles across the rounds, the
# largest story grew from 10 to 12 articles (league matches); with the share,
# 4 pairs (a trial's two instances and an EU commissioner's copyright plan,
# as a reader would; two NHL and two American football reports, who would
# not) and the largest stays 10.
KEEP_NAMES = 2
KEEP_SHARE = 0.25
# Not done: raising the likeness of reports of one day (x1.2) joined
# riesa-protest's angles and munich-demo's pre-event report, but on GNAD
# dated at random within rounds it took story purity from 0.97 to 0.90
# (benchmarks/bench_dated_stories.py --limit 400): one day holds many events.
# Below this factor two articles are too far apart in time to be alike at all
# (about 140 days beyond ``NEAR``): their likeness is 0 (still one of the
# articles a story's mean is taken over), and placing a new article does not
# read the kept profiles of articles that far.
MIN_IN_TIME = 1e-3
EVENT_DAYS = 4  # an article's own day and the named days closest to it, at most
# A named day is an event of the article's story only within these days of
# its own: the day of a protest a year or two before its trial's report, a
# planned march in the months ahead. Further back it is history ("die Magna
# Carta vom 15. Juni 1215", "am 9. November 1989"), further ahead a due date
# ("fällig am 20.11.25"): two jubilee reports decades apart, or two bond
# reports naming the same due date, report no one event. (GNAD's copies in
# ``benchmarks/bench_monitor.py``, ten years apart, joined on such days.)
PAST_DAYS = 3 * 365
AHEAD_DAYS = 365


def event_days(own: float, named) -> list[float]:
    """An article's event days: its own day first, then the days it names
    within ``PAST_DAYS`` before it and ``AHEAD_DAYS`` after it, the closest
    to its own first (NaN padded to ``EVENT_DAYS``)."""
    if np.isnan(own):
        return [own] * EVENT_DAYS
    near = (float(d) for d in set(named) if d != own and -PAST_DAYS <= d - own <= AHEAD_DAYS)
    days = [own] + sorted(near, key=lambda d: (abs(d - own), d))[: EVENT_DAYS - 1]
    return days + [float("nan")] * (EVENT_DAYS - len(days))


def _rows(days: np.ndarray) -> np.ndarray:
    return days if days.ndim == 2 else days[:, None]


def gaps(days_a: np.ndarray, days_b: np.ndarray) -> np.ndarray:
    """The least gap in days between any event day of each article of
    ``days_a`` and any of each of ``days_b`` (one day each, or rows of
    ``event_days``; NaN where neither has a day): what ``in_time`` and
    ``same_event`` read, made once where both are."""
    a, b = _rows(days_a), _rows(days_b)
    gap = np.full((len(a), len(b)), np.inf)
    for k in range(a.shape[1]):
        for j in range(b.shape[1]):
            gap = np.fmin(gap, np.abs(a[:, k, None] - b[None, :, j]))
    return gap


def in_time(days_a: np.ndarray, days_b: np.ndarray, gap: np.ndarray | None = None, shared=None) -> np.ndarray:
    """The factor (``len(days_a)`` x ``len(days_b)``) on the likeness of two
    articles of these event days (one day each, or rows of ``event_days``):
    1 where either has no date (NaN), their events come within ``NEAR``
    days or ``keeps`` keeps them (``shared``: ``shared_names`` of the two,
    where known); 0 below ``MIN_IN_TIME``. ``gap``: ``gaps`` of
    the two, where made already."""
    a, b = _rows(days_a), _rows(days_b)
    gap = gaps(a, b) if gap is None else gap
    undated = np.isnan(a[:, 0])[:, None] | np.isnan(b[:, 0])[None, :]
    late = np.maximum(np.where(undated, 0.0, gap) - NEAR, 0.0)
    factor = np.power(0.5, late / DATE_HALF_LIFE)
    factor[factor < MIN_IN_TIME] = 0.0
    if shared is not None:
        rows, cols = kept_together(*shared)
        factor[rows, cols] = 1.0
    return factor


def keeps(shared, names_a, names_b):
    """Whether articles that give ``shared`` names both, of ``names_a`` and
    ``names_b`` names each (numbers or arrays of them), stay in time
    however far apart (``KEEP_NAMES``, ``KEEP_SHARE``)."""
    shared, union = np.asarray(shared), np.asarray(names_a) + np.asarray(names_b) - np.asarray(shared)
    return (shared >= KEEP_NAMES) & (shared >= KEEP_SHARE * np.maximum(union, 1))


def kept_together(counts, sizes_a, sizes_b):
    """The (rows, columns) of the pairs ``keeps`` keeps in time, of
    ``shared_names``' counts and each side's numbers of names."""
    counts = counts.tocoo()
    keep = keeps(counts.data, sizes_a[counts.row], sizes_b[counts.col])
    return counts.row[keep], counts.col[keep]


def shared_names(names_a: list[frozenset[str]], names_b: list[frozenset[str]]):
    """How many rare names each article of ``names_a`` gives with each of
    ``names_b`` (a sparse matrix: most pairs share none), and how many each
    of either gives: what ``in_time`` and ``same_event`` read of names."""
    from scipy import sparse

    column = {n: k for k, n in enumerate(sorted({n for names in (*names_a, *names_b) for n in names}))}

    def matrix(sets):
        rows = [k for k, names in enumerate(sets) for n in names]
        cols = [column[n] for names in sets for n in names]
        return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sets), max(1, len(column))))

    sizes = [np.array([len(names) for names in sets], dtype=np.int64) for sets in (names_a, names_b)]
    return (matrix(names_a) @ matrix(names_b).T).tocsr(), *sizes


def same_event(days_a: np.ndarray, days_b: np.ndarray, names_a: list[frozenset[str]], names_b: list[frozenset[str]],
               gap: np.ndarray | None = None, shared=None) -> np.ndarray:
    """1 where two articles (rows of ``event_days`` and their rare names)
    are dated, their events come within ``NEAR`` days and they give a name
    both; else 0 (``len(days_a)`` x ``len(days_b)``, as ``in_time``).
    ``shared``: ``shared_names`` of the two, where made already."""
    a, b = _rows(days_a), _rows(days_b)
    shared = shared_names(names_a, names_b) if shared is None else shared
    both = np.zeros((len(a), len(b)), dtype=bool)
    rows, cols = shared[0].nonzero()
    both[rows, cols] = True
    gap = gaps(a, b) if gap is None else gap
    dated = ~np.isnan(a[:, 0])[:, None] & ~np.isnan(b[:, 0])[None, :]
    return (both & dated & (gap <= NEAR)).astype(float)
