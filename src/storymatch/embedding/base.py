"""The embedder contract and the backend names: every backend turns texts into unit-length float32 rows.

A dot product of two rows is then a cosine, which is all the rest of storymatch assumes of a vector.
"""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np

MINILM = "minilm"
USE_MULTILINGUAL = "use-multilingual"
MPNET = "mpnet"
# Languages USE-multilingual-v3 was trained on (ISO 639-1).
USE_LANGUAGES = {"ar", "zh", "nl", "en", "fr", "de", "it", "ja", "ko", "pl", "pt", "es", "th", "tr", "ru"}


class Embedder(Protocol):
    """What a backend offers: its name, its dimension, and unit-length float32 rows for texts."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def unit_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero), as float32; a single vector becomes one row."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(n, 1e-12)
