"""Publication dates as users and records give them: one reading rule for the CLI, files, records and the API.

ISO forms are tried first (fast and unambiguous); dateparser reads the rest ("25 May 2017",
"2017-05-19 08:12:00+02:00", other languages).
"""

from __future__ import annotations

import datetime as _dt


def parse_date(value: str | None) -> _dt.date | None:
    """Parse a publication date given by a user or a record; None when unreadable.

    ISO forms are tried first (fast and unambiguous); dateparser handles the rest
    ("25 May 2017", "2017-05-19 08:12:00+02:00", other languages).
    """
    if not value or not str(value).strip():
        return None
    s = str(value).strip()
    try:
        return _dt.date.fromisoformat(s[:10])
    except ValueError:
        pass
    import dateparser  # builds its language data on first use: only for non-ISO dates

    parsed = dateparser.parse(s, settings={"PREFER_DAY_OF_MONTH": "first"})
    return parsed.date() if parsed else None
