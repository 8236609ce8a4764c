"""Language identification with lingua, limited to the languages storymatch can use.

Restricting lingua to ~30 languages keeps its start-up under a second (all 75
take ~7 s here) and its accuracy on news text unchanged for these.

A short text says too little to tell many languages apart: lingua's trigram mode took "Hello world." for
Vietnamese with a confidence of 0.93, which then switched `compare` to the multilingual model. So a text in a
spaced script (Latin, Cyrillic, Arabic...) needs MIN_LETTERS letters and a top confidence of MIN_CONFIDENCE
before a language is named; below that the answer is None ("unknown"), and callers fall back to English.
A script used by one language alone decides at any length (kana: Japanese, Hangul: Korean, Thai: Thai), and so
does Han without kana (Chinese). Both thresholds were chosen on SemEval-2022 titles and leads cut to a given
number of letters (`benchmarks/short_language.py`), and checked on headlines of another set.
"""

from __future__ import annotations

from functools import lru_cache

from storymatch.text.scripts import script_language

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


MIN_LETTERS = 25
MIN_CONFIDENCE = 0.9


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it cannot tell (too short, or no clear winner)."""
    sample = text[:3000]
    if by_script := script_language(sample):
        return by_script
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    values = _detector().compute_language_confidence_values(sample)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    code = values[0].language.iso_code_639_1.name.lower()
    return "no" if code in ("nb", "nn") else code
