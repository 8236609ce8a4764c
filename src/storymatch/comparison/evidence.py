"""Evidence: the shared names, places, dates, numbers, quotes and sentences behind a verdict.

Lists for people to read, built from the same features the scorer saw.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from storymatch.features.analysis import ArticleFeatures
from storymatch.features.dates import DateMention, date_overlap
from storymatch.features.entities import entity_key
from storymatch.features.names import group_names, keys_match, match_groups
from storymatch.features.places import Place
from storymatch.features.quotes import shared_quotes

MAX_LIST = 20
MAX_SENTENCE_PAIRS = 10
SENTENCE_PAIR_MIN = 0.6


@dataclass(frozen=True)
class SharedPlace:
    """A place both articles name (At-Tanf / al Tanf), or a country both place the story in."""

    name: str
    country: str | None


@dataclass(frozen=True)
class SharedDate:
    """A date both mention: its value, a label a reader understands, and how each article wrote it."""

    date: str
    label: str
    a: str
    b: str


@dataclass(frozen=True)
class SharedQuote:
    a: str
    b: str
    similarity: float


@dataclass(frozen=True)
class SentencePair:
    """Mutually best-matching sentences of A and B, with their embeddings' cosine."""

    a: str
    b: str
    similarity: float
    a_start: int
    b_start: int


@dataclass
class Evidence:
    shared_entities: list[str] = field(default_factory=list)
    shared_terms: list[str] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    shared_places: list[SharedPlace] = field(default_factory=list)
    shared_dates: list[SharedDate] = field(default_factory=list)
    shared_numbers: list[str] = field(default_factory=list)
    shared_quotes: list[SharedQuote] = field(default_factory=list)
    sentence_pairs: list[SentencePair] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _shared_terms(fa: ArticleFeatures, fb: ArticleFeatures) -> list[str]:
    """Content words both articles use, most used first: the vocabulary of the shared story."""
    wa, wb = fa.content_words, fb.content_words
    shared = [(min(wa[w], wb[w]), len(w), w) for w in wa.keys() & wb.keys() if len(w) >= 4]
    return [w for _, _, w in sorted(shared, reverse=True)[:MAX_LIST]]


def _date_label(value: str) -> str:
    labels = {"D-1": "the day before publication", "D0": "the day of publication", "D+1": "the day after publication"}
    if value in labels:
        return labels[value]
    if value.startswith("weekday:"):
        return value.split(":", 1)[1].capitalize()
    return value


def _surface(mentions: list[DateMention], value: str) -> str:
    return next(d.text for d in mentions if d.value == value)


def build_evidence(fa: ArticleFeatures, fb: ArticleFeatures, sim: np.ndarray) -> Evidence:
    """The evidence lists of a pair of embedded articles; `sim` is their sentence similarity matrix."""
    ev = Evidence()
    ga, gb = group_names(fa.entities), group_names(fb.entities)
    matched = match_groups(ga, gb)
    ev.shared_entities = [x.name if x.name == y.name else f"{x.name} / {y.name}" for x, y in matched][:MAX_LIST]
    ka = {x.key for x, _ in matched}
    kb = {y.key for _, y in matched}
    ev.only_a = [g.name for g in sorted(ga.values(), key=lambda g: -g.count) if g.key not in ka][:MAX_LIST]
    ev.only_b = [g.name for g in sorted(gb.values(), key=lambda g: -g.count) if g.key not in kb][:MAX_LIST]

    ev.shared_terms = _shared_terms(fa, fb)
    ev.shared_places = _shared_places(fa.places, fb.places)

    for value in date_overlap(fa.dates, fb.dates)[:MAX_LIST]:
        ev.shared_dates.append(SharedDate(value, _date_label(value), _surface(fa.dates, value),
                                          _surface(fb.dates, value)))

    nb = {n.value: n.text for n in fb.numbers}
    seen = set()
    for n in fa.numbers:
        if n.value in nb and n.value not in seen:
            seen.add(n.value)
            ev.shared_numbers.append(n.text if n.text == nb[n.value] else f"{n.text} / {nb[n.value]}")
    ev.shared_numbers = ev.shared_numbers[:MAX_LIST]

    ev.shared_quotes = [SharedQuote(qa.text, qb.text, round(s / 100, 3))
                        for qa, qb, s in shared_quotes(fa.quotes, fb.quotes)][:MAX_LIST]

    ev.sentence_pairs = _sentence_pairs(fa, fb, sim)
    return ev


def _shared_places(pa: list[Place], pb: list[Place]) -> list[SharedPlace]:
    """Places named in both (At-Tanf / al Tanf; US / USA), then countries both place the story in."""
    def grouped(places: list[Place]) -> dict[str, Place]:
        out: dict[str, Place] = {}
        for p in places:
            out.setdefault(entity_key(p.name), p)
        return out

    ga, gb = grouped(pa), grouped(pb)
    out: list[SharedPlace] = []
    have = set()
    for ka, x in ga.items():
        kb = next((k for k in gb if keys_match(ka, k)), None)
        if kb is None:
            continue
        y = gb[kb]
        name = x.name if x.name == y.name else f"{x.name} / {y.name}"
        out.append(SharedPlace(name, x.country or y.country))
        have.add(x.country)
    countries_a = {p.country for p in pa if p.country}
    countries_b = {p.country for p in pb if p.country}
    for code in sorted((countries_a & countries_b) - have):
        out.append(SharedPlace(_country_name(code), code))
    return out[:MAX_LIST]


def _country_name(code: str) -> str:
    import pycountry  # its country tables load on first use

    c = pycountry.countries.get(alpha_2=code)
    return getattr(c, "common_name", None) or (c.name if c else code)


def _sentence_pairs(fa: ArticleFeatures, fb: ArticleFeatures, sim: np.ndarray) -> list[SentencePair]:
    """Mutual best-matching sentences, most similar first."""
    if sim.size == 0:
        return []
    best_b = sim.argmax(axis=1)
    best_a = sim.argmax(axis=0)
    pairs = [(float(sim[i, j]), i, j) for i, j in enumerate(best_b)
             if best_a[j] == i and sim[i, j] >= SENTENCE_PAIR_MIN]
    pairs.sort(reverse=True)
    return [SentencePair(fa.sentences[i].text, fb.sentences[j].text, round(s, 3), fa.sentences[i].start,
                         fb.sentences[j].start) for s, i, j in pairs[:MAX_SENTENCE_PAIRS]]
