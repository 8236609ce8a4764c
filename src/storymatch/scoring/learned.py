"""The learned scorer: gradient-boosted trees from pair features to the seven SemEval
scores, and an isotonic map from predicted Overall to a calibrated same-story probability.

Stored as one gzipped JSON file (LightGBM's own text format for the trees, plain
arrays for the calibration) rather than a pickle: it loads in any Python without
version-pinned classes and never runs code on load. The shipped file lives in
storymatch/models/ and is loaded once per process.
"""

from __future__ import annotations

import gzip
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from storymatch.scoring.pair_features import ENGLISH_HEADLINE
from storymatch.scoring.rules import DIMENSIONS, ScoreResult

FORMAT = "storymatch-scorer/1"
SHIPPED = Path(__file__).resolve().parents[1] / "models" / "scorer.json.gz"
SEED = 13
# LightGBM settings for ~1,700 noisy pairs: shallow trees, strong row/feature subsampling and
# a slow learning rate keep variance down; chosen once by grouped CV on the training file.
PARAMS = dict(objective="regression", learning_rate=0.02, num_leaves=6, min_child_samples=20,
              subsample=0.8, subsample_freq=1, colsample_bytree=0.7, reg_lambda=1.0, verbose=-1, n_jobs=1)
ROUNDS = {"overall": 600}
DEFAULT_ROUNDS = 300
# Trees and a ridge line err differently (steps vs. smooth trends); a fixed 70/30 blend gained
# ~0.01 Pearson in grouped CV over trees alone, so both are kept.
LINEAR_WEIGHT = 0.3
RIDGE_ALPHAS = tuple(float(a) for a in np.logspace(-2, 3, 12))
# Features that exist only for some pairs (the optional large English model's headline cosine).
# As a mostly-missing tree column it gained little (en-en 0.855 -> 0.860 in grouped CV); as a
# refiner, a per-dimension line over [tree/ridge prediction, feature] fitted on out-of-fold
# predictions of the pairs that have it, it gained more (-> 0.876), so the trees never see it.
REFINER_FEATURES = (ENGLISH_HEADLINE,)


def feature_matrix(rows: Sequence[Mapping[str, float]], names: Sequence[str]) -> np.ndarray:
    """Rows of feature dicts to columns in `names` order; a missing feature is NaN (trees route it)."""
    return np.array([[float(r.get(n, math.nan)) for n in names] for r in rows], dtype=np.float64)


def fit_regressors(X: np.ndarray, Y: Mapping[str, np.ndarray], seed: int = SEED,
                   rounds: Mapping[str, int] | None = None) -> dict:
    """One LightGBM booster per dimension, fitted on rows whose gold for that dimension is known."""
    import lightgbm as lgb

    rounds = {**ROUNDS, **(rounds or {})}
    boosters = {}
    for dim in DIMENSIONS:
        y = np.asarray(Y[dim], dtype=float)
        ok = ~np.isnan(y)
        params = {**PARAMS, "seed": seed, "deterministic": True, "force_row_wise": True}
        data = lgb.Dataset(X[ok], y[ok], free_raw_data=True)
        boosters[dim] = lgb.train(params, data, num_boost_round=rounds.get(dim, DEFAULT_ROUNDS))
    return boosters


def fit_linear(X: np.ndarray, Y: Mapping[str, np.ndarray]) -> dict:
    """One standardised ridge regression per dimension, stored as plain arrays."""
    from sklearn.linear_model import RidgeCV

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


def predict_linear(linear: Mapping, X: np.ndarray, dim: str) -> np.ndarray:
    fill, mean, scale = (np.asarray(linear[k]) for k in ("fill", "mean", "scale"))
    Z = (np.where(np.isnan(X), fill, X) - mean) / scale
    m = linear["models"][dim]
    return Z @ np.asarray(m["coef"]) + m["intercept"]


def fit_calibration(pred_overall: np.ndarray, gold_same: np.ndarray) -> tuple[list[float], list[float]]:
    """Isotonic map from (out-of-fold) predicted Overall to P(same story), as knots for np.interp."""
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(increasing=False, y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(pred_overall, gold_same.astype(float))
    return [float(v) for v in iso.X_thresholds_], [float(v) for v in iso.y_thresholds_]


def fit_refiner(pred: Mapping[str, np.ndarray], R: np.ndarray, Y: Mapping[str, np.ndarray]) -> dict | None:
    """Per dimension, gold ~ a·prediction + b·feature + c on the rows where every refiner feature is present."""
    from sklearn.linear_model import LinearRegression

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


def refine(refiner: Mapping | None, scores: Mapping[str, np.ndarray], R: np.ndarray) -> dict[str, np.ndarray]:
    """Scores with the refiner applied to the rows that have its features; other rows unchanged."""
    out = {d: np.array(v, dtype=float) for d, v in scores.items()}
    if not refiner or not len(R):
        return out
    has = ~np.isnan(R).any(axis=1)
    if has.any():
        for d, m in refiner["dims"].items():
            coef = np.asarray(m["coef"])
            out[d][has] = coef[0] * out[d][has] + R[has] @ coef[1:] + m["intercept"]
    return out


def blend(booster, linear: Mapping | None, X: np.ndarray, dim: str) -> np.ndarray:
    """Trees, blended with the ridge line when the model has one."""
    trees = booster.predict(X, num_threads=1)
    if not linear:
        return trees
    return (1 - LINEAR_WEIGHT) * trees + LINEAR_WEIGHT * predict_linear(linear, X, dim)


class LearnedScorer:
    """Implements the Scorer protocol; `score` takes the pair-feature dict of pairfeatures."""

    name = "learned"

    def __init__(self, feature_names: Sequence[str], boosters: Mapping, calibration: tuple[Sequence[float], Sequence[float]],
                 threshold: float = 0.5, meta: dict | None = None, linear: Mapping | None = None,
                 refiner: Mapping | None = None):
        self.feature_names = list(feature_names)
        self.boosters = dict(boosters)
        self.linear = linear
        self.refiner = refiner
        self.cal_x = np.asarray(calibration[0], dtype=float)
        self.cal_y = np.asarray(calibration[1], dtype=float)
        self.threshold = threshold
        self.meta = meta or {}

    # --- prediction ---
    def predict_rows(self, rows: Sequence[Mapping[str, float]]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Seven scores (1–4) and P(same story) for rows of pair-feature dicts."""
        X = feature_matrix(rows, self.feature_names)
        scores = {d: np.clip(blend(self.boosters[d], self.linear, X, d), 1.0, 4.0) for d in DIMENSIONS}
        if self.refiner:  # fitted on clipped out-of-fold predictions, so applied to clipped ones
            scores = refine(self.refiner, scores, feature_matrix(rows, self.refiner["features"]))
            scores = {d: np.clip(v, 1.0, 4.0) for d, v in scores.items()}
        return scores, self.probability(scores["overall"])

    def probability(self, overall: np.ndarray) -> np.ndarray:
        return np.interp(overall, self.cal_x, self.cal_y)

    def score(self, features: Mapping[str, float]) -> ScoreResult:
        scores, prob = self.predict_rows([features])
        p = float(prob[0])
        return ScoreResult({d: round(float(scores[d][0]), 3) for d in DIMENSIONS}, round(p, 4), p >= self.threshold)

    def score_many(self, rows: Sequence[Mapping[str, float]]) -> list[ScoreResult]:
        scores, prob = self.predict_rows(rows)
        return [ScoreResult({d: round(float(scores[d][i]), 3) for d in DIMENSIONS}, round(float(prob[i]), 4),
                            bool(prob[i] >= self.threshold)) for i in range(len(rows))]

    # --- storage ---
    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {
            "format": FORMAT,
            "feature_names": self.feature_names,
            "threshold": self.threshold,
            "calibration": {"overall": self.cal_x.tolist(), "probability": self.cal_y.tolist()},
            "models": {d: b.model_to_string() for d, b in self.boosters.items()},
            "linear": self.linear,
            "refiner": self.refiner,
            "meta": self.meta,
        }
        data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        # mtime=0: the same model gives the same bytes, so a rebuild shows as no change in git
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
            fh.write(data)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "LearnedScorer":
        """Read a scorer file; an unreadable file is an InputError naming it."""
        import lightgbm as lgb

        from storymatch.errors import InputError

        name = str(path)
        p = Path(path)
        if not p.is_file():
            raise InputError(name, "no such scorer file")
        try:
            with gzip.open(p, "rb") as fh:
                doc = json.loads(fh.read().decode("utf-8"))
        except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError):
            raise InputError(name, "not a storymatch scorer file (expected gzipped JSON from `storymatch train semeval`)") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise InputError(name, f"not a storymatch scorer file (format {doc.get('format') if isinstance(doc, dict) else None!r}, expected {FORMAT})")
        missing = [d for d in DIMENSIONS if d not in doc.get("models", {})]
        if missing:
            raise InputError(name, f"scorer file lacks models for: {', '.join(missing)}")
        boosters = {d: lgb.Booster(model_str=doc["models"][d]) for d in DIMENSIONS}
        cal = doc["calibration"]
        return cls(doc["feature_names"], boosters, (cal["overall"], cal["probability"]), doc.get("threshold", 0.5),
                   doc.get("meta"), doc.get("linear"), doc.get("refiner"))


@lru_cache(maxsize=1)
def load_shipped() -> LearnedScorer | None:
    """The scorer shipped inside the package, loaded once; None when the file is absent."""
    return LearnedScorer.load(SHIPPED) if SHIPPED.is_file() else None
