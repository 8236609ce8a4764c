"""Evidence: the shared names, places, dates, numbers, quotes and sentences behind a verdict.

Lists for people to read, built from the same features the scorer saw, with the noise a reader notices taken
out of the lists only (the scorer was fitted on the features as extracted, so they stay as they are):
a common word that spaCy took for a name because it opens a sentence ("Attempts"), a title glued to a name
("Defence Jim Mattis", where the text also writes "defence" in lower case and "Mattis" alone), a surname listed
beside the full name, reporting verbs and the language's commonest words among shared terms ("said"), and a
possessive counted as a word of its own ("syria" / "syria's").
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from storymatch.features.analysis import ArticleFeatures
from storymatch.features.dates import DateMention, date_overlap
from storymatch.features.entities import Entity, entity_key
from storymatch.features.names import NameGroup, group_names, keys_match, match_groups
from storymatch.features.places import Place, resolve_place
from storymatch.features.quotes import shared_quotes
from storymatch.text.rarity import zipf
from storymatch.text.stopwords import frequent_words

MAX_LIST = 20
MAX_SENTENCE_PAIRS = 10
SENTENCE_PAIR_MIN = 0.6
# The same for sentences compared by their character 4-grams (a pair no embedding model reads): on Malay reports of
# one flood, sentences on the same fact share 0.5-0.56 of them, unrelated ones at most 0.13.
LEXICAL_PAIR_MIN = 0.3
# A one-word "name" met only where a sentence opens, and this common as a word, is a capitalised word, not a
# name: "Attempts" (Zipf 4.5). Names that open sentences are also met mid-sentence ("Syria", 4.4), or are rarer
# as words ("Mattis", 2.8); places are always kept.
OPENER_MIN_ZIPF = 3.5
COMMON_TERMS = 150  # a language's commonest words ("said" is English's 99th) say nothing as shared terms


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
    wa, wb = _without_possessives(fa.content_words), _without_possessives(fb.content_words)
    common = frequent_words(fa.language or "en", COMMON_TERMS) | frequent_words(fb.language or "en", COMMON_TERMS)
    shared = [(min(wa[w], wb[w]), len(w), w) for w in wa.keys() & wb.keys() if len(w) >= 4 and w not in common]
    return [w for _, _, w in sorted(shared, reverse=True)[:MAX_LIST]]


def _without_possessives(words: dict[str, int]) -> dict[str, int]:
    """Word counts with "syria's" counted as "syria"."""
    out: dict[str, int] = {}
    for w, n in words.items():
        base = w[:-2] if len(w) > 3 and w[-2:] in ("'s", "’s") else w
        out[base] = out.get(base, 0) + n
    return out


_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def readable_entities(entities: list[Entity], text: str, language: str | None) -> list[Entity]:
    """The entities a reader should see: sentence-opening common words dropped, titles cut off names."""
    lower = {m.group() for m in _WORD.finditer(text) if m.group()[0].islower()}
    alone = {e.text for e in entities if " " not in e.text.strip()}
    out = []
    for e in entities:
        words = list(_WORD.finditer(e.text))
        if len(words) == 1 and _only_opens_sentences(e.text, text) and resolve_place(e.text) is None \
                and zipf(e.text, language) >= OPENER_MIN_ZIPF:
            continue
        # "Defence Jim Mattis": leading words the text also writes in lower case, cut while two words are left
        # and the last is met alone as a name elsewhere (a surname: "Mattis said")
        if len(words) >= 3 and words[-1].group() in alone:
            while len(words) > 2 and words[0].group()[0].isupper() and words[0].group().lower() in lower:
                words.pop(0)
            start = e.start + words[0].start()
            e = Entity(text[start:e.end], e.label, start, e.end)
        out.append(e)
    return out


def _only_opens_sentences(word: str, text: str) -> bool:
    found = False
    for m in re.finditer(rf"(?<![\w'-]){re.escape(word)}(?![\w'-])", text):
        before = text[max(0, m.start() - 40):m.start()].rstrip(" \t\"'“‘(")
        if before and before[-1] not in ".!?\n:":
            return False
        found = True
    return found


def _with_surnames(groups: dict[str, NameGroup]) -> dict[str, NameGroup]:
    """One article's name groups with a surname mention ("Mattis") folded into the full name ("Jim Mattis")."""
    out = dict(groups)
    for key, g in groups.items():
        if " " in key or len(key) < 4:
            continue
        full = [k for k in groups if " " in k and k.split()[-1] == key]
        if len(full) == 1:
            whole = out[full[0]]
            out[full[0]] = NameGroup(whole.key, whole.name, whole.count + g.count)
            del out[key]
    return out


def _date_label(value: str) -> str:
    labels = {"D-1": "the day before publication", "D0": "the day of publication", "D+1": "the day after publication"}
    if value in labels:
        return labels[value]
    if value.startswith("weekday:"):
        return value.split(":", 1)[1].capitalize()
    return value


def _surface(mentions: list[DateMention], value: str) -> str:
    return next(d.text for d in mentions if d.value == value)


def build_evidence(fa: ArticleFeatures, fb: ArticleFeatures, sim: np.ndarray,
                   min_similarity: float = SENTENCE_PAIR_MIN) -> Evidence:
    """The evidence lists of a pair of embedded articles; `sim` is their sentence similarity matrix, and sentence
    pairs from `min_similarity` are shown."""
    ev = Evidence()
    ga = _with_surnames(group_names(readable_entities(fa.entities, fa.article.text, fa.language)))
    gb = _with_surnames(group_names(readable_entities(fb.entities, fb.article.text, fb.language)))
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

    ev.sentence_pairs = _sentence_pairs(fa, fb, sim, min_similarity)
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


def _sentence_pairs(fa: ArticleFeatures, fb: ArticleFeatures, sim: np.ndarray,
                    min_similarity: float = SENTENCE_PAIR_MIN) -> list[SentencePair]:
    """Mutual best-matching sentences, most similar first."""
    if sim.size == 0:
        return []
    best_b = sim.argmax(axis=1)
    best_a = sim.argmax(axis=0)
    pairs = [(float(sim[i, j]), i, j) for i, j in enumerate(best_b)
             if best_a[j] == i and sim[i, j] >= min_similarity]
    pairs.sort(reverse=True)
    return [SentencePair(fa.sentences[i].text, fb.sentences[j].text, round(s, 3), fa.sentences[i].start,
                         fb.sentences[j].start) for s, i, j in pairs[:MAX_SENTENCE_PAIRS]]
