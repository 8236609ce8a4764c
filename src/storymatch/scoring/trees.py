"""Gradient-boosted trees evaluated in numpy, from LightGBM's own text format.

LightGBM fits the learned scorer's trees (fitting.py), but a comparison only needs to walk them. Importing
lightgbm to do so pulled in scikit-learn and SciPy: 0.5 s and 77 MB of every cold `compare` (measured), for a few
thousand comparisons of one number with a threshold. Here every tree of a model is one row of flat arrays, and all
trees advance one level at a time for all rows at once. The decisions follow LightGBM's numerical split exactly
(missing values, default directions, `<=` against a double threshold) and the tree outputs are added in tree
order, as LightGBM adds them, so predictions equal `Booster.predict` (tests/scoring/test_trees.py checks it on
rows with missing and zero values).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_DEFAULT_LEFT = 2  # decision_type bit: missing values go left
_MISSING_ZERO, _MISSING_NAN = 1, 2  # decision_type bits 2-3: which values count as missing
_ZERO = 1e-35  # LightGBM's kZeroThreshold


@dataclass(frozen=True)
class TreeEnsemble:
    """The trees of one LightGBM regression model; `text` is the model string it was read from."""

    text: str
    feature: np.ndarray  # (trees, nodes) split feature of each internal node
    threshold: np.ndarray  # (trees, nodes)
    default_left: np.ndarray  # (trees, nodes) bool
    missing: np.ndarray  # (trees, nodes) 0 none, 1 zero, 2 NaN
    left: np.ndarray  # (trees, nodes) child: >= 0 an internal node, < 0 the leaf ~child
    right: np.ndarray
    leaf: np.ndarray  # (trees, leaves) leaf values (shrinkage applied)

    @classmethod
    def from_lightgbm(cls, text: str) -> "TreeEnsemble":
        """Read a model string (`Booster.model_to_string()`); only numerical splits of non-linear trees."""
        trees = [dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
                 for block in text.split("\nTree=")[1:]]
        trees = [t for t in trees if "num_leaves" in t]
        if any(t.get("num_cat", "0") != "0" or t.get("is_linear", "0") != "0" for t in trees):
            raise ValueError("only numerical splits of constant-leaf trees are supported")
        nodes = max((int(t["num_leaves"]) - 1 for t in trees), default=0) or 1
        leaves = max((int(t["num_leaves"]) for t in trees), default=1)
        shape = (len(trees), nodes)
        feature, left, right = (np.zeros(shape, dtype=np.int64) for _ in range(3))
        left -= 1  # a stump's root: straight to leaf 0 (~0 == -1)
        right -= 1
        threshold = np.zeros(shape)
        decision = np.zeros(shape, dtype=np.int64)
        leaf = np.zeros((len(trees), leaves))
        for i, t in enumerate(trees):
            leaf_values = [float(v) for v in t["leaf_value"].split()]
            leaf[i, :len(leaf_values)] = leaf_values
            if int(t["num_leaves"]) < 2:
                continue
            for name, array, cast in (("split_feature", feature, int), ("threshold", threshold, float),
                                      ("decision_type", decision, int), ("left_child", left, int),
                                      ("right_child", right, int)):
                values = [cast(v) for v in t[name].split()]
                array[i, :len(values)] = values
        return cls(text, feature, threshold, (decision & _DEFAULT_LEFT) > 0, (decision >> 2) & 3, left, right, leaf)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The model's output for each row of `X` (rows x features, NaN for a missing value)."""
        X = np.asarray(X, dtype=np.float64)
        n_rows, n_trees = X.shape[0], self.leaf.shape[0]
        trees = np.arange(n_trees)[None, :]
        node = np.zeros((n_rows, n_trees), dtype=np.int64)
        done = np.zeros((n_rows, n_trees), dtype=bool)
        rows = np.arange(n_rows)[:, None]
        for _ in range(self.feature.shape[1] + 1):
            if done.all():
                break
            at = np.where(done, 0, node)
            x = X[rows, self.feature[trees, at]]
            missing = self.missing[trees, at]
            x = np.where(np.isnan(x) & (missing != _MISSING_NAN), 0.0, x)
            is_missing = ((missing == _MISSING_ZERO) & (np.abs(x) <= _ZERO)) | ((missing == _MISSING_NAN) & np.isnan(x))
            go_left = np.where(is_missing, self.default_left[trees, at], x <= self.threshold[trees, at])
            nxt = np.where(go_left, self.left[trees, at], self.right[trees, at])
            node = np.where(done, node, nxt)
            done |= node < 0
        values = self.leaf[trees, ~node]
        return np.cumsum(values, axis=1)[:, -1]  # tree by tree, in order, as LightGBM adds them
