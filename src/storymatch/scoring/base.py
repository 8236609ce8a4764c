"""What a scorer is: pair features in, the seven SemEval-2022 scores and the same-story probability out.

A scorer sees only the pair-feature dict (pair_features.py), so extraction and scoring stay apart and the
learned scorer can replace the rule scorer freely. Scores use the SemEval-2022 Task 8 scale:
1 = very similar ... 4 = very dissimilar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Protocol

DIMENSIONS = ("overall", "geography", "entities", "time", "narrative", "style", "tone")


@dataclass
class ScoreResult:
    scores: dict[str, float]
    probability: float
    same_story: bool


class Scorer(Protocol):
    name: str

    def score(self, features: Mapping[str, float]) -> ScoreResult: ...
