"""Scoring: a pair's features to the seven SemEval-2022 scores (1 = very similar … 4 = very dissimilar) and
the same-story probability.

    pair_features(fa, fb, alignment, sim) -> dict[str, float]   the only input a scorer sees
    Scorer.score(features) -> ScoreResult(scores, probability, same_story)
    default_scorer()      the learned scorer shipped in the package (shipped.py)
    load_scorer(path)     a trained file, "rules" (RuleScorer), or the default
"""

from storymatch.scoring.base import DIMENSIONS, Scorer, ScoreResult
from storymatch.scoring.learned import LearnedScorer
from storymatch.scoring.pair_features import pair_features
from storymatch.scoring.rules import RuleScorer
from storymatch.scoring.shipped import default_scorer, load_scorer

__all__ = ["DIMENSIONS", "LearnedScorer", "RuleScorer", "ScoreResult", "Scorer", "default_scorer", "load_scorer",
           "pair_features"]
