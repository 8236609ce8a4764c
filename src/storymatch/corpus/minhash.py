"""MinHash over word shingles, vectorised with numpy, for reuse candidates.

Why not datasketch: it hashes every shingle with SHA-1 from Python and builds one
MinHash object per set; benchmarks/corpus.py measures both on the same documents
from the same word lists: this is faster than datasketch's faster path (bulk)
with the same estimation error, and it hashes all sentences of an article in one
numpy pass, which is how the index uses it. Shingles are word
k-grams of `text.word_list` (normalised, lower-cased), hashed with CRC-32 per word
and mixed per k-gram; the permutations are multiply-shift hashes
(Dietzfelbinger: h(x) = (a*x + b) >> 32 in 64-bit arithmetic), which are
2-universal and need no modulo. Everything is seeded, so signatures are stable
across runs and machines.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from storymatch.text.spans import Span, sentences, word_list

EMPTY = np.uint32(0xFFFFFFFF)  # the signature value of an empty set
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5,
                 0x94D049BB133111EB, 0xBF58476D1CE4E5B9], dtype=np.uint64)
_CHUNK = 1 << 16  # shingles per reduction: bounds memory to num_perm * _CHUNK * 4 bytes
_SLICE = 4096  # shingles per hashing step


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """CRC-32 of each word: stable across processes, unlike Python's salted hash()."""
    return np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words))


def shingle_hashes(words: Sequence[str], k: int) -> np.ndarray:
    """32-bit hashes of the word k-grams (one shingle for a text shorter than k)."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    h = word_hashes(words)
    if len(h) < k:
        k = len(h)
    n = len(h) - k + 1
    with np.errstate(over="ignore"):
        acc = np.zeros(n, dtype=np.uint64)
        for j in range(k):
            acc = (acc + h[j:j + n]) * _MIX[j % len(_MIX)]
    return acc >> np.uint64(32)


@dataclass(frozen=True)
class MinHasher:
    """`num_perm` seeded hash functions; `signatures` maps shingle sets to (n, num_perm) uint32."""

    num_perm: int = 128
    seed: int = 1
    _a: np.ndarray = field(init=False, repr=False, compare=False)
    _b: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        a = rng.integers(1, 2**63, size=self.num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd
        b = rng.integers(0, 2**63, size=self.num_perm, dtype=np.uint64)
        object.__setattr__(self, "_a", a[:, None])
        object.__setattr__(self, "_b", b[:, None])

    def signatures_flat(self, flat: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Signatures of non-empty sets given as one array cut at `offsets` (no copying per set)."""
        if not len(offsets):
            return np.zeros((0, self.num_perm), dtype=np.uint32)
        return np.minimum.reduceat(self._hash(flat.astype(np.uint64, copy=False)), offsets, axis=1).T

    def signatures(self, shingle_sets: Sequence[np.ndarray]) -> np.ndarray:
        """One signature row per set of shingle hashes; an empty set gets all EMPTY."""
        out = np.full((len(shingle_sets), self.num_perm), EMPTY, dtype=np.uint32)
        lengths = np.array([len(s) for s in shingle_sets], dtype=np.int64)
        nonempty = np.flatnonzero(lengths)
        if not len(nonempty):
            return out
        # Group sets into chunks of about _CHUNK shingles and reduce each with one ufunc call.
        start = 0
        while start < len(nonempty):
            stop, total = start, 0
            while stop < len(nonempty) and (total == 0 or total + lengths[nonempty[stop]] <= _CHUNK):
                total += lengths[nonempty[stop]]
                stop += 1
            idx = nonempty[start:stop]
            x = np.concatenate([shingle_sets[i] for i in idx])
            out[idx] = self.signatures_flat(x, np.concatenate([[0], np.cumsum(lengths[idx])[:-1]]))
            start = stop
        return out

    def _hash(self, x: np.ndarray) -> np.ndarray:
        """(num_perm, len(x)) uint32 hash values, in slices small enough to stay in cache:
        measured 4x faster than one broadcast over all shingles, which is memory-bound."""
        out = np.empty((self.num_perm, len(x)), dtype=np.uint32)
        shift = np.uint64(32)
        with np.errstate(over="ignore"):
            for s in range(0, len(x), _SLICE):
                hv = self._a * x[None, s:s + _SLICE]
                hv += self._b
                hv >>= shift
                out[:, s:s + _SLICE] = hv
        return out


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


def sentence_shingles(text: str | None = None, k: int = 2, min_words: int = 6, *,
                      spans: list[Span] | None = None) -> SentenceShingles:
    """Word k-gram hashes per sentence of `text` (or of the given sentence `spans`).

    All words of the text are hashed in one pass and the k-grams mixed over the whole
    array; a sentence's shingles are the k-grams that start and end inside it.
    """
    spans = sentences(text or "") if spans is None else spans
    kept, all_words, ends = [], [], []
    for sp in spans:
        words = word_list(sp.text)
        if len(words) >= max(min_words, k):
            kept.append(sp)
            all_words.extend(words)
            ends.append(len(all_words))
    if not kept:
        return SentenceShingles([], np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64))
    grams = shingle_hashes(all_words, k)
    starts = np.array([0] + ends[:-1], dtype=np.int64)
    counts = np.array(ends, dtype=np.int64) - starts - k + 1
    keep = np.repeat(starts, counts) + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return SentenceShingles(kept, grams[keep], offsets)
