"""Direct quotations: what a source said, in straight, curly or guillemet quotes.

Found on the length-preserving normalised text (all quote styles fold to '"'),
so offsets index the original. Shared quotes are matched fuzzily (rapidfuzz)
because outlets trim, re-punctuate and translate-edit what they quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from storymatch.text.normalize import normalize

_QUOTE = re.compile(r'"([^"\n]{8,1000}?)"')
MIN_WORDS = 4


@dataclass(frozen=True)
class Quote:
    text: str  # the quoted words, without the marks, as in the original
    start: int
    end: int


def extract_quotes(text: str) -> list[Quote]:
    norm = normalize(text)
    out = []
    for m in _QUOTE.finditer(norm):
        inner = text[m.start(1):m.end(1)].strip()
        if len(inner.split()) >= MIN_WORDS:
            out.append(Quote(inner, m.start(1), m.end(1)))
    return out


def _key(s: str) -> str:
    return re.sub(r"[^\w ]+", "", normalize(s)).strip()


def shared_quotes(a: list[Quote], b: list[Quote], threshold: float = 90.0) -> list[tuple[Quote, Quote, float]]:
    """Quote pairs where one contains the other nearly word for word."""
    out = []
    used = set()
    keys_b = [_key(qb.text) for qb in b]
    for qa in a:
        ka = _key(qa.text)
        best = None
        for j, (qb, kb) in enumerate(zip(b, keys_b)):
            if j in used:
                continue
            short = min(len(ka.split()), len(kb.split()))
            if short < MIN_WORDS:
                continue
            score = fuzz.partial_ratio(ka, kb)
            if score >= threshold and (best is None or score > best[2]):
                best = (qa, qb, score, j)
        if best:
            used.add(best[3])
            out.append(best[:3])
    return out
