"""How a reused passage was altered: word swaps from a word-level diff, and a similarity.

The diff runs on the normalised word sequences (rapidfuzz Levenshtein opcodes),
so case, curly quotes and dashes are not reported as edits; the phrases
reported are cut from the original texts, as the reader wrote them.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Levenshtein

from storymatch.text.scripts import units

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
    for b0, b1, a0, a1 in _changed_runs(b_words, a_words):
        if not (b1 > b0 and a1 > a0) or b1 - b0 > max_words or a1 - a0 > max_words:
            continue  # a pure insertion or deletion, or a rewrite rather than a swap
        b_phrase = b_text[b_spans[b0][0]:b_spans[b1 - 1][1]]
        a_phrase = a_text[a_spans[a0][0]:a_spans[a1 - 1][1]]
        pair = [collapse(b_phrase), collapse(a_phrase)]
        if pair not in out:
            out.append(pair)
    return out


def _changed_runs(b_words: list[str], a_words: list[str]) -> list[tuple[int, int, int, int]]:
    """Maximal runs between kept words of the longest common subsequence, as (b0, b1, a0, a1).

    Indel (LCS) opcodes rather than Levenshtein ones: with substitutions allowed,
    ties let the diff swallow a kept word ("last night, after Russia") into one replace.
    """
    runs: list[tuple[int, int, int, int]] = []
    cur: list[int] | None = None
    for op in Indel.opcodes(b_words, a_words):
        if op.tag == "equal":
            if cur:
                runs.append((cur[0], cur[1], cur[2], cur[3]))
            cur = None
        elif cur is None:
            cur = [op.src_start, op.src_end, op.dest_start, op.dest_end]
        else:
            cur[1], cur[3] = op.src_end, op.dest_end
    if cur:
        runs.append((cur[0], cur[1], cur[2], cur[3]))
    return runs


def similarity(a_norm: str, b_norm: str) -> float:
    """Character-level similarity (Indel ratio) of two normalised passages, 0-1."""
    return fuzz.ratio(collapse(a_norm), collapse(b_norm)) / 100.0


def word_similarity(a_words: list[str], b_words: list[str]) -> float:
    """Share of words kept between the two passages (normalised Indel on word lists), 0-1."""
    if not a_words and not b_words:
        return 1.0
    return 1.0 - Levenshtein.normalized_distance(a_words, b_words, weights=(1, 1, 2))


def diff_marks(a_text: str, b_text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Character ranges of the words (units) that differ, in A's passage and in B's, for display."""
    ua, ub = units(a_text), units(b_text)
    marks_a: list[tuple[int, int]] = []
    marks_b: list[tuple[int, int]] = []
    for b0, b1, a0, a1 in _changed_runs(ub.strings, ua.strings):
        if a1 > a0:
            marks_a.append((int(ua.starts[a0]), int(ua.ends[a1 - 1])))
        if b1 > b0:
            marks_b.append((int(ub.starts[b0]), int(ub.ends[b1 - 1])))
    return marks_a, marks_b
