"""The learned scorer: gradient-boosted trees from pair features to the seven SemEval
scores, and an isotonic map from predicted Overall to a calibrated same-story probability.

Stored as one gzipped JSON file (LightGBM's own text format for the trees, plain
arrays for the calibration) rather than a pickle: it loads in any Python without
version-pinned classes and never runs code on load. Fitting is `fitting.py`'s; the
file shipped in the package is loaded by `shipped.py`.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from storymatch.errors import InputError
from storymatch.scoring.base import DIMENSIONS, ScoreResult
from storymatch.scoring.pair_features import ENGLISH_HEADLINE
from storymatch.scoring.trees import TreeEnsemble

FORMAT = "storymatch-scorer/1"
# Trees and a ridge line err differently (steps vs. smooth trends); a fixed 70/30 blend gained
# ~0.01 Pearson in grouped CV over trees alone, so both are kept.
LINEAR_WEIGHT = 0.3
# Features that exist only for some pairs (the optional large English model's headline cosine).
# As a mostly-missing tree column it gained little (en-en 0.855 -> 0.860 in grouped CV); as a
# refiner, a per-dimension line over [tree/ridge prediction, feature] fitted on out-of-fold
# predictions of the pairs that have it, it gained more (-> 0.876), so the trees never see it.
REFINER_FEATURES = (ENGLISH_HEADLINE,)
# The model for pairs no embedding model reads (a language outside them all, an unreadable script): fitted on the
# same pairs without EMBEDDING_FEATURES, kept in the same file (`variants`), used for rows that lack them.
WITHOUT_EMBEDDINGS = "without-embeddings"
# A model kept for pairs of two English articles (`storymatch train semeval --english-from FILE`): the cross-lingual
# refit of issue 24 leaves English pairs' scores exactly as they were.
ENGLISH = "english"


# A translated copy is the same story. SemEval's training pairs hold none (no de-en pair has a translation passage),
# so the trees cannot learn it from them; in one language, pairs sharing half or more of a text's wording are rated
# the same story (monolingual training pairs with reuse coverage 0.5-0.8: gold Overall mean 1.51, median 1.0, 29
# pairs). So where translation passages cover at least TRANSLATED_COPY of a text, the dimensions a translation keeps
# are held at or below 1 + 2 x (1 - share): 1.3 for a text 85% translated, 2.0 at half. Style and tone are left as
# predicted (a translation is written anew). It moves no score of a pair without such passages.
TRANSLATED_COPY = 0.5
COPY_BOUNDED = ("overall", "geography", "entities", "time", "narrative")


def translated_copy_bound(row: Mapping[str, float]) -> float | None:
    """The highest score a translated copy may get on COPY_BOUNDED dimensions, or None when the pair is none."""
    share = row.get("translation_coverage_max", 0.0)
    return 1.0 + 2.0 * (1.0 - share) if share >= TRANSLATED_COPY else None


def embedded(row: Mapping[str, float]) -> bool:
    """Did the pair's features come from embedded articles (pair_features' EMBEDDING_FEATURES are present)?"""
    return "doc_cos" in row


def english(row: Mapping[str, float]) -> bool:
    """Are both articles of the pair in English (pair_features' language indicators)?"""
    return row.get("lang_en") == 2.0


def feature_matrix(rows: Sequence[Mapping[str, float]], names: Sequence[str]) -> np.ndarray:
    """Rows of feature dicts to columns in `names` order; a missing feature is NaN (trees route it)."""
    return np.array([[float(r.get(n, math.nan)) for n in names] for r in rows], dtype=np.float64)


def predict_linear(linear: Mapping, X: np.ndarray, dim: str) -> np.ndarray:
    fill, mean, scale = (np.asarray(linear[k]) for k in ("fill", "mean", "scale"))
    Z = (np.where(np.isnan(X), fill, X) - mean) / scale
    m = linear["models"][dim]
    return Z @ np.asarray(m["coef"]) + m["intercept"]


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


def blend(trees_model: TreeEnsemble, linear: Mapping | None, X: np.ndarray, dim: str) -> np.ndarray:
    """Trees, blended with the ridge line when the model has one."""
    trees = trees_model.predict(X)
    if not linear:
        return trees
    return (1 - LINEAR_WEIGHT) * trees + LINEAR_WEIGHT * predict_linear(linear, X, dim)


class LearnedScorer:
    """Implements the Scorer protocol; `score` takes the pair-feature dict of pairfeatures."""

    name = "learned"

    def __init__(self, feature_names: Sequence[str], trees: Mapping[str, TreeEnsemble],
                 calibration: tuple[Sequence[float], Sequence[float]],
                 threshold: float = 0.5, meta: dict | None = None, linear: Mapping | None = None,
                 refiner: Mapping | None = None, variants: Mapping[str, "LearnedScorer"] | None = None):
        self.feature_names = list(feature_names)
        self.trees = dict(trees)
        self.linear = linear
        self.refiner = refiner
        self.cal_x = np.asarray(calibration[0], dtype=float)
        self.cal_y = np.asarray(calibration[1], dtype=float)
        self.threshold = threshold
        self.meta = meta or {}
        self.variants = dict(variants or {})
        self.source: str | None = None  # the file it was loaded from, for results to name

    # --- prediction ---
    def predict_rows(self, rows: Sequence[Mapping[str, float]]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Seven scores (1–4) and P(same story) for rows of pair-feature dicts; rows without embedding features go
        to the model fitted without them, when the file has one."""
        routes = [self.uses_variant(r) for r in rows]
        if not any(routes):
            scores, prob = self._own(rows)
        else:
            scores = {d: np.zeros(len(rows)) for d in DIMENSIONS}
            prob = np.zeros(len(rows))
            for name in set(routes):
                idx = [i for i, v in enumerate(routes) if v == name]
                model = self.variants[name] if name else self
                part, p = model._own([rows[i] for i in idx])
                for d in DIMENSIONS:
                    scores[d][idx] = part[d]
                prob[idx] = p
        bounds = [translated_copy_bound(r) for r in rows]
        if any(b is not None for b in bounds):
            for i, b in enumerate(bounds):
                if b is not None:
                    for d in COPY_BOUNDED:
                        scores[d][i] = min(scores[d][i], b)
                    prob[i] = float(self.probability(scores["overall"][i:i + 1])[0])
        return scores, prob

    def uses_variant(self, row: Mapping[str, float]) -> str | None:
        """The variant that scores this row (WITHOUT_EMBEDDINGS for a pair no model embedded, ENGLISH for two English
        articles when the file keeps a model for them), or None for the main model."""
        if not embedded(row):
            return WITHOUT_EMBEDDINGS if WITHOUT_EMBEDDINGS in self.variants else None
        return ENGLISH if english(row) and ENGLISH in self.variants else None

    def _own(self, rows: Sequence[Mapping[str, float]]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        X = feature_matrix(rows, self.feature_names)
        scores = {d: np.clip(blend(self.trees[d], self.linear, X, d), 1.0, 4.0) for d in DIMENSIONS}
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
    def to_doc(self) -> dict:
        """The scorer as the file's JSON object (variants inside it)."""
        return {
            "format": FORMAT,
            "feature_names": self.feature_names,
            "threshold": self.threshold,
            "calibration": {"overall": self.cal_x.tolist(), "probability": self.cal_y.tolist()},
            "models": {d: t.text for d, t in self.trees.items()},
            "linear": self.linear,
            "refiner": self.refiner,
            "meta": self.meta,
            "variants": {name: v.to_doc() for name, v in self.variants.items()},
        }

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(self.to_doc(), ensure_ascii=False).encode("utf-8")
        # mtime=0: the same model gives the same bytes, so a rebuild shows as no change in git
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
            fh.write(data)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "LearnedScorer":
        """Read a scorer file; an unreadable file is an InputError naming it."""
        name = str(path)
        p = Path(path)
        if not p.is_file():
            raise InputError(name, "no such scorer file")
        try:
            with gzip.open(p, "rb") as fh:
                doc = json.loads(fh.read().decode("utf-8"))
        except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError):
            raise InputError(name, "not a storymatch scorer file "
                                   "(expected gzipped JSON from `storymatch train semeval`)") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise InputError(name, f"not a storymatch scorer file "
                                   f"(format {doc.get('format') if isinstance(doc, dict) else None!r}, "
                                   f"expected {FORMAT})")
        scorer = cls._from_doc(doc, name)
        scorer.source = name
        return scorer

    @classmethod
    def _from_doc(cls, doc: dict, name: str) -> "LearnedScorer":
        missing = [d for d in DIMENSIONS if d not in doc.get("models", {})]
        if missing:
            raise InputError(name, f"scorer file lacks models for: {', '.join(missing)}")
        try:
            trees = {d: TreeEnsemble.from_lightgbm(doc["models"][d]) for d in DIMENSIONS}
            cal = doc["calibration"]
            variants = {v: cls._from_doc(sub, name) for v, sub in (doc.get("variants") or {}).items()}
            return cls(doc["feature_names"], trees, (cal["overall"], cal["probability"]), doc.get("threshold", 0.5),
                       doc.get("meta"), doc.get("linear"), doc.get("refiner"), variants)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise InputError(name, "scorer file holds trees this storymatch cannot read") from None
