"""The article: the one record every stage of storymatch passes around."""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from storymatch.inputs.publication_date import parse_date


@dataclass
class Article:
    """A news article as storymatch sees it.

    `text` is the body exactly as given: alignment offsets index into it, so
    it is never normalised in place. `source` names where the article came
    from: the outlet when the record says so, else the file it was read from.
    """

    text: str
    title: str | None = None
    date: _dt.date | None = None
    language: str | None = None
    source: str | None = None
    url: str | None = None
    id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # What reading the record let go of and the user should hear about (a date that could not be read);
    # ingest writes them to its report. Not part of what the article is: never stored or compared.
    problems: list[str] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.date, str):
            self.date = parse_date(self.date)
        if isinstance(self.date, _dt.datetime):
            self.date = self.date.date()
        if self.id is None:
            self.id = content_id(self.text, self.title)

    @property
    def full_text(self) -> str:
        """Title and body together, for whole-article features."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text

    def summary(self) -> dict[str, Any]:
        """The per-article block of the compare/align JSON contract."""
        return {
            "id": self.id,
            "source": self.source,
            "title": self.title,
            "language": self.language,
            "chars": len(self.text),
            "date": self.date.isoformat() if self.date else None,
        }


def content_id(text: str, title: str | None = None) -> str:
    """A stable id from content, so that re-ingesting the same text is a no-op."""
    h = hashlib.sha1((title or "").encode("utf-8") + b"\x00" + text.encode("utf-8"))
    return h.hexdigest()[:16]
