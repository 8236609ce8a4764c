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

import logging
from functools import lru_cache

from storymatch.text.scripts import script_language, unread_script
from storymatch.text.spans import word_list
from storymatch.text.stopwords import frequent_words

log = logging.getLogger("storymatch")

# News languages covered by the embedders or the SemEval-2022 task, plus common neighbours
# whose confusion would otherwise be misattributed (e.g. Catalan for Spanish).
SUPPORTED = [
    "ARABIC", "CATALAN", "CHINESE", "CROATIAN", "CZECH", "DANISH", "DUTCH", "ENGLISH", "FINNISH", "FRENCH",
    "GERMAN", "GREEK", "HEBREW", "HINDI", "HUNGARIAN", "INDONESIAN", "ITALIAN", "JAPANESE", "KOREAN",
    "NYNORSK", "BOKMAL", "PERSIAN", "POLISH", "PORTUGUESE", "ROMANIAN", "RUSSIAN", "SLOVAK", "SPANISH",
    "MALAY",  # beside Indonesian, which it would otherwise be named (both outside the embedding models, README)
    "SWEDISH", "THAI", "TURKISH", "UKRAINIAN", "VIETNAMESE",
]


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder  # its language models load on first use

    log.info("loading the language detector (lingua)")
    langs = [getattr(Language, name) for name in SUPPORTED if hasattr(Language, name)]
    # Low-accuracy mode uses trigrams only: loads ~5x faster and is as accurate on article-length text.
    return LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()


MIN_LETTERS = 25
MIN_CONFIDENCE = 0.9


# How a language was told, as results name it (comparison's "models"): by the script alone, by lingua, or not at all.
BY_SCRIPT = "writing system"
LINGUA = "lingua"
TOO_SHORT = f"unknown: under {MIN_LETTERS} letters"
UNSURE = f"unknown: lingua under {MIN_CONFIDENCE} confidence"
UNREAD = "unknown: written in a script no part of storymatch reads"  # + ", <script>"


def identify_language(text: str) -> tuple[str | None, str]:
    """The text's language (ISO 639-1, or None when it cannot tell) and how it was told (BY_SCRIPT, LINGUA, ...)."""
    sample = text[:3000]
    if by_script := script_language(sample):
        return by_script, BY_SCRIPT
    if script := unread_script(sample):
        return None, f"{UNREAD} ({script.title()})"
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None, TOO_SHORT
    values = _detector().compute_language_confidence_values(sample)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None, UNSURE
    code = values[0].language.iso_code_639_1.name.lower()
    return ("no" if code in ("nb", "nn") else code), LINGUA


MIXED_PART = 1000  # characters of a text's start and of its end read again to find a second language


def second_language(text: str, language: str | None) -> str | None:
    """Another language a text is partly written in (a quoted statement, a bilingual page): lingua names its first
    or last MIXED_PART characters, with MIN_CONFIDENCE, as a language other than the whole text's. Two calls on
    1,000 characters each (about 4 ms each); None when both agree with the whole, or the text is short."""
    sample = text[:3000]
    if language is None or len(sample) < 2 * MIXED_PART or script_language(sample):
        return None
    for part in (sample[:MIXED_PART], sample[-MIXED_PART:]):
        values = _detector().compute_language_confidence_values(part)
        if values and values[0].value >= MIN_CONFIDENCE:
            code = values[0].language.iso_code_639_1.name.lower()
            code = "no" if code in ("nb", "nn") else code
            if code != language:
                return code
    return None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it cannot tell (too short, or no clear winner)."""
    return identify_language(text)[0]


ENGLISH_SHARE = 0.2  # share of a text's words among English's 50 commonest from which it is English


def quick_language(text: str) -> str | None:
    """detect_language, with English told first by its function words (no lingua call).

    On the first 1,000 characters of SemEval-2022's texts, English's 50 commonest words make a median 34% of
    an English text's words (1st percentile 21%) and at most 18% of a German, Spanish, French, Polish, Turkish
    or Arabic one. lingua costs ~8 ms for such a sample, as much as aligning the pair: align, which runs at a
    hundred pairs a second, asks this.
    """
    if by_script := script_language(text):
        return by_script
    words = word_list(text)
    if len(words) >= 20:
        common = frequent_words("en", 50)
        if sum(w in common for w in words) >= ENGLISH_SHARE * len(words):
            return "en"
    return detect_language(text)
