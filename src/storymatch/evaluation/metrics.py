"""Measures of agreement with gold labels: Pearson with a bootstrap interval, and same-story verdict metrics.

Every Pearson reported by storymatch has the sign that makes higher better.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def pearson(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float | None:
    """Pearson's r, or None when it is undefined (fewer than 3 values or no variance)."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = ~(np.isnan(xs) | np.isnan(ys))
    xs, ys = xs[ok], ys[ok]
    if len(xs) < 3 or xs.std() == 0 or ys.std() == 0:
        return None
    return float(np.corrcoef(xs, ys)[0, 1])


INTERVAL_LEVEL = 0.95
BOOTSTRAP_ROUNDS = 1000


def pearson_interval(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray,
                     groups: Sequence[int] | np.ndarray | None = None,
                     level: float = INTERVAL_LEVEL, rounds: int = BOOTSTRAP_ROUNDS,
                     seed: int = 13) -> list[float] | None:
    """Percentile-bootstrap interval of Pearson's r, resampling whole groups (pairs that share an article).

    A figure on a few hundred pairs is a noisy estimate: on 336 en-en pairs an r of
    0.876 spans about ±0.02, on 46 fr-fr pairs about ±0.1. Printed beside every
    figure, the interval keeps a reader from taking a 0.004 difference for a gain.
    """
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = ~(np.isnan(xs) | np.isnan(ys))
    g = np.arange(len(xs)) if groups is None else np.asarray(groups)
    xs, ys, g = xs[ok], ys[ok], g[ok]
    if pearson(xs, ys) is None:
        return None
    members = [np.flatnonzero(g == k) for k in np.unique(g)]
    rng = np.random.default_rng(seed)
    rs = []
    for _ in range(rounds):
        idx = np.concatenate([members[k] for k in rng.integers(0, len(members), len(members))])
        r = pearson(xs[idx], ys[idx])
        if r is not None:
            rs.append(r)
    if not rs:
        return None
    tail = (1 - level) / 2 * 100
    return [round(float(v), 3) for v in np.percentile(rs, [tail, 100 - tail])]


def rounded(v: float | None) -> float | None:
    """A figure rounded to 4 places for reports (None stays None)."""
    return None if v is None else round(v, 4)


def same_story_metrics(prob: Sequence[float], gold_same: Sequence[bool], threshold: float = 0.5) -> dict:
    """ROC-AUC, F1 at the shipped threshold, and Brier score of a same-story probability."""
    from sklearn.metrics import brier_score_loss, f1_score, roc_auc_score  # heavy: only when measuring

    p, g = np.asarray(prob, dtype=float), np.asarray(gold_same, dtype=bool)
    out = {"pairs": int(len(g)), "positives": int(g.sum()), "threshold": threshold,
           "roc_auc": None, "f1": None, "brier": None}
    if len(g) == 0:
        return out
    if 0 < g.sum() < len(g):
        out["roc_auc"] = rounded(roc_auc_score(g, p))
    out["f1"] = rounded(f1_score(g, p >= threshold, zero_division=0))
    out["brier"] = rounded(brier_score_loss(g, np.clip(p, 0, 1)))
    return out
