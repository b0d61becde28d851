"""The days an article names: "am 11. Januar 2025", "11.01.2025", "gestern",
"am vergangenen Samstag" (issue 45).

A report written days or years after an event names the event's day ("Bei
den Protesten am 11. Januar 2025 ..."); a report of another event that only
looks alike (another demonstration in the same city two weeks later) names
its own. So a later article that names the day an earlier one was published
is a follow-up of it, however late (``index/stories.py``).

Days are day numbers (``date.toordinal()``, as ``store`` reads ``published``). A date without a year is read
in the year that puts it on or before the article's day; weekdays and
"gestern" count back from the article's day.
"""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {"januar": 1, "jänner": 1, "februar": 2, "märz": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7, "august": 8,
          "september": 9, "oktober": 10, "november": 11, "dezember": 12}
WEEKDAYS = {"montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonnabend": 5, "sonntag": 6}
NAMED = re.compile(r"\b(\d{1,2})\.\s*(" + "|".join(MONTHS) + r")\b(?:\s+(\d{4}))?", re.IGNORECASE)
NUMERIC = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?!\d)")
WEEKDAY = re.compile(r"\bam\s+(?:(vergangenen|letzten|vorigen)\s+)?(" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)
BACK = {"vorgestern": 2, "gestern": 1}


def _day(date: dt.date) -> int:
    return date.toordinal()


def _nearest(day: int, month: int, published: dt.date) -> dt.date | None:
    """The date ``day``.``month`` in the year that puts it nearest ``published``
    ("ab dem 20. Januar", written on 16 January, is this January's)."""
    dates = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            dates.append(dt.date(year, month, day))
        except ValueError:
            continue  # "29. Februar" in a year without it
    return min(dates, key=lambda d: (abs((d - published).days), d), default=None)


def named_days(text: str, published: dt.date | None) -> frozenset[int]:
    """The day numbers ``text`` names (with a year, or counted from
    ``published``, the article's own day; without it only dates with a year)."""
    found: set[int] = set()
    for day, month, year in NAMED.findall(text):
        _add(found, int(day), MONTHS[month.lower()], int(year) if year else None, published)
    for day, month, year in NUMERIC.findall(text):
        if 1 <= int(month) <= 12:
            full = (int(year) + (2000 if len(year) == 2 else 0)) if year else None
            _add(found, int(day), int(month), full, published)
    if published is not None:
        lower = text.lower()
        for word, back in BACK.items():
            if re.search(rf"\b{word}\b", lower):
                found.add(_day(published) - back)
        for before, name in WEEKDAY.findall(text):
            back = (published.weekday() - WEEKDAYS[name.lower()]) % 7
            if back == 0 and before:
                back = 7  # "am vergangenen Samstag", written on a Saturday
            found.add(_day(published) - back)
    return frozenset(found)


def _add(found: set[int], day: int, month: int, year: int | None, published: dt.date | None) -> None:
    try:
        if year is not None:
            found.add(_day(dt.date(year, month, day)))
        elif published is not None and (date := _nearest(day, month, published)) is not None:
            found.add(_day(date))
    except ValueError:
        pass  # "31. Februar": no day
