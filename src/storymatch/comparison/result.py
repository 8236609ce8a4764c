"""The result of comparing two articles, and its JSON form (the contract of `compare --json` and the API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storymatch.alignment.types import Alignment
from storymatch.comparison.evidence import Evidence
from storymatch.embedding.registry import ModelInfo
from storymatch.inputs.article import Article


@dataclass(frozen=True)
class ModelsUsed:
    """Every model and rule that took part in a comparison, so that a result that moves says why.

    A score can change with the embedding backend, the optional large English model, the spaCy pipeline (or the
    capitalisation rule a language without one gets), the language guess, and the scorer file; the report, the
    JSON and the page name each of them.
    """

    embeddings: ModelInfo
    headline: ModelInfo | None  # the large English model on title and lead; None when it did not run
    language: tuple[str, str]  # how A's and B's languages were told ("lingua", "given with the article", ...)
    entities: tuple[str, str]  # what found A's and B's names ("spaCy en_core_web_sm 3.8.0", "capitalisation rule")
    scorer: str
    translation: ModelInfo | None = None  # the encoder that matched translated sentences, when the languages differ
    paraphrase: ModelInfo | None = None  # the encoder of the optional paraphrase level, when it was asked for
    verifier: str = ""  # the same-story verifier that gave the verdict, and the models its headlines went through

    def to_dict(self) -> dict[str, Any]:
        def info(m: ModelInfo | None) -> dict[str, str] | None:
            return m.to_dict() if m else None

        return {
            "embeddings": info(self.embeddings),
            "headline": info(self.headline),
            "language": {"a": self.language[0], "b": self.language[1]},
            "entities": {"a": self.entities[0], "b": self.entities[1]},
            "translation": info(self.translation),
            "paraphrase": info(self.paraphrase),
            "scorer": self.scorer,
            "verifier": self.verifier,
        }


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
    models: ModelsUsed
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
            "models": self.models.to_dict(),
            "features": {k: round(v, 4) for k, v in self.features.items()},
        }
