"""LSH banding over sentence MinHash signatures: which stored articles may share a sentence.

Reuse is a property of passages, not of whole articles: a patchwork that copies one
sentence from each of five wires shares almost nothing with any one of them as a
whole. So every sentence (of at least a few words) gets its own small MinHash, and
its signature is cut into `bands` bands of `rows` values; each band becomes one
64-bit key stored in the index (the store's `lsh` table). Two sentences with
Jaccard similarity s over word bigrams share at least one key with probability
1 - (1 - s^rows)^bands: with the defaults (6 bands of 2 rows) 0.98 at s = 0.8 (a
lightly spun copy), 0.82 at 0.5 and 0.06 at 0.1 (unrelated sentences sharing a few
stock phrases). Candidates are then verified by full alignment, so the index only
has to be cheap and rarely miss.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np

from storymatch.features.minhash import EMPTY, MinHasher, ShingledSentences, shingle_sentences

# A band key shared by more articles than this is boilerplate ("All rights reserved."), not reuse: the store's
# queries and Spark's banding both skip it, which bounds a query's cost whatever the corpus size.
MAX_BUCKET = 2000

_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)
_ROW_MIX = np.uint64(0xBF58476D1CE4E5B9)


@dataclass(frozen=True)
class LSHParams:
    bands: int = 6
    rows: int = 2
    shingle: int = 2  # word bigrams: tolerant of single-word swaps in spun copies
    min_words: int = 6
    seed: int = 1

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows

    def hasher(self) -> MinHasher:
        return _hasher(self.num_perm, self.seed)

    def probability(self, jaccard: float) -> float:
        """Chance that two sentences with this Jaccard similarity share a key."""
        return 1.0 - (1.0 - jaccard ** self.rows) ** self.bands


@lru_cache(maxsize=None)
def _hasher(num_perm: int, seed: int) -> MinHasher:
    return MinHasher(num_perm=num_perm, seed=seed)


def band_keys(signatures: np.ndarray, params: LSHParams) -> np.ndarray:
    """(n, bands) int64 keys, one per band of each signature row; band index mixed in."""
    n = signatures.shape[0]
    sig = signatures.astype(np.uint64).reshape(n, params.bands, params.rows)
    with np.errstate(over="ignore"):
        acc = (np.arange(params.bands, dtype=np.uint64)[None, :] + np.uint64(1)) * _BAND_MIX
        acc = np.broadcast_to(acc, (n, params.bands)).copy()
        for r in range(params.rows):
            acc = (acc ^ sig[:, :, r]) * _ROW_MIX
            acc ^= acc >> np.uint64(29)
    keys = acc.view(np.int64)
    empty = np.all(signatures.reshape(n, params.bands, params.rows) == EMPTY, axis=2)
    keys[empty] = 0  # 0 is never looked up: an empty band says nothing
    return keys


def text_keys(text: str, params: LSHParams = LSHParams(), *, spans: list | None = None) -> tuple[list, np.ndarray]:
    """The indexable sentence spans of `text` and their (n_sentences, bands) LSH keys.

    Pass `spans` (text.sentences(text)) when the caller has split the text already.
    """
    return texts_keys([text], params, [spans])[0]


def texts_keys(texts: Sequence[str], params: LSHParams = LSHParams(),
               spans: Sequence[list | None] | None = None) -> list[tuple[list, np.ndarray]]:
    """`text_keys` of many texts at once: one call each to hash the words, sign the sentences and band them,
    for a whole ingest batch (per text, those calls' own overhead cost more than their work)."""
    return shingles_keys(shingles(texts, params, spans), params)


def shingles(texts: Sequence[str], params: LSHParams = LSHParams(),
             spans: Sequence[list | None] | None = None) -> ShingledSentences:
    """The indexable sentences of `texts` and their shingles, as `texts_keys` hashes them (and their words)."""
    return shingle_sentences(texts, spans, k=params.shingle, min_words=params.min_words)


def shingles_keys(sh: ShingledSentences, params: LSHParams = LSHParams()) -> list[tuple[list, np.ndarray]]:
    """`texts_keys` of texts already shingled (`shingles`)."""
    keys = (band_keys(params.hasher().signatures_flat(sh.flat, sh.offsets), params) if len(sh.offsets)
            else np.zeros((0, params.bands), dtype=np.int64))
    out, start = [], 0
    for kept in sh.spans:
        out.append((kept, keys[start:start + len(kept)]))
        start += len(kept)
    return out


def rank_candidates(hits: Iterable[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """(article, sentence-of-query) hits to articles ranked by how many query sentences hit them."""
    per_article: dict[int, set[int]] = {}
    for article, sentence in hits:
        per_article.setdefault(article, set()).add(sentence)
    counts = Counter({a: len(s) for a, s in per_article.items()})
    return counts.most_common(limit)
