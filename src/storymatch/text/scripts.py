"""What a "word" is in each script: the units alignment seeds and LSH shingles are made of, with exact offsets.

Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari ... separate words with spaces, and a unit is a word (the one
`WORD` rule of `text.spans`). Chinese, Japanese and Thai write no spaces between words, and Korean separates
eojeol (a word with its particles: 정부는, 정부가 are one noun), so a space-split "word" there is a whole clause
that never repeats; reuse in those scripts was invisible. There a unit is a character bigram:

- Han and Kana (Chinese, Japanese) and Hangul syllables (Korean): overlapping bigrams of characters, the unit
  of CJK retrieval (Lucene's CJKBigramFilter): most Chinese words are two characters, a Japanese or Korean bigram
  is a stem or a stem and its particle, and a swapped character spoils two units, as a swapped word does one;
- Thai: overlapping bigrams of character clusters (a consonant with the vowel and tone marks written on it,
  which are combining characters and never a unit alone).

A run of one dense character (a lone 中 between Latin words) is one unit. Every unit is a (start, end) range of
the text as given, so a passage found on units maps back to exact character offsets; units of a bigram overlap,
which seeding does not mind (an n-gram of bigrams is a run of n + 1 characters).

Which language's frequent words make a unit non-distinctive follows from the script when the language is not
known (`script_language`): Kana means Japanese, Hangul Korean, Thai Thai, Han alone Chinese.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import numpy as np

from storymatch.text.normalize import normalize
from storymatch.text.stopwords import frequent_words

# Character classes (Unicode blocks) of the scripts written without spaces between words.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
KANA = "\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9d"  # hiragana, katakana (with ー), half-width
HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
THAI = "\u0e01-\u0e4e"  # letters, vowels and tone marks; Thai digits (U+0E50-59) are digits, as elsewhere
DENSE = HAN + KANA + HANGUL + THAI
_DENSE_CHAR = re.compile(f"[{DENSE}]")
_DENSE_RUN = re.compile(f"[{DENSE}]+")
# The one word rule (text.spans.WORD, defined here so that this module can use it): alignment tokens, LSH shingles
# and bag-of-words features all split words with it.
WORD = re.compile(r"\w+(?:[-'\u2019]\w+)*", re.UNICODE)
# WORD with the dense characters taken out, so a mixed run ("2017年5月", "iPhone发布") splits into
# its Latin/digit words and its dense characters. On text without dense characters it matches exactly as WORD.
_SPACED_WORD = re.compile(f"[^\\W{DENSE}]+(?:[-'\u2019][^\\W{DENSE}]+)*")
_UNITS = re.compile(f"(?P<dense>[{DENSE}]+)|{_SPACED_WORD.pattern}")

_SCRIPT_OF = (("kana", re.compile(f"[{KANA}]")), ("hangul", re.compile(f"[{HANGUL}]")),
              ("thai", re.compile(f"[{THAI}]")), ("han", re.compile(f"[{HAN}]")))
SCRIPT_LANGUAGE = {"kana": "ja", "hangul": "ko", "thai": "th", "han": "zh"}

# How many characters of Latin-script news one character of each dense script stands for, so that length
# thresholds set on English (a passage of 25 characters, about five words) mean as much text elsewhere.
# News in Chinese averages 1.6 characters a word against 6 (with its space) in English; Japanese mixes Han
# with kana at about 2.4 characters a word; a Hangul syllable is about half a Latin word-with-space third;
# Thai letters run about as long as Latin ones.
CHAR_WEIGHT = {"han": 3.0, "kana": 2.0, "hangul": 2.0, "thai": 1.0}
# How many units (bigrams, about one per character) one word makes, by a text's dominant script, so that counts
# set in words (a passage of at least 6 matched words, 2 of them distinctive) mean as much text: Chinese words
# average 1.6 characters, Japanese ones (particles and inflections apart) about 2.4, a Korean eojeol about 3
# syllables (2 bigrams), a Thai word about 3.5 letters.
UNITS_PER_WORD = {"han": 1.6, "kana": 2.4, "hangul": 2.0, "thai": 3.5}


# Scripts some part of storymatch reads: words split by spaces (Latin, Cyrillic, Greek, Arabic, Hebrew,
# Devanagari: lingua names their languages, USE-multilingual or MiniLM embed some), or by `units` (Han, Kana,
# Hangul, Thai). A text mostly in any other script (Georgian, Armenian, Ethiopic, Tibetan, Khmer, Sinhala ...) is
# one no language detector, embedding model, entity rule or gazetteer here was made for.
READ_SCRIPTS = {"LATIN", "CYRILLIC", "GREEK", "ARABIC", "HEBREW", "DEVANAGARI", "CJK", "HIRAGANA", "KATAKANA",
                "HANGUL", "THAI", "HALFWIDTH", "FULLWIDTH"}


def unread_script(text: str) -> str | None:
    """The script most of the text's letters are in (its Unicode name, "GEORGIAN"), when it is none of
    READ_SCRIPTS; None for a text in a script storymatch reads, or with no letters."""
    sample = text[:3000]
    if sample.isascii():  # Latin letters or none: known without naming each character (~1 ms a sample)
        return None
    counts: dict[str, int] = {}
    for ch in sample:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            script = name.split(" ", 1)[0] if name else ""
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    top = max(counts, key=lambda k: counts[k])
    return None if top in READ_SCRIPTS or not top else top


def has_dense(text: str) -> bool:
    """Does the text contain any character of a script written without spaces between words? (An ASCII text
    cannot, and Python knows a string is ASCII without reading it: most English articles are.)"""
    return not text.isascii() and _DENSE_CHAR.search(text) is not None


def mask_dense(text: str) -> str:
    """The text with its Chinese, Japanese, Korean and Thai characters blanked out (offsets unchanged).

    Python's `\\w` and `\\b` count a Han character as a word character, so patterns written for spaced text
    ("a number not inside a word", "a capitalised word") find nothing in 在10分钟内 or read 'SMART和南大在周四' as one
    name. With the dense script blanked, the Latin names and the digits such text carries stand alone.
    """
    return _DENSE_RUN.sub(lambda m: " " * len(m.group()), text) if has_dense(text) else text


def dominant_script(text: str) -> str | None:
    """The space-less script of a text ("kana", "hangul", "thai", "han"), or None for spaced scripts.

    Kana decides before Han: Japanese writes both, Chinese never writes kana.
    """
    sample = text[:5000]
    if not has_dense(sample):
        return None
    counts = {name: len(rx.findall(sample)) for name, rx in _SCRIPT_OF}
    letters = sum(ch.isalpha() for ch in sample)
    dense = sum(counts.values())
    if dense < 0.3 * letters:  # an English text quoting a few Chinese characters is still English
        return None
    if counts["kana"] >= 0.05 * dense:
        return "kana"
    return max(counts, key=lambda k: counts[k])


def script_language(text: str) -> str | None:
    """The language a text's space-less script implies (ja, ko, th, zh), or None for spaced scripts."""
    script = dominant_script(text)
    return SCRIPT_LANGUAGE[script] if script else None


def weighted_length(text: str) -> float:
    """The text's length in Latin-character equivalents (CHAR_WEIGHT); len(text) for spaced scripts."""
    if not has_dense(text):
        return float(len(text))
    total = float(len(text))
    for name, rx in _SCRIPT_OF:
        total += (CHAR_WEIGHT[name] - 1.0) * len(rx.findall(text))
    return total


def _clusters(run: str, offset: int) -> list[tuple[int, int]]:
    """Grapheme-like clusters of a dense run: a base character with the combining marks after it."""
    out: list[tuple[int, int]] = []
    for i, ch in enumerate(run):
        if out and unicodedata.category(ch) in ("Mn", "Mc"):
            out[-1] = (out[-1][0], offset + i + 1)
        else:
            out.append((offset + i, offset + i + 1))
    return out


def _bigrams(clusters: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if len(clusters) == 1:
        return clusters
    return [(clusters[k][0], clusters[k + 1][1]) for k in range(len(clusters) - 1)]


@dataclass(frozen=True)
class Units:
    """A text's units: their character ranges in the text as given, and their (normalised) strings."""

    starts: np.ndarray
    ends: np.ndarray
    strings: list[str]

    def __len__(self) -> int:
        return len(self.strings)


def unit_spans(norm: str) -> tuple[list[int], list[int]]:
    """(starts, ends) of the units of an already normalised text (see the module docstring)."""
    starts: list[int] = []
    ends: list[int] = []
    for m in _UNITS.finditer(norm):
        if m.group("dense") is None:
            starts.append(m.start())
            ends.append(m.end())
            continue
        pieces = _clusters(m.group(), m.start())
        for s, e in _bigrams(pieces):
            starts.append(s)
            ends.append(e)
    return starts, ends


def units(text: str) -> Units:
    """The text's units on its length-preserving normalisation, with offsets into `text` itself."""
    norm = normalize(text)
    starts, ends = unit_spans(norm)
    return Units(np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64),
                 [norm[s:e] for s, e in zip(starts, ends)])


def unit_list(text: str) -> list[str]:
    """Normalised (lower-cased) units of a text: `text.word_list` for spaced scripts, bigrams where dense."""
    norm = normalize(text)
    if not has_dense(norm):  # exactly text.word_list, so LSH keys of stored articles stay valid
        return [w.lower() for w in WORD.findall(norm)]
    starts, ends = unit_spans(norm)
    return [norm[s:e].lower() for s, e in zip(starts, ends)]


def units_of(norm: str, start: int = 0, end: int | None = None) -> list[str]:
    """Unit strings of `norm[start:end]`, a slice of an already normalised text: exactly `WORD.findall` there
    when it holds no Chinese, Japanese, Korean or Thai, so keys computed from words stay what they were."""
    end = len(norm) if end is None else end
    if not _DENSE_CHAR.search(norm, start, end):
        return WORD.findall(norm, start, end)
    starts, ends = unit_spans(norm[start:end])
    return [norm[start + s:start + e] for s, e in zip(starts, ends)]


# Ends each sentence's units in `sentence_units`: never a unit itself (not a word character, nor a dense one).
SENTENCE_END = "\x00"


def sentence_units(norm: str, spans: Iterable[tuple[int, int]], dense: bool | None = None) -> list[str]:
    """`units_of` each (start, end) range of an already normalised text, flat, each range's units followed by
    SENTENCE_END.

    Without Chinese, Japanese, Korean or Thai in the text, that is one regex call over the ranges joined by
    SENTENCE_END (no unit spans it, and a unit match looks neither behind nor ahead of itself, so each range
    gives what `WORD.findall` gives on it alone) instead of one call per sentence (53,566 calls for the 3,581
    benchmark articles). With the single hashing call it allows (features.minhash.shingle_sentences), their LSH
    keys took 0.63 -> 0.50 s (same run, best of 3).
    """
    ranges = list(spans)
    if has_dense(norm) if dense is None else dense:  # `dense`: has_dense(norm), when the caller knows it
        out: list[str] = []
        for start, end in ranges:
            out += units_of(norm, start, end)
            out.append(SENTENCE_END)
        return out
    return _WORD_OR_END.findall(SENTENCE_END.join([norm[s:e] for s, e in ranges] + [""]))


# WORD or an end mark. On text without dense characters WORD matches as _SPACED_WORD does, and ~1.5x faster (its
# class is \w, not "\w but none of the dense ranges"): 0.62 -> 0.41 s for the 3,581 benchmark articles' words.
_WORD_OR_END = re.compile(f"{WORD.pattern}|{SENTENCE_END}")


# Frequent words for the languages wordfreq has no list for (Thai): the commonest function words of Thai news.
_EXTRA_FREQUENT = {
    "th": ("ที่ และ การ ใน ของ เป็น มี ได้ ให้ ว่า จะ ไม่ ไป มา แล้ว กับ จาก นี้ โดย ความ ก็ ซึ่ง อยู่ คน เมื่อ หรือ "
           "แต่ ต้อง ยัง ถึง ทำ ด้วย เขา นั้น อย่าง เพื่อ ขึ้น กัน ออก ตาม ปี วัน เรา ผู้ ไว้ แห่ง ทาง หนึ่ง ทั้ง กล่าว "
           "ระบุ เปิดเผย นาย นาง").split(),
}

# Stock phrases of Chinese, Japanese, Korean and Thai news ("according to reports", "told reporters"): words
# inside them are no evidence of copying, as alignment.tokens' English list.
STOCK_PHRASES = {
    "zh": ("据报道", "据悉", "据了解", "消息人士", "记者", "表示", "指出", "称", "新华社", "法新社", "路透社",
           "美联社", "综合报道", "责任编辑", "版权所有", "星期一", "星期二", "星期三", "星期四", "星期五",
           "星期六", "星期日", "周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "ja": ("によると", "関係者によると", "と述べた", "と語った", "明らかにした", "発表した", "記者団に",
           "共同通信", "時事通信", "ロイター", "によれば", "とした"),
    "ko": ("에 따르면", "밝혔다", "말했다", "전했다", "기자", "연합뉴스", "관계자는"),
    "th": ("กล่าวว่า", "ระบุว่า", "เปิดเผยว่า", "รายงานว่า", "ผู้สื่อข่าว", "แหล่งข่าว"),
}


@lru_cache(maxsize=16)
def _frequent_pattern(language: str) -> re.Pattern[str] | None:
    """One regex of the language's frequent words and stock phrases, longest first (leftmost-longest match)."""
    dense_language = language in SCRIPT_LANGUAGE.values()
    words = {w for w in frequent_words(language) if has_dense(w)} if dense_language else set()
    words |= set(_EXTRA_FREQUENT.get(language, ()))
    words |= set(STOCK_PHRASES.get(language, ()))
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def dense_distinctive(norm: str, starts: np.ndarray, ends: np.ndarray, language: str | None) -> np.ndarray:
    """For units of dense text: True where a unit has a character outside the language's frequent words
    and stock phrases (a bigram inside 我们 or によると is not evidence of copying; one reaching into 国防 is)."""
    covered = np.zeros(len(norm) + 1, dtype=np.int32)
    pattern = _frequent_pattern(language or script_language(norm) or "zh")
    if pattern is not None:
        for m in pattern.finditer(norm):
            covered[m.start()] += 1
            covered[m.end()] -= 1
    inside = np.cumsum(covered)[:len(norm)] > 0
    # a unit is distinctive when some character of it is not inside a frequent word
    free = np.concatenate([[0], np.cumsum(~inside)])
    return (free[ends] - free[starts]) > 0
