"""Vector index over a store's article vectors: same-story candidates in sub-linear time.

Below USEARCH_MIN articles an exact dot-product scan over the store's vectors
is as fast as an approximate index and never misses; above it, usearch's HNSW
index (cosine, persisted next to the database) keeps query time flat.
benchmarks/corpus.py measures both at 10k and 100k articles. The usearch file is
derived from the store's vectors and extended (by seq) or rebuilt when the
store has moved on, so a killed ingest can never leave it inconsistent.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

import numpy as np

from storymatch.corpus.store import Store

# Exact scan below this many vectors. Measured (benchmarks/corpus.py, fast tier, 1,024 dimensions, a busy
# 2-core machine): p50 0.6 ms exact vs 0.5 ms usearch at 2,000 articles; 19 ms vs 1.3 ms at 10,000.
USEARCH_MIN = 5_000


@lru_cache(maxsize=1)
def _blas():
    from threadpoolctl import ThreadpoolController  # inspects the loaded BLAS libraries: only when searching

    return ThreadpoolController()


def _one_blas_thread():
    """One BLAS thread for a matrix-vector product: on a busy machine a multi-threaded gemv
    waits for scheduler slices (measured 17 ms instead of 0.3 ms for 2,000 x 1,024 here)."""
    return _blas().limit(limits=1, user_api="blas")


def index_for(store: Store, tier: str) -> "VectorIndex":
    """The store's index for a tier, kept on the open store so a server or a report loads it once."""
    cache = store.__dict__.setdefault("_vector_indexes", {})
    if tier not in cache:
        cache[tier] = VectorIndex(store, tier)
    return cache[tier]


class VectorIndex:
    """Nearest stored articles to a vector, for one embedding tier of one store."""

    def __init__(self, store: Store, tier: str, *, usearch_min: int = USEARCH_MIN):
        self.store, self.tier, self.usearch_min = store, tier, usearch_min
        self._seqs: np.ndarray | None = None
        self._mat: np.ndarray | None = None
        self._ann = None
        self._ann_max = 0

    def __len__(self) -> int:
        return self.store.vector_count(self.tier)

    def _fresh(self, max_seq: int) -> bool:
        return max_seq == self.store.vector_max_seq(self.tier)

    # -- exact ---------------------------------------------------------------------------------
    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """(seqs, float32 unit vectors) of every stored article, extended with rows added since."""
        last = int(self._seqs[-1]) if self._seqs is not None and len(self._seqs) else 0
        if self._mat is not None and self._fresh(last):
            assert self._seqs is not None  # set together with _mat
            return self._seqs, self._mat
        new_seqs, new_mat = self.store.vector_rows(self.tier, last)
        new_mat = new_mat.astype(np.float32)
        if self._mat is None or self._seqs is None or not len(self._seqs):  # _seqs and _mat are set together
            self._seqs, self._mat = new_seqs, new_mat
        else:
            self._seqs, self._mat = np.concatenate([self._seqs, new_seqs]), np.vstack([self._mat, new_mat])
        return self._seqs, self._mat

    def exact(self, vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        seqs, mat = self.matrix()
        if not len(seqs) or k <= 0:
            return []
        with _one_blas_thread():
            sims = mat @ np.asarray(vec, dtype=np.float32)
        k = min(k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(int(seqs[i]), float(sims[i])) for i in top]

    # -- approximate -----------------------------------------------------------------------------
    def ann(self):
        """The usearch index, loaded or built, brought up to date with the table."""
        if self._ann is not None and self._fresh(self._ann_max):
            return self._ann
        from usearch.index import Index  # a compiled extension: only for stores past USEARCH_MIN articles

        path = self.store.vector_path(self.tier).with_suffix(".usearch")
        side = path.with_name(path.name + ".json")
        index, state = self._ann, {"count": len(self._ann) if self._ann is not None else 0, "max_seq": self._ann_max}
        if index is None and path.exists() and side.exists():
            try:
                state = json.loads(side.read_text())
                index = Index.restore(str(path))
            except (OSError, ValueError, RuntimeError):
                index = None
            if index is None or len(index) != state.get("count"):
                index, state = None, {"count": 0, "max_seq": 0}
        if index is None or not self._fresh(state["max_seq"]):
            new_seqs, new_mat = self.store.vector_rows(self.tier, state["max_seq"])
            if index is None:
                index = Index(ndim=new_mat.shape[1], metric="cos", dtype="f16")
            if len(new_seqs):
                index.add(new_seqs, new_mat.astype(np.float32))
            if len(index) != len(self):  # not a prefix of the table: rebuild
                all_seqs, all_mat = self.store.vector_rows(self.tier, 0)
                index = Index(ndim=all_mat.shape[1], metric="cos", dtype="f16")
                index.add(all_seqs, all_mat.astype(np.float32))
                new_seqs = all_seqs
            state = {"count": len(index), "max_seq": int(new_seqs[-1]) if len(new_seqs) else state["max_seq"]}
            if not self.store.read_only:  # a read-only store's index lives in memory for this process
                tmp = path.with_name(path.name + ".tmp")
                index.save(str(tmp))
                os.replace(tmp, path)
                side.write_text(json.dumps(state))
        self._ann, self._ann_max = index, state["max_seq"]
        return index

    def approximate(self, vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        if k <= 0:
            return []
        index = self.ann()
        matches = index.search(np.asarray(vec, dtype=np.float32), k)
        return [(int(key), 1.0 - float(dist)) for key, dist in zip(matches.keys, matches.distances)]

    # -- either ----------------------------------------------------------------------------------
    def search(self, vec: np.ndarray, k: int = 20, exclude: set[int] | None = None) -> list[tuple[int, float]]:
        """Up to k (seq, cosine) pairs, best first; exact below usearch_min vectors.

        The newest seq stands in for the size (seqs are dense when every article has a vector):
        an index seek, where COUNT(*) would read every vector.
        """
        exclude = exclude or set()
        n = self.store.vector_max_seq(self.tier)
        if n == 0:
            return []
        fn = self.exact if n < self.usearch_min else self.approximate
        hits = fn(vec, k + len(exclude))
        return [(s, sim) for s, sim in hits if s not in exclude][:k]
