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
        return _dt.date.fromisoformat(s[:10])
    except ValueError:
        pass
    import dateparser  # builds its language data on first use: only for non-ISO dates

    try:
        parsed = dateparser.parse(s, settings={"PREFER_DAY_OF_MONTH": "first"})
    except (ValueError, OverflowError, TypeError, RecursionError):  # dateparser's own failures on odd strings
        return None
    return parsed.date() if parsed else None


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
        raise InputError(name, f"cannot read the date {value.strip()[:60]!r}")
    return date
