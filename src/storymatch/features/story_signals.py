"""What the same-story verifier knows of one article: cheap to make for every article of a corpus, small to keep.

Two reports of one event share its particulars; two events of one topic (two earthquakes, two rehab stays) share
their vocabulary but not their places, dates, numbers and people. So beside the article vector, an article is
reduced to the sets those particulars come from: the content words of its title, its names (the capitalisation
rule of entities.py, for every Latin-script language, no model), the countries and places those names resolve to
(the gazetteer), the day-level dates it mentions, its numbers, and its publication date. Everything here is
regular expressions and dictionary look-ups: no model runs, so it can be made at ingest for every article and
reused for every candidate pair (scoring/verifier.py compares two of them).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

from storymatch.features.dates import extract_dates
from storymatch.features.entities import capitalised_entities, entity_key
from storymatch.features.numbers import extract_numbers
from storymatch.features.places import resolve_place
from storymatch.inputs.article import Article
from storymatch.text.spans import word_list
from storymatch.text.stopwords import function_words

# The particulars of a news story are in its first screens; a long read's tail adds noise and time. Dates are read
# from the lead only: the date pattern (every month and weekday name of the language) is the slowest step here,
# and the day an event happened is said at the top (1.1 of 3.4 ms an article on all of the text, measured).
MAX_CHARS = 6_000
DATE_CHARS = 2_000
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class StorySignals:
    """One article's particulars, as sets of comparable keys."""

    language: str | None
    published: _dt.date | None
    words: int
    title: frozenset[str]  # content words of the title (else of the first 30 words)
    names: frozenset[str]  # entity keys of capitalised names ("jim mattis", "country:SY")
    countries: frozenset[str]  # ISO codes of the places named
    places: frozenset[str]  # keys of the names that are places
    dates: frozenset[str]  # day-level dates mentioned ("2017-05-18")
    numbers: frozenset[str]  # values of numbers of two digits or more, or with a unit ("1500", "12%")

    def to_record(self) -> dict[str, Any]:
        return {"language": self.language, "published": self.published.isoformat() if self.published else None,
                "words": self.words, **{k: sorted(getattr(self, k)) for k in _SETS}}

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> "StorySignals":
        published = _dt.date.fromisoformat(rec["published"]) if rec.get("published") else None
        return cls(rec.get("language"), published, int(rec["words"]), **{k: frozenset(rec[k]) for k in _SETS})


_SETS = ("title", "names", "countries", "places", "dates", "numbers")


def story_signals(article: Article) -> StorySignals:
    """The particulars of one article (see the module's docstring)."""
    text = article.text[:MAX_CHARS]
    lang = article.language
    stop = function_words()
    head = article.title or " ".join(text.split()[:30])
    title = frozenset(w for w in word_list(head) if w not in stop and len(w) > 2 and not w.isdigit())
    names: set[str] = set()
    places: set[str] = set()
    countries: set[str] = set()
    for e in capitalised_entities(text, lang):
        key = entity_key(e.text)
        if not key:
            continue
        names.add(key)
        country = resolve_place(e.text)
        if country:
            places.add(key)
            countries.add(country)
    dates = extract_dates(text[:DATE_CHARS], lang, article.date)
    days = frozenset(d.value for d in dates if _DAY.match(d.value))
    numbers = frozenset(n.value for n in extract_numbers(text, skip=[(d.start, d.end) for d in dates])
                        if len(n.value.rstrip("%e369").split(".")[0]) >= 2 or not n.value.isdigit())
    return StorySignals(lang, article.date, len(text.split()), title, frozenset(names), frozenset(countries),
                        frozenset(places), days, numbers)
