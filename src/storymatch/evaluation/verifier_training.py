"""Training data and fitting for the same-story verifier (scoring/verifier.py).

Labelled pairs come from two kinds of data:
- story-labelled article sets (../shared/clustering): each article's nearest neighbours by the fast tier's cosine,
  labelled same story or not. These are the pairs the clusterer asks the verifier about (the candidates), so the
  negatives are the hard ones: other articles on the same topic;
- SemEval-2022 pairs: same story when the annotators' Overall is 2 or better (evaluation/semeval.py).
Every set is weighed alike whatever its number of pairs, so 11,000 headlines do not drown 300 full articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from storymatch.evaluation.semeval import SAME_STORY_MAX, SemEvalPair
from storymatch.scoring.story_view import StoryView, story_views, view_features
from storymatch.scoring.trees import TreeEnsemble
from storymatch.scoring.verifier import FEATURES, Verifier

NEIGHBOURS = 10  # candidates per article by vector cosine, as the clusterer's `candidates`
HEADLINE_NEIGHBOURS = 5  # and by headline cosine, as its `headline_candidates`
PARAMS = dict(objective="binary", learning_rate=0.05, num_leaves=15, min_child_samples=30, subsample=0.8,
              subsample_freq=1, colsample_bytree=0.8, reg_lambda=1.0, verbose=-1, n_jobs=1, deterministic=True,
              force_row_wise=True)
ROUNDS = 300
# More agreement never lowers the probability, a longer gap never raises it. Unconstrained, the trees learned
# corners of the training sets: a German and an English report of one strike a day apart got p=0.07, the same
# pair on one day 0.95. The constraints are what we know of news, so they hold on sets the trees never saw.
RISING = {"cos", "title_overlap", "title_jaccard", "names_shared", "names_overlap", "countries_overlap",
          "places_shared", "places_overlap", "dates_shared", "numbers_shared", "numbers_overlap", "shared_text",
          "cos_below_best", "headline_cos", "name_cos", "lead_names_in_other",
          "lead_numbers_in_other", "lead_when_in_other"}
FALLING = {"countries_conflict", "dates_gap", "gap_days", "cos_rank"}
MONOTONE = [1 if f in RISING else -1 if f in FALLING else 0 for f in FEATURES]


@dataclass
class PairSet:
    """Labelled pairs of one data set: feature rows (FEATURES order) and same-story labels."""

    name: str
    rows: np.ndarray
    labels: np.ndarray


def neighbour_pairs(name: str, items: Sequence[StoryView], stories: Sequence[str], k: int = NEIGHBOURS,
                    k_headline: int = HEADLINE_NEIGHBOURS) -> PairSet:
    """Each article with its k nearest other articles by vector cosine, and its `k_headline` nearest by headline
    cosine in each sentence model (reports in other languages, which the clusterer finds that way), each unordered
    pair once, labelled same story or not."""
    vectors = np.vstack([np.asarray(it.vector, dtype=np.float32) for it in items])
    seen: set[tuple[int, int]] = set()
    rows, labels = [], []

    def add(i: int, j: int, rank: int, best: float, sims: np.ndarray) -> None:
        pair = (min(i, j), max(i, j))
        if pair in seen or i == j:
            return
        seen.add(pair)
        a, b = items[i], items[j]  # a is the article whose neighbours these are, as in the clusterer
        rows.append(view_features(a, b, float(vectors[i] @ vectors[j]), rank, best))
        labels.append(stories[i] == stories[j])

    backends = sorted({b for it in items for b in it.headlines})
    heads = {}
    for backend in backends:  # each model's headline rows, zero where an article has none
        rows_b = np.zeros((len(items), len(next(it.headlines[backend] for it in items if backend in it.headlines))),
                          dtype=np.float32)
        has = np.zeros(len(items), dtype=bool)
        for i, it in enumerate(items):
            if backend in it.headlines:
                rows_b[i], has[i] = it.headlines[backend], True
        heads[backend] = (rows_b, has)
    for start in range(0, len(items), 1024):
        sims = vectors[start:start + 1024] @ vectors.T
        head_sims = {b: h @ h[start:start + 1024].T for b, (h, _) in heads.items()}
        for r in range(sims.shape[0]):
            i = start + r
            sims[r, i] = -np.inf
            near = np.argpartition(-sims[r], min(k, len(items) - 1) - 1)[:k]
            near = near[np.argsort(-sims[r, near])]
            best = float(sims[r, near[0]])
            for rank, j in enumerate(near.tolist()):
                add(i, j, rank, best, sims[r])
            for b, (_, has) in heads.items():
                if not has[i] or k_headline <= 0:
                    continue
                hs = np.where(has, head_sims[b][:, r], -np.inf)
                hs[i] = -np.inf
                kk = min(k_headline, int(has.sum()) - 1)
                if kk <= 0:
                    continue
                for j in np.argpartition(-hs, kk - 1)[:kk].tolist():
                    add(i, j, int(np.count_nonzero(sims[r] > sims[r, j])), best, sims[r])
    return PairSet(name, np.asarray(rows, dtype=np.float64), np.asarray(labels, dtype=bool))


def semeval_pairs(pairs: Sequence[SemEvalPair]) -> PairSet:
    """The SemEval pairs with a gold Overall, labelled same story when it is SAME_STORY_MAX or better."""
    pairs = [p for p in pairs if "overall" in p.gold]
    items = story_views([x for p in pairs for x in (p.a, p.b)])
    rows = []
    for a, b in zip(items[0::2], items[1::2]):
        rows.append(view_features(a, b))
    labels = [p.gold["overall"] <= SAME_STORY_MAX for p in pairs]
    return PairSet("semeval", np.asarray(rows, dtype=np.float64), np.asarray(labels, dtype=bool))


def balanced_weights(labels: np.ndarray) -> np.ndarray:
    """Weights giving a set's positives and negatives half of its weight each, and every set the same weight.

    How many of an article's nearest neighbours tell its story depends on how big stories are in a set (78% in
    a set of 6,000 headlines on 87 stories, 14% in one of 300 articles on 100 stories): unweighted, the trees
    learn each set's base rate from its text form and carry it to any set of that form (held out, the headline
    set's different-story pairs got a mean probability of 0.91). Balanced, they learn what separates the two.
    """
    pos = max(int(labels.sum()), 1)
    neg = max(int((~labels).sum()), 1)
    return np.where(labels, 0.5 / pos, 0.5 / neg)


def fit_verifier(sets: Sequence[PairSet], seed: int = 13, meta: dict | None = None) -> Verifier:
    """A verifier fitted on these sets, each weighed alike."""
    import lightgbm as lgb  # heavy: only when fitting

    X = np.vstack([s.rows for s in sets])
    y = np.concatenate([s.labels for s in sets]).astype(float)
    w = np.concatenate([balanced_weights(s.labels) for s in sets])
    w *= len(w) / w.sum()
    data = lgb.Dataset(X, y, weight=w, feature_name=[f.replace(" ", "_") for f in FEATURES], free_raw_data=True)
    booster = lgb.train({**PARAMS, "seed": seed, "monotone_constraints": MONOTONE}, data, num_boost_round=ROUNDS)
    info = {"fitted_on": {s.name: {"pairs": int(len(s.labels)), "positives": int(s.labels.sum())} for s in sets},
            "seed": seed, **(meta or {})}
    return Verifier(TreeEnsemble.from_lightgbm(booster.model_to_string()), 0.5, info)
