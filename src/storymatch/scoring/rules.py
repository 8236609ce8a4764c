"""The rule scorer: a transparent, hand-set mapping from pair features to the seven scores.

Used with `--scorer rules`, and as the readable reference for what each dimension leans on.
"""

from __future__ import annotations

import math
from typing import Mapping

from storymatch.scoring.base import DIMENSIONS, ScoreResult


def _scale(x: float, lo: float, hi: float) -> float:
    return min(1.0, max(0.0, (x - lo) / (hi - lo)))


def _to_scale(similarity: float) -> float:
    """Similarity in [0, 1] to the SemEval scale (1 very similar ... 4 very dissimilar)."""
    return round(4.0 - 3.0 * similarity, 3)


# Cosine ranges by backend: below `lo` articles share nothing beyond being news, above `hi` they tell
# the same thing. Read off the cosine distributions of SemEval-2022 training pairs at the two ends
# of the gold scale (USE places unrelated texts closer together than MiniLM does).
_COSINE_RANGE = {"minilm": (0.25, 0.80), "multilingual": (0.35, 0.85)}


class RuleScorer:
    """A transparent mapping: each dimension is a weighted mean of the features that bear on it.

    Semantic similarity (`content`) carries every dimension, because annotators'
    dimensions move together; each dimension then leans on its own evidence:
    countries for geography, shared names for entities, dates for time, matched
    sentences for narrative, surface form for style.
    """

    name = "rules"
    threshold = 0.5

    def score(self, f: Mapping[str, float]) -> ScoreResult:
        lo, hi = _COSINE_RANGE["multilingual" if f.get("multilingual_backend") else "minilm"]
        doc = _scale(f["doc_cos"], lo, hi)
        lead = _scale(max(f["lead_cos"], f["title_cos"]), lo, hi)
        sent = _scale(0.5 * (f["sent_best_a"] + f["sent_best_b"]), lo, hi)
        content = 0.45 * doc + 0.25 * lead + 0.30 * sent

        # the country the story happens in weighs most; then how many countries both involve
        places = 0.6 * f["main_country_match"] + 0.4 * f["country_overlap"] if f["has_places"] else content
        ents = f["entity_overlap"]
        if f["has_pubdates"]:
            when = 1.0 - _scale(f["pubdate_gap_days"], 2, 30)
        elif f["has_dates"]:
            when = f["date_overlap"]
        else:
            when = content
        narrative = max(f["sent_match_a"], f["sent_match_b"], f["reuse_coverage_max"])
        style = 0.5 * f["len_ratio"] + 0.5 * f["word_cos"] if f["same_language"] else 0.5

        sims = {
            "overall": 0.75 * content + 0.15 * ents + 0.10 * places,
            "geography": 0.5 * places + 0.5 * content,
            "entities": 0.5 * ents + 0.5 * content,
            "time": 0.4 * when + 0.6 * content,
            "narrative": 0.4 * narrative + 0.6 * content,
            "style": 0.4 * style + 0.6 * content,
            "tone": 0.2 * style + 0.8 * content,
        }
        scores = {d: _to_scale(sims[d]) for d in DIMENSIONS}
        # same story when the overall similarity is past the middle of the scale (gold: overall <= 2.0 of 4)
        prob = 1.0 / (1.0 + math.exp(-10.0 * (sims["overall"] - 0.6)))
        return ScoreResult(scores, round(prob, 4), prob >= self.threshold)
