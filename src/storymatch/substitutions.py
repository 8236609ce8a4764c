"""How a reused passage was altered: word swaps from a word-level diff, and a similarity.

The diff runs on the normalised word sequences (rapidfuzz Levenshtein opcodes),
so case, curly quotes and dashes are not reported as edits; the phrases
reported are cut from the original texts, as the reader wrote them.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

_SPACE = re.compile(r"\s+")


def collapse(text: str) -> str:
    """Whitespace-insensitive form: line wrapping is not an edit."""
    return _SPACE.sub(" ", text).strip()


def substitutions(a_words: list[str], b_words: list[str], a_spans: list[tuple[int, int]],
                  b_spans: list[tuple[int, int]], a_text: str, b_text: str,
                  max_words: int = 6) -> list[list[str]]:
    """Replace operations of the word diff as [b_phrase, a_phrase] (B's wording, then A's).

    `a_spans`/`b_spans` are the words' character spans in the original texts.
    Longer replacements than `max_words` on either side are rewrites, not swaps.
    """
    out: list[list[str]] = []
    for op in Levenshtein.opcodes(b_words, a_words):
        if op.tag != "replace":
            continue
        if op.src_end - op.src_start > max_words or op.dest_end - op.dest_start > max_words:
            continue
        b_phrase = b_text[b_spans[op.src_start][0]:b_spans[op.src_end - 1][1]]
        a_phrase = a_text[a_spans[op.dest_start][0]:a_spans[op.dest_end - 1][1]]
        pair = [collapse(b_phrase), collapse(a_phrase)]
        if pair not in out:
            out.append(pair)
    return out


def similarity(a_norm: str, b_norm: str) -> float:
    """Character-level similarity (Indel ratio) of two normalised passages, 0-1."""
    return fuzz.ratio(collapse(a_norm), collapse(b_norm)) / 100.0


def word_similarity(a_words: list[str], b_words: list[str]) -> float:
    """Share of words kept between the two passages (normalised Indel on word lists), 0-1."""
    if not a_words and not b_words:
        return 1.0
    return 1.0 - Levenshtein.normalized_distance(a_words, b_words, weights=(1, 1, 2))
