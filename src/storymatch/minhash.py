"""MinHash over word shingles, vectorised with numpy, for reuse candidates.

Why not datasketch: it hashes every shingle with SHA-1 from Python and builds one
MinHash object per set; benchmarks/corpus.py measures both on the same documents
(this is several times faster with the same estimation error). Shingles are word
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

from .text import Span, sentences, word_list

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
            x = np.concatenate([shingle_sets[i] for i in idx]).astype(np.uint64)
            offsets = np.concatenate([[0], np.cumsum(lengths[idx])[:-1]])
            out[idx] = np.minimum.reduceat(self._hash(x), offsets, axis=1).T
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
    and says nothing about where a text came from.
    """

    spans: list[Span]
    shingles: list[np.ndarray]


def sentence_shingles(text: str, k: int = 2, min_words: int = 6) -> SentenceShingles:
    spans, sets = [], []
    for s in sentences(text):
        words = word_list(s.text)
        if len(words) >= min_words:
            spans.append(s)
            sets.append(np.unique(shingle_hashes(words, k)))
    return SentenceShingles(spans, sets)
