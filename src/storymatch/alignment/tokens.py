"""A text as arrays of units for alignment: offsets into the original, integer ids, and distinctiveness.

A unit is a word in spaced scripts and a character bigram in Chinese, Japanese, Korean and Thai (text.scripts
says why). A unit is distinctive when it is neither among the language's most frequent words nor inside a stock
phrase journalists attach to any story ("according to officials", "told reporters", 据报道, によると): matched
units that are not distinctive are no evidence of copying.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from storymatch.text.normalize import normalize
from storymatch.text.scripts import (
    SCRIPT_LANGUAGE,
    UNITS_PER_WORD,
    dense_distinctive,
    dominant_script,
    has_dense,
    script_language,
    unit_spans,
)
from storymatch.text.spans import WORD  # the one word rule, so spans here match text.words
from storymatch.text.stopwords import frequent_words

# Phrases journalists attach to any story. Words matched inside them are not
# evidence of reuse, so a passage made only of them is never reported.
STOCK_PHRASES = (
    "according to", "on condition of anonymity", "condition of anonymity", "spoke on condition",
    "who spoke on condition", "told reporters", "told journalists", "told afp", "told reuters", "told ap",
    "told the associated press", "news agency", "said in a statement", "in a statement", "a spokesman said",
    "a spokeswoman said", "a spokesperson said", "declined to comment", "could not be reached for comment",
    "did not respond to a request for comment", "did not immediately respond", "requests for comment",
    "officials said", "official said", "officials say", "sources said", "according to officials",
    "according to reports", "according to a statement", "local media reported", "local media",
    "state media", "state-run", "not authorized to discuss", "not authorised to discuss",
    "to discuss the matter publicly", "speaking on condition", "asked not to be named", "the matter publicly",
    "on monday", "on tuesday", "on wednesday", "on thursday", "on friday", "on saturday", "on sunday",
    "last week", "last month", "last year", "this week", "this month", "this year", "earlier this",
    "all rights reserved", "copyright",
)


@lru_cache(maxsize=1)
def _stock_hashes() -> dict[int, np.ndarray]:
    """Stock phrases as word n-gram hashes by length, to find them with the same hashing as seeds."""
    by_len: dict[int, list[int]] = {}
    for phrase in STOCK_PHRASES:
        ids = np.fromiter(map(hash, WORD.findall(normalize(phrase))), dtype=np.int64)
        by_len.setdefault(len(ids), []).append(int(ngram_hashes(ids, len(ids))[0]))
    return {n: np.array(sorted(h), dtype=np.uint64) for n, h in by_len.items()}


def _mark_stock(ids: np.ndarray, distinctive: np.ndarray) -> None:
    """Words inside stock phrases are not distinctive (in place)."""
    for n, table in _stock_hashes().items():
        h = ngram_hashes(ids, n)
        if not len(h):
            continue
        pos = np.minimum(np.searchsorted(table, h), len(table) - 1)
        hits = np.nonzero(table[pos] == h)[0]
        if len(hits):
            distinctive[(hits[:, None] + np.arange(n)).ravel()] = False


@dataclass
class Tokens:
    """A text's words as arrays: offsets into the original text, interned ids, distinctiveness."""

    text: str
    norm: str
    words: list[str]
    starts: np.ndarray
    ends: np.ndarray
    ids: np.ndarray
    distinctive: np.ndarray  # bool: not a stopword, not inside a stock phrase
    per_word: float = 1.0  # units per word: 1 where words are spaced, more where units are character bigrams

    def __len__(self) -> int:
        return len(self.words)


def tokenize(text: str, language: str | None = None) -> Tokens:
    """Units of `text` (on its length-preserving normalisation) with offsets and integer ids.

    Ids are the units' string hashes: equal within one process, which is all
    seeding needs, and computed in C (map) rather than in a Python loop.
    """
    norm = normalize(text)
    if has_dense(norm):
        return _tokenize_dense(text, norm, language)
    matches = list(WORD.finditer(norm))
    words = list(map(re.Match.group, matches))
    n = len(words)
    starts = np.fromiter(map(re.Match.start, matches), dtype=np.int64, count=n)
    ends = np.fromiter(map(re.Match.end, matches), dtype=np.int64, count=n)
    ids = np.fromiter(map(hash, words), dtype=np.int64, count=n)
    distinctive = _spaced_distinctive(words, starts, ends, language)
    _mark_stock(ids, distinctive)
    return Tokens(text, norm, words, starts, ends, ids, distinctive)


def _spaced_distinctive(words: list[str], starts: np.ndarray, ends: np.ndarray, language: str | None) -> np.ndarray:
    n = len(words)
    stop = frequent_words(language or "en")
    distinctive = ~np.fromiter(map(stop.__contains__, words), dtype=bool, count=n)
    for k in np.nonzero(distinctive & (ends - starts < 3))[0].tolist():
        distinctive[k] = not words[k].isalpha()  # short words count only as numbers ("18", "G7")
    return distinctive


def _tokenize_dense(text: str, norm: str, language: str | None) -> Tokens:
    """Units of a text with Chinese, Japanese, Korean or Thai in it: bigrams there, words elsewhere."""
    s, e = unit_spans(norm)
    starts, ends = np.asarray(s, dtype=np.int64), np.asarray(e, dtype=np.int64)
    words = [norm[a:b] for a, b in zip(s, e)]
    ids = np.fromiter(map(hash, words), dtype=np.int64, count=len(words))
    dense = np.fromiter(map(has_dense, words), dtype=bool, count=len(words))
    # the language of the dense units: the article's when it is one of theirs, else what the script says
    dense_lang = language if language in SCRIPT_LANGUAGE.values() else script_language(norm)
    distinctive = np.where(dense, dense_distinctive(norm, starts, ends, dense_lang),
                           _spaced_distinctive(words, starts, ends, language))
    _mark_stock(ids, distinctive)
    per_word = UNITS_PER_WORD.get(dominant_script(norm) or "", 1.0)
    return Tokens(text, norm, words, starts, ends, ids, distinctive, per_word)


def ngram_hashes(ids: np.ndarray, n: int) -> np.ndarray:
    """Rolling polynomial hash of every word n-gram (uint64, wrap-around is intended)."""
    if len(ids) < n:
        return np.zeros(0, dtype=np.uint64)
    x = ids.view(np.uint64)
    h = np.zeros(len(ids) - n + 1, dtype=np.uint64)
    base = np.uint64(1_000_003)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = h * base + x[k:len(ids) - n + 1 + k]
    return h
