"""A disk-backed cache in front of an embedder, for training and benchmark runs.

Scoring the 1,709 SemEval pairs needs ~45,000 sentence embeddings; USE-multilingual
makes a few hundred a second on a shared CPU, so training, cross-validation and
`eval semeval` would each spend many minutes re-encoding the same sentences.
The cache keys each text by backend and SHA-1, so any caller that encodes the
same strings (whatever features it builds from them) gets them back instantly.
SQLite rather than a numpy file because it grows incrementally and survives a
killed run without losing what was already encoded.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from storymatch.config import settings
from storymatch.embedding.registry import get_embedder


def _key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


class CachedEmbedder:
    """Wraps an embedder; same `name`, `dim` and `encode` contract (unit float32 rows)."""

    def __init__(self, base, path: str | Path | None = None):
        self.base = base
        self.name = base.name
        self.dim = base.dim
        directory = Path(path) if path else settings().work_cache
        directory.mkdir(parents=True, exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.name)
        self._db = sqlite3.connect(directory / f"emb-{safe}.sqlite", check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS emb (k BLOB PRIMARY KEY, v BLOB)")
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _lookup(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            q = f"SELECT k, v FROM emb WHERE k IN ({','.join('?' * len(chunk))})"
            for k, v in self._db.execute(q, chunk):
                found[k] = np.frombuffer(v, dtype=np.float32)
        return found

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [_key(t) for t in texts]
        with self._lock:
            found = self._lookup(sorted(set(keys)))
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in found))
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            vecs = self.base.encode(missing)
            rows = [(_key(t), v.astype(np.float32).tobytes()) for t, v in zip(missing, vecs)]
            with self._lock:
                self._db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?)", rows)
                self._db.commit()
            for (k, _), v in zip(rows, vecs):
                found[k] = np.asarray(v, dtype=np.float32)
        return np.stack([found[k] for k in keys])


_cached: dict[str | None, CachedEmbedder] = {}


def cached_embedder(name: str | None, path: str | Path | None = None) -> CachedEmbedder:
    """The process-wide cached embedder for backend `name`."""
    if name not in _cached:
        _cached[name] = CachedEmbedder(get_embedder(name), path)
    return _cached[name]
