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
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from storymatch.features.dates import calendar_words, extract_dates
from storymatch.features.entities import capitalised_entities, entity_key
from storymatch.features.numbers import extract_numbers
from storymatch.features.places import dense_places, resolve_place
from storymatch.inputs.article import Article
from storymatch.text.scripts import UNITS_PER_WORD, dominant_script, mask_dense, unit_list
from storymatch.text.stopwords import frequent_words, function_words

# The particulars of a news story are in its first screens; a long read's tail adds noise and time. Dates are read
# from the lead only: the date pattern (every month and weekday name of the language) is the slowest step here,
# and the day an event happened is said at the top (1.1 of 3.4 ms an article on all of the text, measured).
MAX_CHARS = 6_000
DATE_CHARS = 2_000
LEAD_CHARS = 400  # the lead: where a report says who and where (title + about its first two sentences)
KEPT_NAMES = 24  # names kept with their counts, most mentioned first
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}$")
_LONGEST_NAME = 5  # words: a longer capitalised run is a headline-case line, not a name
_WORD_TAIL = re.compile(r"\w*")


def _titled(title: str | None) -> str:
    """The title, where its capitals mark names: a headline-case title ("Saintis S'pura Bangun Kit Ujian Darah")
    capitalises every word, and its names are those the text repeats anyway."""
    words = [w for w in (title or "").split() if len(w) > 3 and w[:1].isalpha()]
    if words and sum(w[0].isupper() for w in words) > 0.6 * len(words):
        return ""
    return title or ""


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
    lead: frozenset[str] = frozenset()  # the names of the title and the lead (LEAD_CHARS)
    when: frozenset[str] = frozenset()  # the days it mentions as it names them: dates, and in an undated article
    # its weekdays and relative days ("weekday:saturday", "D-1"), which only meet the same words in another
    lead_when: frozenset[str] = frozenset()  # those of the title and the lead
    lead_numbers: frozenset[str] = frozenset()  # the numbers of the title and the lead
    # the KEPT_NAMES most mentioned names, with their counts
    name_counts: dict[str, int] = field(default_factory=dict, hash=False)

    def to_record(self) -> dict[str, Any]:
        return {"language": self.language, "published": self.published.isoformat() if self.published else None,
                "words": self.words, **{k: sorted(getattr(self, k)) for k in _SETS},
                "name_counts": self.name_counts}

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> "StorySignals":
        published = _dt.date.fromisoformat(rec["published"]) if rec.get("published") else None
        return cls(rec.get("language"), published, int(rec["words"]), **{k: frozenset(rec.get(k, ())) for k in _SETS},
                   name_counts={str(k): int(v) for k, v in (rec.get("name_counts") or {}).items()})


_SETS = ("title", "names", "countries", "places", "dates", "numbers", "lead", "when", "lead_when", "lead_numbers")


def particular_names(text: str, lang: str | None) -> Counter[str]:
    """The names a text mentions, by matching key (features.entities.entity_key), with how often.

    The capitalisation rule (no model: this runs for every article of a corpus) finds capitalised runs, which in
    news also catch a sentence's first word after a quote or a dateline ("The", "While"), months and weekdays
    ("Sep", "Thursday") and headline-case lines of a caption ("Strong Familial Support On Thursday"). Those are
    left out here: a one-word name that is among the language's 1,000 commonest words or names a month or a
    weekday (a country excepted: "China" is a name), and runs longer than five words; frequent words at either
    end of a run are trimmed ("On Thursday"). On the Singapore stream (mmds2025_sg_dev) the English names went
    from "the, thursday, sep, may, june, two victims court" to the people, courts and places the reports are about.

    Text in scripts without spaces (Chinese, Japanese, Korean, Thai) is read with those scripts blanked out, so the
    Latin names and acronyms such news carries ("SMART", "NTU", "COVID-19") are names, and country names written in
    the script itself (新加坡) come from the gazetteer (features.places.dense_places).

    A surname mentioned alone counts for the full name the text gives it ("Jackman" for "Hugh Jackman"): two
    reports of one event name its people over and over, and the counts say who the story is about.
    """
    common = frequent_words(lang or "en", 1000) | calendar_words(lang)
    latin = mask_dense(text)
    counts: Counter[str] = Counter()
    for e in capitalised_entities(latin, lang):
        words = e.text.split()
        while words and entity_key(words[0]) in common and not resolve_place(words[0]):
            words.pop(0)
        while words and entity_key(words[-1]) in common and not resolve_place(words[-1]):
            words.pop()
        if not words or len(words) > _LONGEST_NAME:
            continue
        key = entity_key(" ".join(words))
        if key and (" " in key or key.startswith("country:") or key not in common):
            counts[key] += 1
    if latin != text:
        for code in dense_places(text):
            counts[f"country:{code}"] += 1
    full = {k.split()[-1]: k for k in counts if " " in k and len(k.split()[-1]) >= 4}
    for key in [k for k in counts if " " not in k and k in full]:
        counts[full[key]] += counts.pop(key)
    return counts


def story_signals(article: Article) -> StorySignals:
    """The particulars of one article (see the module's docstring)."""
    text = article.text[:MAX_CHARS]
    lang = article.language
    stop = function_words()
    script = dominant_script(text)
    head = article.title or " ".join(text.split()[:30])
    # words where words are spaced, character bigrams in Chinese, Japanese, Korean and Thai (text/scripts.py)
    title = frozenset(w for w in unit_list(head) if w not in stop and (len(w) > 2 or script) and not w.isdigit())
    counts = particular_names(text, lang)
    places: set[str] = set()
    countries: set[str] = set()
    for key in counts:
        country = key[len("country:"):] if key.startswith("country:") else resolve_place(key)
        if country:
            places.add(key)
            countries.add(country)
    tail = _WORD_TAIL.match(text, LEAD_CHARS)  # `\w*` always matches: the lead ends after a word, not inside it
    lead_end = LEAD_CHARS + (len(tail.group()) if tail else 0)
    head_text = f"{_titled(article.title)}\n"
    lead = frozenset(particular_names(head_text + text[:lead_end], lang))
    dates = extract_dates(text[:DATE_CHARS], lang, article.date)
    days = frozenset(d.value for d in dates if _DAY.match(d.value))
    when = frozenset(d.value for d in dates if _DAY.match(d.value) or d.value.startswith(("weekday:", "D")))
    lead_dates = extract_dates(head_text + text[:lead_end], lang, article.date)
    lead_when = frozenset(d.value for d in lead_dates if d.value in when or _DAY.match(d.value)
                          or d.value.startswith(("weekday:", "D")))
    numbers = frozenset(_numbers(text, [(d.start, d.end) for d in dates]))
    lead_numbers = frozenset(_numbers(head_text + text[:lead_end], [(d.start, d.end) for d in lead_dates]))
    words = len(text.split()) if not script else round(len(unit_list(text)) / UNITS_PER_WORD[script])
    kept = dict(sorted(counts.items(), key=lambda kv: -kv[1])[:KEPT_NAMES])
    return StorySignals(lang, article.date, words, title, frozenset(counts), frozenset(countries),
                        frozenset(places), days, numbers, lead, when, lead_when, lead_numbers, kept)


def _numbers(text: str, dates: list[tuple[int, int]]) -> list[str]:
    """Values of the numbers that can tell one event from another: two digits or more, or with a unit."""
    return [n.value for n in extract_numbers(mask_dense(text), skip=dates)
            if len(n.value.rstrip("%e369").split(".")[0]) >= 2 or not n.value.isdigit()]

