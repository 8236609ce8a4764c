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
UNREAD = "unknown: written in a script no part of storymatch reads"  # + " (<script>)"
UNNAMED = "unknown: a language storymatch does not name"  # + " (CLD2 reads it as <code>)"


def identify_language(text: str) -> tuple[str | None, str]:
    """The text's language (ISO 639-1, or None when it cannot tell) and how it was told (BY_SCRIPT, LINGUA, ...)."""
    sample = text[:3000]
    if by_script := script_language(sample):
        return by_script, BY_SCRIPT
    if script := unread_script(sample):
        return None, f"{UNREAD} ({script.title()})"
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None, TOO_SHORT
    # lingua names only SUPPORTED, and a language outside them gets one of theirs, sure of it (Swahili is named
    # Indonesian at 0.99995); CLD2 knows some 80 more, and a language it is sure of outside SUPPORTED is unknown here
    if len(sample) >= CLD2_MIN_BYTES // 2 and (other := _cld2(sample[:QUICK_SAMPLE], supported=False)):
        return None, f"{UNNAMED} ({CLD2} reads it as {other})"
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


# The languages of SUPPORTED by their ISO 639-1 codes as this module names them (lingua's, Norwegian as "no"):
# a faster identifier's answer outside these is not taken (tests/text/test_language.py checks the two lists agree).
SUPPORTED_CODES = frozenset({
    "ar", "ca", "zh", "hr", "cs", "da", "nl", "en", "fi", "fr", "de", "el", "he", "hi", "hu", "id", "it", "ja", "ko",
    "no", "fa", "pl", "pt", "ro", "ru", "sk", "es", "sv", "th", "tr", "uk", "vi", "ms",
})
QUICK_SAMPLE = 1000  # characters CLD2 reads: as many as align reads (LANGUAGE_SAMPLE)
CLD2_MIN_BYTES = 200  # bytes of letters CLD2 must find before its answer is taken (Google's CLD2 is made for 200+)
CLD2_MIN_PERCENT = 90  # share of the text it classified that its top language must hold
CLD2 = "CLD2"
# CLD2's codes that differ from this module's
_CLD2_CODES = {"iw": "he", "nb": "no", "nn": "no", "zh-Hant": "zh"}


def _cld2(sample: str, supported: bool = True) -> str | None:
    """CLD2's language for a sample, when it is sure (its "reliable" flag, CLD2_MIN_PERCENT of the text it could
    classify: text it could not, numbers or a by-line, is no evidence of another language; at least CLD2_MIN_BYTES
    of letters) and the language is one of SUPPORTED (with `supported=False`: one outside them); else None."""
    code = _cld2_reading(sample)[0]
    return code if code is not None and (code in SUPPORTED_CODES) == supported else None


def _cld2_reading(sample: str) -> tuple[str | None, tuple[str, ...]]:
    """(the language CLD2 is sure of, in or outside SUPPORTED, or None; when it read CLD2_MIN_BYTES of letters but
    was not sure, the languages of SUPPORTED it found in the sample: the candidates `_lingua_among` weighs)."""
    import pycld2  # a compiled extension: imported on first use

    try:
        reliable, found, details = pycld2.detect(sample, isPlainText=True)
    except pycld2.error:  # CLD2 refuses C1 control characters (cp1252 leftovers such as \x96) and lone surrogates
        try:
            reliable, found, details = pycld2.detect(sample.translate(_UNREADABLE), isPlainText=True)
        except pycld2.error:
            return None, ()
    code, percent = details[0][1], details[0][2]
    known = sum(d[2] for d in details if d[1] != "un")
    code = _CLD2_CODES.get(code, code)
    if reliable and found >= CLD2_MIN_BYTES and percent >= CLD2_MIN_PERCENT / 100 * known and code != "un":
        return code, ()
    if found < CLD2_MIN_BYTES:
        return None, ()
    seen = [_CLD2_CODES.get(d[1], d[1]) for d in details if d[2] > 0]
    return None, tuple(c for c in seen if c in SUPPORTED_CODES)


# what _cld2 blanks out when CLD2 refuses a sample: C1 control characters and surrogates
_UNREADABLE = {c: " " for c in [*range(0x80, 0xA0), *range(0xD800, 0xE000)]}


def quick_language(text: str) -> str | None:
    """detect_language at a small part of its cost: the script first, then CLD2 on a long enough sample, and lingua
    (detect_language, today's rules) only where CLD2 is unsure.

    lingua costs ~1.5 ms for an article's 3,000-character sample, which set ingest's speed (5.2 s of 8.8 s on the
    3,350 SemEval articles); CLD2 (pycld2, Google's Compact Language Detector 2, compiled) reads QUICK_SAMPLE
    characters in ~0.05 ms, and where it is unsure lingua reads the same sample (on all 3,281 SemEval articles its
    answers from 1,000 characters are those from 3,000). A text too short for CLD2 (under CLD2_MIN_BYTES of
    letters) goes to lingua, whose cost is per character and whose rules for short text hold: "Hello world." is
    unknown, not English (CLD2 would call it English, reliably). On the 3,281 SemEval articles CLD2 was sure of all
    but 60 (1.8%), and the answers equal lingua's for every article (benchmarks/language_id.py, docs/EVALUATION.md).
    Where CLD2 read enough but was unsure, lingua weighs only the languages it found (`_lingua_among`).
    Ingest, Spark's records and align ask this; compare names its detector in its results and asks lingua
    (identify_language).
    """
    sample = text[:QUICK_SAMPLE]
    if by_script := script_language(sample):
        return by_script
    if len(sample) < CLD2_MIN_BYTES // 2:
        return detect_language(sample)
    code, candidates = _cld2_reading(sample)
    if code:  # a language outside SUPPORTED is unknown, as detect_language says
        return code if code in SUPPORTED_CODES else None
    if candidates and not unread_script(sample):
        return _lingua_among(sample, candidates)
    return detect_language(sample)


# Languages lingua weighs beside each one CLD2 found in a text it was unsure of: the neighbours news text is
# mistaken for (as SUPPORTED names Catalan beside Spanish), and English, which news in any language quotes.
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "es": ("ca", "pt"), "ca": ("es",), "pt": ("es",), "it": ("es",), "fr": ("ca",), "ro": ("it",),
    "no": ("da", "sv"), "da": ("no", "sv"), "sv": ("no", "da"), "de": ("nl",), "nl": ("de",),
    "cs": ("sk",), "sk": ("cs",), "hr": ("cs",), "ru": ("uk",), "uk": ("ru",), "id": ("ms",), "ms": ("id",),
    "ar": ("fa",), "fa": ("ar",),
}


def _lingua_among(sample: str, candidates: tuple[str, ...]) -> str | None:
    """lingua's answer (today's rules: MIN_CONFIDENCE) for a text CLD2 read enough of to name the languages in it
    but was not sure of, weighing only those, their NEIGHBOURS and English.

    lingua loads a language's model the first time it weighs it: asked among all of SUPPORTED, its first answer in
    a process cost up to 0.3 s (the ~30 models of a script), paid again by every ingest worker, and each answer
    after it ~2 ms; among a text's few candidates, ~0.5 ms. On the 3,281 SemEval articles the answers equal those
    of lingua among all (benchmarks/language_id.py, docs/EVALUATION.md)."""
    names = {"en", *candidates, *(n for c in candidates for n in NEIGHBOURS.get(c, ()))}
    values = _detector_among(frozenset(names)).compute_language_confidence_values(sample)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    code = values[0].language.iso_code_639_1.name.lower()
    return "no" if code in ("nb", "nn") else code


@lru_cache(maxsize=64)
def _detector_among(codes: frozenset[str]):
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    wanted = {"nb", "nn"} if "no" in codes else set()
    wanted |= codes - {"no"}
    langs = [lang for lang in (getattr(Language, name) for name in SUPPORTED if hasattr(Language, name))
             if lang.iso_code_639_1 in {getattr(IsoCode639_1, c.upper()) for c in wanted}]
    return LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()
