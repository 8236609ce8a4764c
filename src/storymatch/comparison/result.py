"""The result of comparing two articles, and its JSON form (the contract of `compare --json` and the API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storymatch.alignment.types import Alignment
from storymatch.comparison.evidence import Evidence
from storymatch.inputs.article import Article


@dataclass
class Comparison:
    """The verdict on a pair, its seven scores, the evidence, the reused text and the numbers the scorer saw."""

    a: Article
    b: Article
    backend: str
    scorer: str
    same_story: bool
    probability: float
    scores: dict[str, float]
    evidence: Evidence
    reuse: Alignment
    features: dict[str, float]
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.summary(),
            "b": self.b.summary(),
            "same_story": self.same_story,
            "probability": self.probability,
            "scores": self.scores,
            "evidence": self.evidence.to_dict(),
            "reuse": self.reuse.to_dict(),
            "backend": self.backend,
            "scorer": self.scorer,
            "features": {k: round(v, 4) for k, v in self.features.items()},
        }
