"""Measuring a scorer on SemEval pairs: Pearson per dimension and language pair, the
same-story verdict, and the baselines (baselines.py) computed on the same pairs in the same run.

Gold scores are dissimilarities (1 = very similar … 4 = very dissimilar). Every
Pearson reported here has the sign that makes higher better: the scorer's 1–4
predictions are correlated with gold as they are, a baseline's cosine similarity
with its sign flipped.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Mapping, Sequence

import numpy as np

from storymatch.evaluation.crossval import article_groups
from storymatch.evaluation.metrics import INTERVAL_LEVEL, pearson, pearson_interval, rounded, same_story_metrics
from storymatch.evaluation.semeval import DIMENSIONS, SemEvalPair


def _language_groups(pairs: Sequence[SemEvalPair]) -> list[tuple[str, list[int]]]:
    """Pair indices per language pair, the largest group first."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        groups[p.language_pair].append(i)
    return sorted(groups.items(), key=lambda kv: -len(kv[1]))


def by_language(pairs: Sequence[SemEvalPair], pred: Sequence[float] | np.ndarray, dim: str = "overall",
                sign: float = 1.0) -> dict[str, float | None]:
    """Pearson on one dimension within each language pair, plus "all"."""
    gold = np.array([p.gold.get(dim, np.nan) for p in pairs], dtype=float)
    pred = np.asarray(pred, dtype=float)
    out = {lp: rounded(_signed(pearson(pred[idx], gold[idx]), sign)) for lp, idx in _language_groups(pairs)}
    out["all"] = rounded(_signed(pearson(pred, gold), sign))
    return out


def _signed(v: float | None, sign: float) -> float | None:
    return None if v is None else sign * v


def intervals_by_language(pairs: Sequence[SemEvalPair], pred: Sequence[float] | np.ndarray,
                          dim: str = "overall") -> dict[str, list[float] | None]:
    """pearson_interval within each language pair and over all pairs, groups from crossval.article_groups."""
    gold = np.array([p.gold.get(dim, np.nan) for p in pairs], dtype=float)
    pred, groups = np.asarray(pred, dtype=float), article_groups(pairs)
    out = {lp: pearson_interval(pred[idx], gold[idx], groups[idx]) for lp, idx in _language_groups(pairs)}
    out["all"] = pearson_interval(pred, gold, groups)
    return out


def report(pairs: Sequence[SemEvalPair], scores: Sequence[Mapping[str, float]], probabilities: Sequence[float],
           threshold: float = 0.5, baselines: Mapping[str, Sequence[float]] | None = None) -> dict:
    """The `eval semeval --json` layout for a scorer's predictions on these pairs.

    `baselines` maps a name to one cosine similarity per pair.
    """
    out: dict = {"pairs": len(pairs), "pearson": {}, "by_language": {}, "same_story": {}, "baselines": {}}
    out["intervals"] = {"level": INTERVAL_LEVEL,
                        "overall": intervals_by_language(pairs, [s["overall"] for s in scores], "overall")}
    for dim in DIMENSIONS:
        gold = [p.gold.get(dim, np.nan) for p in pairs]
        out["pearson"][dim] = rounded(pearson([s[dim] for s in scores], gold))
    for lp, idx in _language_groups(pairs):
        sub: dict[str, float | None] = {"pairs": len(idx)}
        for dim in DIMENSIONS:
            sub[dim] = rounded(pearson([scores[i][dim] for i in idx], [pairs[i].gold.get(dim, np.nan) for i in idx]))
        out["by_language"][lp] = sub
    labelled = [i for i, p in enumerate(pairs) if p.same_story is not None]
    out["same_story"] = same_story_metrics([probabilities[i] for i in labelled],
                                           [bool(pairs[i].same_story) for i in labelled], threshold)
    for name, sims in (baselines or {}).items():
        per = by_language(pairs, sims, "overall", sign=-1.0)
        out["baselines"][name] = {"overall": per.pop("all"), "by_language": per}
    return out
