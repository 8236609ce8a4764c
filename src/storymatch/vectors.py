"""Vector index over a store's article vectors: same-story candidates in sub-linear time.

Below USEARCH_MIN articles an exact dot-product scan over a cached numpy matrix
is as fast as an approximate index and never misses; above it, usearch's HNSW
index (cosine, persisted next to the database) keeps query time flat.
benchmarks/corpus.py measures both at 10k and 100k articles. Both caches are
derived from the `vectors` table and are rebuilt (incrementally, by seq) when
the table has moved on, so a killed ingest can never leave them inconsistent.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from .store import Store

USEARCH_MIN = 20_000  # exact scan below this many vectors; see benchmarks/corpus.py


def _atomic_save_npy(path: Path, arr: np.ndarray) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        np.save(fh, arr)
    os.replace(tmp, path)


class VectorIndex:
    """Nearest stored articles to a vector, for one embedding tier of one store."""

    def __init__(self, store: Store, tier: str, *, usearch_min: int = USEARCH_MIN):
        self.store, self.tier, self.usearch_min = store, tier, usearch_min
        self._seqs: np.ndarray | None = None
        self._mat: np.ndarray | None = None
        self._ann = None

    def __len__(self) -> int:
        return self.store.vector_count(self.tier)

    # -- exact ---------------------------------------------------------------------------------
    def _paths(self) -> tuple[Path, Path]:
        safe = self.tier.replace("/", "_")
        return self.store.folder / f"vectors-{safe}.npy", self.store.folder / f"vectors-{safe}.seqs.npy"

    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """(seqs, unit vectors) of every stored article, from the cache when it is current."""
        if self._mat is not None:
            return self._seqs, self._mat
        mat_path, seq_path = self._paths()
        total = len(self)
        seqs = mat = None
        if mat_path.exists() and seq_path.exists():
            try:
                seqs, mat = np.load(seq_path), np.load(mat_path)
            except (OSError, ValueError):
                seqs = mat = None
            if seqs is not None and (len(seqs) != len(mat) or len(seqs) > total):
                seqs = mat = None
        if seqs is None or len(seqs) < total:
            after = int(seqs[-1]) if seqs is not None and len(seqs) else 0
            new_seqs, new_mat = self.store.vector_rows(self.tier, after)
            if seqs is None or not len(seqs):
                seqs, mat = new_seqs, new_mat
            elif len(new_seqs):
                seqs, mat = np.concatenate([seqs, new_seqs]), np.vstack([mat, new_mat])
            if len(seqs) != total:  # the cache was not a prefix of the table: rebuild
                seqs, mat = self.store.vector_rows(self.tier, 0)
            _atomic_save_npy(mat_path, mat)
            _atomic_save_npy(seq_path, seqs)
        self._seqs, self._mat = seqs, mat
        return seqs, mat

    def exact(self, vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        seqs, mat = self.matrix()
        if not len(seqs):
            return []
        sims = mat @ np.asarray(vec, dtype=np.float32)
        k = min(k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(int(seqs[i]), float(sims[i])) for i in top]

    # -- approximate -----------------------------------------------------------------------------
    def ann(self):
        """The usearch index, loaded or built, brought up to date with the table."""
        if self._ann is not None:
            return self._ann
        from usearch.index import Index

        path = self.store.folder / f"vectors-{self.tier.replace('/', '_')}.usearch"
        side = path.with_name(path.name + ".json")
        total = len(self)
        index, state = None, {"count": 0, "max_seq": 0}
        if path.exists() and side.exists():
            try:
                state = json.loads(side.read_text())
                index = Index.restore(str(path))
            except (OSError, ValueError, RuntimeError):
                index = None
            if index is None or len(index) != state.get("count") or state["count"] > total:
                index, state = None, {"count": 0, "max_seq": 0}
        if index is None or state["count"] < total:
            new_seqs, new_mat = self.store.vector_rows(self.tier, state["max_seq"])
            if index is None:
                index = Index(ndim=new_mat.shape[1], metric="cos", dtype="f16")
            if len(new_seqs):
                index.add(new_seqs, new_mat)
            if len(index) != total:
                index = Index(ndim=new_mat.shape[1], metric="cos", dtype="f16")
                all_seqs, all_mat = self.store.vector_rows(self.tier, 0)
                index.add(all_seqs, all_mat)
                new_seqs = all_seqs
            tmp = path.with_name(path.name + ".tmp")
            index.save(str(tmp))
            os.replace(tmp, path)
            max_seq = int(new_seqs[-1]) if len(new_seqs) else state["max_seq"]
            side.write_text(json.dumps({"count": len(index), "max_seq": max_seq}))
        self._ann = index
        return index

    def approximate(self, vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        index = self.ann()
        matches = index.search(np.asarray(vec, dtype=np.float32), k)
        return [(int(key), 1.0 - float(dist)) for key, dist in zip(matches.keys, matches.distances)]

    # -- either ----------------------------------------------------------------------------------
    def search(self, vec: np.ndarray, k: int = 20, exclude: set[int] | None = None) -> list[tuple[int, float]]:
        """Up to k (seq, cosine) pairs, best first; exact below usearch_min vectors."""
        exclude = exclude or set()
        n = len(self)
        if n == 0:
            return []
        fn = self.exact if n < self.usearch_min else self.approximate
        hits = fn(vec, k + len(exclude))
        return [(s, sim) for s, sim in hits if s not in exclude][:k]
