"""Publication dates as users and records give them: one reading rule for the CLI, files, records and the API.

ISO forms are tried first (fast and unambiguous); dateparser reads the rest ("25 May 2017",
"2017-05-19 08:12:00+02:00", other languages). `require_date` is the rule every edge applies to a date a user
gave: a string that reads as a date, else one error line; "Smarch 45" or {"y": 2017} is refused alike by the
CLI, the corpus readers and the API.
"""

from __future__ import annotations

import datetime as _dt

from storymatch.errors import InputError

MAX_DATE_CHARS = 100
# The publication dates storymatch takes. Date arithmetic runs on them everywhere ("yesterday" is the day before
# publication, a weekday the most recent one, a story's window counts days): at 0001-01-01 or 9999-12-31 it left
# the calendar Python can hold (OverflowError in compare, search, report, cluster and the server, issue 28), and
# one such record ingested made every later read of its store fail. No news was published before 1000 or after
# 2999; a date outside these years is a placeholder or a typo, read as no date (a record keeps its text).
EARLIEST = _dt.date(1000, 1, 1)
LATEST = _dt.date(2999, 12, 31)


def in_range(date: _dt.date) -> bool:
    """Whether `date` is a publication date storymatch takes (EARLIEST..LATEST)."""
    return EARLIEST <= date <= LATEST


def out_of_range(date: _dt.date) -> str:
    return f"the date {date.isoformat()} is outside the years {EARLIEST.year}-{LATEST.year} that storymatch takes"


def stored_date(value: object) -> _dt.date | None:
    """A date as a store or a cache wrote it (ISO, in range), or None when it is not one: the readers' rule, so a
    row no writer could have made is found (and called damage) instead of failing somewhere downstream."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        date = _dt.date.fromisoformat(value)
    except ValueError:
        return None
    return date if in_range(date) else None


def parse_date(value: str | None) -> _dt.date | None:
    """Parse a publication date given by a user or a record; None when unreadable.

    ISO forms are tried first (fast and unambiguous); dateparser handles the rest
    ("25 May 2017", "2017-05-19 08:12:00+02:00", other languages).
    """
    if not value or not str(value).strip():
        return None
    s = str(value).strip()
    if len(s) > MAX_DATE_CHARS:
        return None
    try:
        iso = _dt.date.fromisoformat(s[:10])
    except ValueError:
        pass
    else:
        return iso if in_range(iso) else None
    import dateparser  # builds its language data on first use: only for non-ISO dates

    try:
        parsed = dateparser.parse(s, settings={"PREFER_DAY_OF_MONTH": "first"})
    except (ValueError, OverflowError, TypeError, RecursionError):  # dateparser's own failures on odd strings
        return None
    return parsed.date() if parsed and in_range(parsed.date()) else None


def require_date(value: object, name: str, key: str = "date") -> _dt.date | None:
    """The one date rule: absent or blank is no date; a string that reads as a date is one; anything else
    (a string no reading makes a date of, a number, an object) is an InputError naming `key`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        kind = "a list" if isinstance(value, list) else "an object" if isinstance(value, dict) else \
            "true/false" if isinstance(value, bool) else "a number" if isinstance(value, (int, float)) else \
            type(value).__name__
        raise InputError(name, f"cannot read the date: '{key}' is {kind}, not a date string such as '2017-05-19'")
    date = parse_date(value)
    if date is None:
        shown = value.strip()
        try:
            iso = _dt.date.fromisoformat(shown[:10])
        except ValueError:
            raise InputError(name, f"cannot read the date {shown[:60]!r}") from None
        raise InputError(name, out_of_range(iso))
    return date
