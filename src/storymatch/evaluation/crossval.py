"""Cross-validation folds in which no article is on both sides of a split.

SemEval pairs share articles (one article is paired with several others), and
the same text sometimes comes under two ids. A fold that scores a pair whose
article the model saw in training overstates quality, so pairs are grouped into
connected components of shared article ids and texts, and whole components go
to one fold.
"""

from __future__ import annotations

import hashlib
from typing import Iterator, Sequence

import numpy as np

from storymatch.evaluation.semeval import SemEvalPair
from storymatch.scoring.fitting import SEED  # one seed for the folds, the split and the trees


def article_groups(pairs: Sequence[SemEvalPair]) -> np.ndarray:
    """A component number per pair: pairs linked by a shared article id or text share a number."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: str, y: str) -> None:
        parent[find(x)] = find(y)

    for p in pairs:
        ka, kb = p.article_keys
        union("id:" + ka, "id:" + kb)
        for key, art in ((ka, p.a), (kb, p.b)):
            digest = hashlib.sha1(" ".join(art.text.split()).encode("utf-8")).hexdigest()
            union("id:" + key, "text:" + digest)
    roots: dict[str, int] = {}
    return np.array([roots.setdefault(find("id:" + p.article_keys[0]), len(roots)) for p in pairs])


def grouped_folds(pairs: Sequence[SemEvalPair], k: int = 5,
                  seed: int = SEED) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(train_idx, test_idx) for k folds with no article on both sides; fixed seed, so reproducible."""
    from sklearn.model_selection import GroupKFold  # heavy: only when cross-validating

    groups = article_groups(pairs)
    splitter = GroupKFold(n_splits=k, shuffle=True, random_state=seed)
    yield from splitter.split(np.zeros(len(pairs)), groups=groups)


def holdout_split(pairs: Sequence[SemEvalPair], test_share: float = 0.2,
                  seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """One grouped train/test split: the held-out pairs share no article with the training pairs."""
    from sklearn.model_selection import GroupShuffleSplit  # heavy: only when splitting

    groups = article_groups(pairs)
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_share, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(pairs)), groups=groups))
    return train, test
