"""Language identification with lingua, limited to the languages storymatch can use.

Restricting lingua to ~30 languages keeps its start-up under a second (all 75
take ~7 s here) and its accuracy on news text unchanged for these.
"""

from __future__ import annotations

from functools import lru_cache

# News languages covered by the embedders or the SemEval-2022 task, plus common neighbours
# whose confusion would otherwise be misattributed (e.g. Catalan for Spanish).
SUPPORTED = [
    "ARABIC", "CATALAN", "CHINESE", "CROATIAN", "CZECH", "DANISH", "DUTCH", "ENGLISH", "FINNISH", "FRENCH",
    "GERMAN", "GREEK", "HEBREW", "HINDI", "HUNGARIAN", "INDONESIAN", "ITALIAN", "JAPANESE", "KOREAN",
    "NYNORSK", "BOKMAL", "PERSIAN", "POLISH", "PORTUGUESE", "ROMANIAN", "RUSSIAN", "SLOVAK", "SPANISH",
    "SWEDISH", "THAI", "TURKISH", "UKRAINIAN", "VIETNAMESE",
]


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    langs = [getattr(Language, name) for name in SUPPORTED if hasattr(Language, name)]
    # Low-accuracy mode uses trigrams only: loads ~5x faster and is as accurate on article-length text.
    return LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it cannot tell."""
    sample = text[:3000]
    if sum(ch.isalpha() for ch in sample) < 10:
        return None
    lang = _detector().detect_language_of(sample)
    if lang is None:
        return None
    code = lang.iso_code_639_1.name.lower()
    return "no" if code in ("nb", "nn") else code
