"""Fitting and validating the learned scorer on labelled SemEval pairs.

Everything here is grouped so no article is on both sides of a split (crossval),
seeded so a rebuild gives the same file, and reports Pearson with the sign that
makes higher better. The same-story calibration is fitted on out-of-fold
predictions, never on predictions for pairs the trees were fitted on.
"""

from __future__ import annotations

import math
from typing import Callable, Mapping, Sequence

import numpy as np

from storymatch.evaluation.crossval import article_groups, grouped_folds, holdout_split
from storymatch.evaluation.metrics import pearson
from storymatch.evaluation.semeval import DIMENSIONS, SAME_STORY_MAX, SemEvalPair
from storymatch.evaluation.semeval_report import by_language, intervals_by_language
from storymatch.scoring.fitting import SEED, fit_calibration, fit_linear, fit_refiner, fit_regressors
from storymatch.scoring.learned import (
    ENGLISH,
    REFINER_FEATURES,
    WITHOUT_EMBEDDINGS,
    LearnedScorer,
    blend,
    feature_matrix,
    refine,
)
from storymatch.scoring.pair_features import EMBEDDING_FEATURES


def feature_names(rows: Sequence[Mapping[str, float]]) -> list[str]:
    """Every feature key seen, in a stable order; refiner features stay out of the trees."""
    names: dict[str, None] = {}
    for r in rows:
        names.update(dict.fromkeys(r))
    return sorted(n for n in names if n not in REFINER_FEATURES)


def gold(pairs: Sequence[SemEvalPair]) -> dict[str, np.ndarray]:
    return {d: np.array([p.gold.get(d, np.nan) for p in pairs], dtype=float) for d in DIMENSIONS}


def out_of_fold(pairs: Sequence[SemEvalPair], rows: Sequence[Mapping[str, float]], k: int = 5, seed: int = SEED,
                progress: Callable[[int], None] | None = None) -> dict[str, np.ndarray]:
    """Grouped k-fold predictions: each pair scored by models that never saw its articles."""
    names = feature_names(rows)
    X, Y = feature_matrix(rows, names), gold(pairs)
    oof = {d: np.full(len(pairs), np.nan) for d in DIMENSIONS}
    for train_idx, test_idx in grouped_folds(pairs, k, seed):
        y_train = {d: Y[d][train_idx] for d in DIMENSIONS}
        boosters = fit_regressors(X[train_idx], y_train, seed)
        linear = fit_linear(X[train_idx], y_train)
        for d in DIMENSIONS:
            oof[d][test_idx] = np.clip(blend(boosters[d], linear, X[test_idx], d), 1.0, 4.0)
        if progress:
            progress(1)
    return oof


def refined_out_of_fold(pairs: Sequence[SemEvalPair], rows: Sequence[Mapping[str, float]],
                        oof: Mapping[str, np.ndarray], k: int = 5, seed: int = SEED) -> dict[str, np.ndarray]:
    """Out-of-fold predictions with the refiner applied, each fold's refiner fitted on the other folds."""
    R, Y = feature_matrix(rows, REFINER_FEATURES), gold(pairs)
    out = {d: np.array(v, dtype=float) for d, v in oof.items()}
    for train_idx, test_idx in grouped_folds(pairs, k, seed):
        refiner = fit_refiner({d: oof[d][train_idx] for d in DIMENSIONS}, R[train_idx],
                              {d: Y[d][train_idx] for d in DIMENSIONS})
        part = refine(refiner, {d: oof[d][test_idx] for d in DIMENSIONS}, R[test_idx])
        for d in DIMENSIONS:
            out[d][test_idx] = np.clip(part[d], 1.0, 4.0)
    return out


def cross_validated(pairs: Sequence[SemEvalPair], rows: Sequence[Mapping[str, float]], k: int = 5,
                    seed: int = SEED, progress: Callable[[int], None] | None = None
                    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict | None]:
    """Grouped out-of-fold predictions as `fit` makes them: (with the refiner where it helps, without it, the
    refiner fitted on all out-of-fold predictions or None)."""
    oof = out_of_fold(pairs, rows, k, seed, progress)
    R, Y = feature_matrix(rows, REFINER_FEATURES), gold(pairs)
    refiner = fit_refiner(oof, R, Y)
    plain = oof
    if refiner:
        refined = refined_out_of_fold(pairs, rows, oof, k, seed)
        refiner = _keep_helpful(refiner, plain, refined, R, Y)
        oof = {d: refined[d] if d in refiner["dims"] else plain[d] for d in DIMENSIONS}
    return oof, plain, refiner


def fit(pairs: Sequence[SemEvalPair], rows: Sequence[Mapping[str, float]], k: int = 5, seed: int = SEED,
        meta: dict | None = None, progress: Callable[[int], None] | None = None,
        without_embeddings: bool = True) -> tuple[LearnedScorer, dict]:
    """Fit on all given pairs; returns the scorer and its cross-validated figures.

    The calibration comes from out-of-fold Overall, so the probability it gives
    is what a pair the model has not seen would get. With `without_embeddings`, the scorer also holds a model
    fitted on the same pairs without the embedding features (for languages no model reads), cross-validated on
    the same folds (cv["without_embeddings"]).
    """
    names = feature_names(rows)
    X, Y = feature_matrix(rows, names), gold(pairs)
    oof, plain, refiner = cross_validated(pairs, rows, k, seed, progress)
    same = Y["overall"] <= SAME_STORY_MAX
    ok = ~np.isnan(Y["overall"])
    calibration = fit_calibration(oof["overall"][ok], same[ok])
    boosters = fit_regressors(X, Y, seed)
    linear = fit_linear(X, Y)
    cv = cv_summary(pairs, oof, k, seed)
    if refiner:  # what a user without the optional large English model gets
        cv["overall_by_language_without_refiner"] = by_language(pairs, plain["overall"], "overall")
    scorer = LearnedScorer(names, boosters, calibration, 0.5,
                           {**(meta or {}), "seed": seed, "pairs": len(pairs), "cv": cv}, linear, refiner)
    if without_embeddings:
        bare_rows = [{n: v for n, v in r.items() if n not in EMBEDDING_FEATURES} for r in rows]
        bare, bare_cv = fit(pairs, bare_rows, k, seed, {"variant": WITHOUT_EMBEDDINGS}, None, without_embeddings=False)
        scorer.variants[WITHOUT_EMBEDDINGS] = bare
        cv["without_embeddings"] = {key: bare_cv[key] for key in ("pearson", "overall_by_language")}
    return scorer, cv


def keep_english(scorer: LearnedScorer, previous: LearnedScorer, source: str) -> None:
    """Let `previous` (its main model, without its variants) score pairs of two English articles, as it did."""
    meta = {k: previous.meta[k] for k in ("trained_on", "sha1", "holdout", "cv") if k in previous.meta}
    kept = LearnedScorer(previous.feature_names, previous.trees, (previous.cal_x.tolist(), previous.cal_y.tolist()),
                         previous.threshold, {**meta, "kept_from": source}, previous.linear, previous.refiner)
    scorer.variants[ENGLISH] = kept
    scorer.meta["english_from"] = source


def _keep_helpful(refiner: dict, plain: Mapping[str, np.ndarray], refined: Mapping[str, np.ndarray],
                  R: np.ndarray, Y: Mapping[str, np.ndarray]) -> dict:
    """The refiner, for only the dimensions whose out-of-fold Pearson it raises on the pairs it touches."""
    has = ~np.isnan(R).any(axis=1)
    keep = {}
    for d, m in refiner["dims"].items():
        ok = has & ~np.isnan(Y[d])
        before, after = pearson(plain[d][ok], Y[d][ok]), pearson(refined[d][ok], Y[d][ok])
        if before is not None and after is not None and after > before:
            keep[d] = m
    return {**refiner, "dims": keep}


def cv_summary(pairs: Sequence[SemEvalPair], oof: Mapping[str, np.ndarray], k: int, seed: int) -> dict:
    """Grouped-CV Pearson per dimension and Overall per language pair."""
    return {
        "folds": k, "seed": seed, "grouped": "no article on both sides of a fold",
        "pearson": {d: _round(pearson(oof[d], [p.gold.get(d, np.nan) for p in pairs])) for d in DIMENSIONS},
        "overall_by_language": by_language(pairs, oof["overall"], "overall"),
        "overall_by_language_interval": intervals_by_language(pairs, oof["overall"], "overall"),
    }


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def split(pairs: Sequence[SemEvalPair], test_share: float, seed: int = SEED) -> tuple[list[int], list[int]]:
    """Grouped train/held-out indices (no shared article)."""
    if test_share <= 0:
        return list(range(len(pairs))), []
    train, test = holdout_split(pairs, test_share, seed)
    return sorted(int(i) for i in train), sorted(int(i) for i in test)


def shortfall(pairs: Sequence[SemEvalPair], holdout: float, folds: int, seed: int = SEED) -> str | None:
    """What `pairs` lack to be fitted with this hold-out share and these folds, in a user's words; None if nothing.

    Cheap (no feature is computed), so `storymatch train semeval` says it before minutes of work, instead of
    scikit-learn's "With n_samples=1, test_size=0.2 ... the resulting train set will be empty" at the end: pairs
    that share an article stay on one side of every split, so what counts is the number of groups of pairs with
    no article in common, not the number of pairs.
    """
    groups = len(set(article_groups(pairs).tolist()))

    def held(n: int) -> int:  # the groups GroupShuffleSplit holds out of n
        return math.ceil(holdout * n) if holdout > 0 else 0

    if groups - held(groups) < folds:
        need = folds
        while need - held(need) < folds:
            need += 1
        what = f"--folds {folds}" + (f" with --holdout {holdout:g}" if holdout > 0 else "")
        lower = "lower --folds" + (" or --holdout" if holdout > 0 else "")
        formed = "form 1 group" if groups == 1 else f"form {groups} groups"
        return (f"these {len(pairs)} pairs {formed} with no article in common (pairs sharing an article stay on one "
                f"side of every split); {what} needs at least {need}: add pairs about other articles, or {lower}")
    train, _ = split(pairs, holdout, seed)
    labels = {pairs[i].same_story for i in train} - {None}
    if not labels:
        return "no pair fitted on has a gold Overall score"
    if labels == {True}:
        return (f"every pair fitted on tells the same story (gold Overall <= {SAME_STORY_MAX:g}); the same-story "
                "probability needs pairs of different stories too")
    if labels == {False}:
        return (f"no pair fitted on tells the same story (gold Overall <= {SAME_STORY_MAX:g}); the same-story "
                "probability needs such pairs too")
    return None
