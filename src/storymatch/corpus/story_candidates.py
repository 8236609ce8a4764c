"""The candidates of a new article among the earlier articles of its window: one function for the clusterer's
scan and for Spark's time blocks, so both choose the same candidates and give the verifier the same rows.

Candidates are the articles nearest by the article vector, nearest by headline vector in each sentence model (reports
in other languages, whose words the article vector cannot compare), and those sharing the most sentence keys; each
comes with its vector cosine and its rank among the window's cosines, which the verifier reads.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from storymatch.scoring.story_view import StoryView, view_features


class SpaceRows:
    """One vector space's rows: every item's (zeros where an item has none), and those of the active scan in a
    buffer of their own that grows by doubling, so the scan is one matrix-vector product (copying the active rows
    on every article made clustering quadratic in the window's size)."""

    def __init__(self, dim: int, rows: int = 64) -> None:
        size = 64
        while size < rows:
            size *= 2
        self.all = np.zeros((size, dim), dtype=np.float32)
        self.has = np.zeros(size, dtype=bool)
        self.active = np.zeros((64, dim), dtype=np.float32)
        self.active_has = np.zeros(64, dtype=bool)

    def put(self, index: int, row: np.ndarray | None) -> None:
        while index >= len(self.all):
            self.all = np.vstack([self.all, np.zeros_like(self.all)])
            self.has = np.concatenate([self.has, np.zeros_like(self.has)])
        if row is not None:
            self.all[index] = row
            self.has[index] = True

    def fill(self, start: int, items: np.ndarray) -> None:
        end = start + len(items)
        while end > len(self.active):
            self.active = np.vstack([self.active, np.zeros_like(self.active)])
            self.active_has = np.concatenate([self.active_has, np.zeros_like(self.active_has)])
        self.active[start:end] = self.all[items]
        self.active_has[start:end] = self.has[items]


def window_candidates(item: StoryView, fast: np.ndarray, is_open: np.ndarray,
                      heads: dict[str, tuple[np.ndarray, np.ndarray]], text: Sequence[int], vector_k: int,
                      headline_k: int) -> tuple[list[tuple[int, float]], np.ndarray]:
    """The candidates of an article among the earlier articles of its window, by position in those rows:
    (position, vector cosine) of the `vector_k` nearest by the article vector, the `headline_k` nearest by headline
    cosine in each sentence model (`heads`: rows and which of them take part), and the `text` positions
    (those sharing the most sentence keys); and the vector cosines of all rows (-inf outside the window).

    One function for the clusterer's scan and for Spark's time blocks, so both choose the same candidates.
    """
    sims = fast @ np.asarray(item.vector, dtype=np.float32).ravel()
    sims[~is_open] = -np.inf
    chosen: dict[int, float] = {}
    for j in top_k(sims, vector_k):
        chosen.setdefault(int(j), float(sims[j]))
    for space, vector in sorted(item.headlines.items()):
        if space not in heads or not headline_k:
            continue
        rows, take = heads[space]
        scores = rows @ np.asarray(vector, dtype=np.float32)
        scores[~take] = -np.inf
        for j in top_k(scores, headline_k):
            chosen.setdefault(int(j), float(sims[j]))
    for j in text:
        chosen.setdefault(int(j), float(sims[j]))
    return sorted(chosen.items()), sims


def candidate_rows(item: StoryView, others: Sequence[StoryView], ranks: Sequence[float],
                   best: float) -> list[list[float]]:
    """The verifier's rows of an article with earlier ones, each with its vector cosine, its rank among its window's
    cosines and the best of them."""
    vector = np.asarray(item.vector, dtype=np.float32).ravel()
    return [view_features(item, other, float(np.asarray(other.vector, dtype=np.float32).ravel() @ vector), rank, best)
            for other, rank in zip(others, ranks)]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the `k` largest finite scores, ties broken by position (the earlier article first): the same
    choice wherever it is made, here or in a Spark task (argpartition leaves ties to chance)."""
    finite = np.flatnonzero(np.isfinite(scores))
    if k <= 0 or not len(finite):
        return finite[:0]
    if k >= len(finite):
        return finite
    kth = np.partition(scores[finite], len(finite) - k)[len(finite) - k]  # the k-th largest
    above = finite[scores[finite] > kth]
    ties = finite[scores[finite] == kth][: k - len(above)]
    return np.sort(np.concatenate([above, ties]))
