"""Numbers in article text, normalised so "1,500", "1 500" and "1.500" (German) meet.

Years are left to `dates`; percentages and scale words are kept with the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

_NUM = re.compile(
    r"(?<![\w.,])(?P<int>\d{1,3}(?:(?P<sep>[,.\u00a0 ])\d{3})(?:(?P=sep)\d{3})*|\d+)"
    r"(?:(?P<dec>[.,])(?P<frac>\d{1,2}))?(?![\d])"
    r"(?:\s*(?P<unit>%|per\s?cent|percent|prozent|por\s?ciento|million|millionen|mill?\.|billion|milliarden|bn|thousand|tausend|mil(?:lones)?))?",
    re.IGNORECASE,
)
_SCALE = {"million": "e6", "millionen": "e6", "mill.": "e6", "mil.": "e6", "millones": "e6", "mil": "e3",
          "billion": "e9", "milliarden": "e9", "bn": "e9", "thousand": "e3", "tausend": "e3"}


@dataclass(frozen=True)
class NumberMention:
    text: str
    start: int
    end: int
    value: str


def extract_numbers(text: str, skip: Sequence[tuple[int, int]] = ()) -> list[NumberMention]:
    """Numbers with offsets; spans in `skip` (e.g. date mentions) are left out."""
    out = []
    for m in _NUM.finditer(text):
        if any(s <= m.start() < e for s, e in skip):
            continue
        digits = re.sub(r"[^\d]", "", m.group("int"))
        if len(digits) == 4 and not m.group("sep") and 1900 <= int(digits) <= 2099 and not m.group("unit"):
            continue  # a year: dates handle it
        value = str(int(digits))
        if m.group("frac") and m.group("frac").strip("0"):
            value += "." + m.group("frac").rstrip("0")
        unit = (m.group("unit") or "").lower().replace(" ", "")
        if unit:
            value += "%" if unit.startswith(("%", "per", "pro", "por")) else _SCALE.get(unit, "")
        out.append(NumberMention(m.group(0).strip(), m.start(), m.end(), value))
    return out
