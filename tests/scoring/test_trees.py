"""The numpy tree walker gives exactly what LightGBM gives, on the shipped models and on freshly fitted ones,
for rows with missing, zero and out-of-range values."""

from __future__ import annotations

import gzip
import json

import lightgbm as lgb
import numpy as np

from storymatch.scoring.shipped import SHIPPED
from storymatch.scoring.trees import TreeEnsemble


def _rows(n: int, features: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.normal(0.5, 0.6, size=(n, features))
    X[rng.random(X.shape) < 0.15] = np.nan  # missing features, as feature_matrix gives them
    X[rng.random(X.shape) < 0.1] = 0.0
    return X


def test_shipped_models_predict_exactly_as_lightgbm():
    doc = json.loads(gzip.open(SHIPPED).read())
    X = _rows(300, len(doc["feature_names"]), seed=1)
    for dim, text in doc["models"].items():
        ours = TreeEnsemble.from_lightgbm(text).predict(X)
        theirs = lgb.Booster(model_str=text).predict(X, num_threads=1)
        assert np.array_equal(ours, theirs), dim


def test_fitted_models_with_missing_value_splits_predict_exactly_as_lightgbm():
    rng = np.random.default_rng(7)
    X = _rows(600, 5, seed=2)
    y = np.nan_to_num(X[:, 0], nan=-1.0) * 2 + (X[:, 1] == 0) + rng.normal(0, 0.1, 600)
    for missing_as_zero in (False, True):
        params = {"objective": "regression", "num_leaves": 7, "verbose": -1, "seed": 3,
                  "zero_as_missing": missing_as_zero, "min_data_in_leaf": 5}
        booster = lgb.train(params, lgb.Dataset(X, y), num_boost_round=40)
        text = booster.model_to_string()
        test = _rows(200, 5, seed=3)
        assert np.array_equal(TreeEnsemble.from_lightgbm(text).predict(test), booster.predict(test, num_threads=1))
