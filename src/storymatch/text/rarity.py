"""How common a word is in a language, from general-language word frequencies (wordfreq).

A fixed, corpus-free measure: it needs no fitting, so a score never changes when
more articles arrive, and it covers the many languages wordfreq ships. The fast
embedding tier weighs words by it; the entity rule uses it to tell German nouns
from names.
"""

from __future__ import annotations

import math
from functools import lru_cache

# Zipf scale: log10 of uses per billion words. Words at least as common as COMMON_ZIPF
# ("the", "of") weigh nothing; a word missing from the list (a name, a rare term, a typo)
# is taken to be as rare as UNKNOWN_ZIPF, near the list's floor.
COMMON_ZIPF = 8.0
UNKNOWN_ZIPF = 2.0


@lru_cache(maxsize=16)
def _frequencies(lang: str) -> dict[str, float]:
    """wordfreq's word list for a language (shipped in the PyPI package; {} if unknown)."""
    import wordfreq

    try:
        return wordfreq.get_frequency_dict(lang)
    except (LookupError, ValueError):
        return {}


def zipf(word: str, lang: str | None) -> float:
    """The lower-cased word's Zipf frequency in `lang`; 0.0 when wordfreq has never seen it."""
    freq = _frequencies((lang or "en")[:2])
    w = word.lower()
    return math.log10(freq[w]) + 9 if w in freq else 0.0


def rarity(word: str, lang: str | None) -> float:
    """Self-information above that of the commonest words: "the" 0, "said" about 2, "Steele" about 5."""
    return max(COMMON_ZIPF - max(zipf(word, lang), UNKNOWN_ZIPF), 0.0)
