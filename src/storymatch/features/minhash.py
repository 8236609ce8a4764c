"""MinHash over sentence word shingles, for reuse candidates; the hashing and the permutations run in rensa (Rust).

Shingles are word k-grams of a sentence's words (the normalised, lower-cased words of `text.spans.WORD`; character
bigrams in Chinese, Japanese, Korean and Thai, `text.scripts.units_of`). Every
per-word and per-permutation step is done in bulk: rensa hashes all words of a text in one call, numpy mixes word
hashes into k-gram hashes for all sentences at once, and rensa computes the signatures of all sentences from one
flat array cut at row offsets. Why rensa rather than numpy or datasketch: on 2,000 news articles (word 3-grams,
128 permutations) the numpy multiply-shift implementation this replaces made 3,600 signatures a second, datasketch's
`bulk` 1,900, rensa's `RMinHash` 32,000 (benchmarks/ingest.py prints the same-run figures). Everything is seeded,
so signatures are the same across runs, processes and machines (the store and Spark rely on it).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import rensa

from storymatch.text.normalize import normalize
from storymatch.text.scripts import SENTENCE_END, has_dense, sentence_units
from storymatch.text.spans import Span, sentences

EMPTY = np.uint32(0xFFFFFFFF)  # the signature value of an empty set
# Odd 64-bit constants that mix the word hashes of a k-gram (position-dependent, so "a b" differs from "b a").
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5,
                 0x94D049BB133111EB, 0xBF58476D1CE4E5B9], dtype=np.uint64)


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """A stable 64-bit hash of each word (rensa's token hash; Python's hash() is salted per process)."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    return np.asarray(rensa.RMinHash.hash_token_sets([list(words)])[0], dtype=np.uint64)


def _grams(hashes: np.ndarray, k: int) -> np.ndarray:
    """Hashes of every k-gram of consecutive word hashes (32-bit values in uint64)."""
    n = len(hashes) - k + 1
    with np.errstate(over="ignore"):
        acc = np.zeros(n, dtype=np.uint64)
        for j in range(k):
            acc = (acc + hashes[j:j + n]) * _MIX[j % len(_MIX)]
    return acc >> np.uint64(32)


def shingle_hashes(words: Sequence[str], k: int) -> np.ndarray:
    """Hashes of the word k-grams (one shingle for a text shorter than k)."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    return _grams(word_hashes(words), min(k, len(words)))


@dataclass(frozen=True)
class MinHasher:
    """`num_perm` seeded hash functions; signatures of shingle sets as (n, num_perm) uint32 rows."""

    num_perm: int = 128
    seed: int = 1

    def signatures_flat(self, flat: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Signatures of non-empty sets given as one array cut at `offsets` (the start of each set)."""
        if not len(offsets):
            return np.zeros((0, self.num_perm), dtype=np.uint32)
        bounds = np.append(np.asarray(offsets, dtype=np.uint64), np.uint64(len(flat)))
        matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
            np.ascontiguousarray(flat, dtype=np.uint64), bounds, self.num_perm, self.seed)
        return np.asarray(matrix.to_rows(), dtype=np.uint32).reshape(len(offsets), self.num_perm)

    def signatures(self, shingle_sets: Sequence[np.ndarray]) -> np.ndarray:
        """One signature row per set of shingle hashes; an empty set gets all EMPTY."""
        out = np.full((len(shingle_sets), self.num_perm), EMPTY, dtype=np.uint32)
        lengths = np.array([len(s) for s in shingle_sets], dtype=np.int64)
        nonempty = np.flatnonzero(lengths)
        if len(nonempty):
            flat = np.concatenate([np.asarray(shingle_sets[int(i)], dtype=np.uint64) for i in nonempty])
            starts = np.concatenate([[0], np.cumsum(lengths[nonempty])[:-1]])
            out[nonempty] = self.signatures_flat(flat, starts)
        return out


def shingle_sets(word_lists: Sequence[Sequence[str]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """(flat, offsets): the word k-gram hashes of many texts in one flat array cut at `offsets`, computed in bulk
    (one rensa call hashes every word; texts shorter than k give one shingle, an empty text none)."""
    nonempty = [list(w) for w in word_lists if w]
    if not nonempty:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    hashed = np.fromiter(itertools.chain.from_iterable(rensa.RMinHash.hash_token_sets(nonempty)), dtype=np.uint64)
    lengths = np.array([len(w) for w in nonempty], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    if (lengths >= k).all():
        grams = _grams(hashed, k)
        counts = lengths - k + 1
        keep = np.repeat(starts, counts) + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
        return grams[keep], np.concatenate([[0], np.cumsum(counts)[:-1]])
    parts = [_grams(hashed[s:s + n], min(k, n)) for s, n in zip(starts.tolist(), lengths.tolist())]
    return np.concatenate(parts), np.concatenate([[0], np.cumsum([len(p) for p in parts])[:-1]])


def jaccard_estimate(s1: np.ndarray, s2: np.ndarray) -> float:
    """Share of equal signature positions: the MinHash estimate of Jaccard similarity."""
    return float(np.mean(s1 == s2))


@dataclass(frozen=True)
class SentenceShingles:
    """The indexable sentences of a text: their spans and shingle hashes.

    Sentences shorter than `min_words` are left out: "He added." matches everywhere
    and says nothing about where a text came from. The shingles of all sentences are
    one flat array cut at `offsets` (a repeated shingle changes no minimum, so these
    are multisets, not sets).
    """

    spans: list[Span]
    flat: np.ndarray
    offsets: np.ndarray

    @property
    def shingles(self) -> list[np.ndarray]:
        return np.split(self.flat, self.offsets[1:]) if len(self.spans) else []


@dataclass(frozen=True)
class ShingledSentences:
    """The indexable sentences of many texts at once: `spans[i]` are text i's kept sentences, and the shingles of
    every kept sentence (all texts, in order) are one flat array cut at `offsets`.

    `words[i]` are text i's words as the shingles were made of them (each sentence's, then SENTENCE_END) and their
    hashes, for whoever needs the text's words too (the fast tier's vector: `embedding.tiers.LexicalTier`), so that
    a text is split into words once; None for a text with Chinese, Japanese, Korean or Thai, whose units are
    character bigrams rather than words.
    """

    spans: list[list[Span]]
    flat: np.ndarray
    offsets: np.ndarray
    words: list[tuple[list[str], np.ndarray] | None]


def shingle_sentences(texts: Sequence[str], spans: Sequence[list[Span] | None] | None = None, k: int = 2,
                      min_words: int = 6) -> ShingledSentences:
    """Word k-gram hashes of every sentence of many texts, in bulk: one rensa call hashes every word.

    Each text is normalised once and the words of all its sentences are read off it with one regex call
    (`text.scripts.sentence_units`: each sentence's words followed by an end mark); the words of all texts are
    hashed at once, each sentence's range found at the end marks' hashes, and the k-grams mixed over the whole
    array, a sentence's shingles being the k-grams that start and end inside it. Sentences of fewer than
    `min_words` words are left out. `spans` gives each text's sentences when the caller has split them already
    (None: split here).
    """
    text_spans: list[list[Span]] = []
    tokens: list[str] = []
    bounds, dense = [0], []
    for i, text in enumerate(texts):
        given = spans[i] if spans is not None else None
        mine = sentences(text) if given is None else given
        text_spans.append(mine)
        # words; character bigrams in Chinese, Japanese, Korean, Thai
        norm = normalize(text)
        dense.append(has_dense(norm))
        tokens += sentence_units(norm, [(sp.start, sp.end) for sp in mine], dense[-1])
        bounds.append(len(tokens))
    empty = np.zeros(0, dtype=np.int64)
    hashed = (np.asarray(rensa.RMinHash.hash_token_sets([tokens])[0], dtype=np.uint64) if tokens
              else np.zeros(0, dtype=np.uint64))
    words = [None if dense[i] else (tokens[bounds[i]:bounds[i + 1]], hashed[bounds[i]:bounds[i + 1]])
             for i in range(len(texts))]
    if not tokens:
        return ShingledSentences([[] for _ in texts], np.zeros(0, dtype=np.uint64), empty, words)
    ends = np.flatnonzero(hashed == _END_HASH)
    if len(ends) != sum(len(x) for x in text_spans):  # a word with the end mark's hash: keep the real marks
        ends = np.array([j for j in ends.tolist() if tokens[j] == SENTENCE_END], dtype=np.int64)
    begins = np.concatenate([[0], ends[:-1] + 1])
    lengths = ends - begins
    keep_mask = lengths >= max(min_words, k)
    kept: list[list[Span]] = []
    at = 0
    for mine in text_spans:
        flags = keep_mask[at:at + len(mine)].tolist()
        kept.append([sp for sp, keep in zip(mine, flags) if keep])
        at += len(mine)
    if not keep_mask.any():
        return ShingledSentences(kept, np.zeros(0, dtype=np.uint64), empty, words)
    grams = _grams(hashed, k)
    starts, counts = begins[keep_mask], lengths[keep_mask] - k + 1
    keep = np.repeat(starts, counts) + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
    return ShingledSentences(kept, grams[keep], np.concatenate([[0], np.cumsum(counts)[:-1]]), words)


_END_HASH = np.uint64(rensa.RMinHash.hash_token_sets([[SENTENCE_END]])[0][0])


def sentence_shingles(text: str | None = None, k: int = 2, min_words: int = 6, *,
                      spans: list[Span] | None = None) -> SentenceShingles:
    """Word k-gram hashes per sentence of `text` (or of the given sentence `spans` of `text`)."""
    many = shingle_sentences([text or ""], [spans], k, min_words)
    return SentenceShingles(many.spans[0], many.flat, many.offsets)
