"""Fitting the learned scorer's parts: trees, a ridge line, the refiner and the same-story calibration.

Only training (`storymatch train semeval`, evaluation/training.py) imports this; compare never does, so
scikit-learn's fitting code stays out of a comparison's start-up.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from storymatch.scoring.base import DIMENSIONS
from storymatch.scoring.learned import REFINER_FEATURES
from storymatch.scoring.trees import TreeEnsemble

SEED = 13
# LightGBM settings for ~1,700 noisy pairs: shallow trees, strong row/feature subsampling and
# a slow learning rate keep variance down; chosen once by grouped CV on the training file.
PARAMS = dict(objective="regression", learning_rate=0.02, num_leaves=6, min_child_samples=20,
              subsample=0.8, subsample_freq=1, colsample_bytree=0.7, reg_lambda=1.0, verbose=-1, n_jobs=1)
ROUNDS = {"overall": 600}
DEFAULT_ROUNDS = 300
RIDGE_ALPHAS = tuple(float(a) for a in np.logspace(-2, 3, 12))


def fit_regressors(X: np.ndarray, Y: Mapping[str, np.ndarray], seed: int = SEED,
                   rounds: Mapping[str, int] | None = None) -> dict[str, TreeEnsemble]:
    """One LightGBM model per dimension, fitted on rows whose gold for that dimension is known, as the trees
    the scorer walks (trees.py)."""
    import lightgbm as lgb  # heavy: only when fitting

    rounds = {**ROUNDS, **(rounds or {})}
    boosters = {}
    for dim in DIMENSIONS:
        y = np.asarray(Y[dim], dtype=float)
        ok = ~np.isnan(y)
        params = {**PARAMS, "seed": seed, "deterministic": True, "force_row_wise": True}
        data = lgb.Dataset(X[ok], y[ok], free_raw_data=True)
        booster = lgb.train(params, data, num_boost_round=rounds.get(dim, DEFAULT_ROUNDS))
        boosters[dim] = TreeEnsemble.from_lightgbm(booster.model_to_string())
    return boosters


def fit_linear(X: np.ndarray, Y: Mapping[str, np.ndarray]) -> dict:
    """One standardised ridge regression per dimension, stored as plain arrays."""
    from sklearn.linear_model import RidgeCV  # heavy: only when fitting

    fill = np.nanmean(X, axis=0)
    fill = np.where(np.isnan(fill), 0.0, fill)
    Xf = np.where(np.isnan(X), fill, X)
    mean, scale = Xf.mean(axis=0), Xf.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    Z = (Xf - mean) / scale
    out = {}
    for dim in DIMENSIONS:
        y = np.asarray(Y[dim], dtype=float)
        ok = ~np.isnan(y)
        m = RidgeCV(alphas=RIDGE_ALPHAS).fit(Z[ok], y[ok])
        out[dim] = {"coef": m.coef_.tolist(), "intercept": float(m.intercept_)}
    return {"fill": fill.tolist(), "mean": mean.tolist(), "scale": scale.tolist(), "models": out}


def fit_calibration(pred_overall: np.ndarray, gold_same: np.ndarray) -> tuple[list[float], list[float]]:
    """Isotonic map from (out-of-fold) predicted Overall to P(same story), as knots for np.interp."""
    from sklearn.isotonic import IsotonicRegression  # heavy: only when fitting

    iso = IsotonicRegression(increasing=False, y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(pred_overall, gold_same.astype(float))
    return [float(v) for v in iso.X_thresholds_], [float(v) for v in iso.y_thresholds_]


def fit_refiner(pred: Mapping[str, np.ndarray], R: np.ndarray, Y: Mapping[str, np.ndarray]) -> dict | None:
    """Per dimension, gold ~ a·prediction + b·feature + c on the rows where every refiner feature is present."""
    from sklearn.linear_model import LinearRegression  # heavy: only when fitting

    has = ~np.isnan(R).any(axis=1)
    if has.sum() < 30:  # too few pairs with the feature to fit even three numbers
        return None
    dims = {}
    for d in DIMENSIONS:
        y = np.asarray(Y[d], dtype=float)
        ok = has & ~np.isnan(y) & ~np.isnan(pred[d])
        m = LinearRegression().fit(np.column_stack([pred[d][ok], R[ok]]), y[ok])
        dims[d] = {"coef": m.coef_.tolist(), "intercept": float(m.intercept_)}
    return {"features": list(REFINER_FEATURES), "pairs": int(has.sum()), "dims": dims}
