"""Baselines computed on the same pairs in the same run as every SemEval figure: TF-IDF and embedding cosine.

A figure without a simple baseline beside it says little: these are what a reader would try first.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from storymatch.embedding.base import Embedder
from storymatch.evaluation.semeval import SemEvalPair


def tfidf_cosine(pairs: Sequence[SemEvalPair]) -> np.ndarray:
    """Cosine of word TF-IDF vectors (fitted on the texts of these pairs): the classic baseline."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # heavy: only when evaluating

    docs = [t for p in pairs for t in (p.a.full_text, p.b.full_text)]
    m = TfidfVectorizer(sublinear_tf=True, min_df=1).fit_transform(docs)
    a, b = m[0::2], m[1::2]
    return np.asarray(a.multiply(b).sum(axis=1)).ravel()


def embedding_cosine(pairs: Sequence[SemEvalPair], embedder: Embedder,
                     progress: Callable[[int], None] | None = None) -> np.ndarray:
    """Cosine of whole-article embeddings (title + body, as the model truncates it)."""
    sims = np.zeros(len(pairs), dtype=float)
    step = 32
    for start in range(0, len(pairs), step):
        chunk = pairs[start:start + step]
        vecs = embedder.encode([t for p in chunk for t in (p.a.full_text, p.b.full_text)])
        sims[start:start + len(chunk)] = np.einsum("ij,ij->i", vecs[0::2], vecs[1::2])
        if progress:
            progress(len(chunk))
    return sims
