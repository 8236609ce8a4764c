"""The result of comparing two articles, and its JSON form (the contract of `compare --json` and the API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storymatch.alignment.types import Alignment
from storymatch.comparison.evidence import Evidence
from storymatch.embedding.registry import ModelInfo
from storymatch.inputs.article import Article
from storymatch.text.scripts import unit_list

# Fewest words (title and text; character pairs in Chinese, Japanese, Korean, Thai) each article needs for a
# same-story verdict. benchmarks/short_texts.py cuts 300 SemEval-2022 pairs to their first N words: the verifier's
# AUC is 0.58 at 1 word, 0.74 at 12, 0.76 at 16, 0.96 whole, and at 12 words its verdict is right 70% of the time
# where always answering "different stories" is right 66%. From 16 words (AUC 0.75 or more) it gives a verdict;
# below, "cannot tell" (`same_story` None). On ECB+ pairs it was not fitted on: AUC 0.87 at 16 words, 0.83 at 12.
MIN_WORDS = 16


def too_little_text(a: Article, b: Article) -> str | None:
    """Why there is too little text to tell whether A and B report the same story, or None when there is enough.

    A verdict on a headline, a pasted fragment or "…" was a guess that read like a finding ("SAME STORY 0.63" for
    a one-character text). The scores and the reused text are still given: they describe what is there.
    """
    short = []
    for side, art in (("A", a), ("B", b)):
        n = len(unit_list(f"{art.title or ''}\n{art.text}"))
        if n < MIN_WORDS:
            short.append(f"{side} has {n} word{'' if n == 1 else 's'}")
    if not short:
        return None
    return (f"too little text to tell whether they report the same story: {' and '.join(short)}, and a verdict "
            f"needs at least {MIN_WORDS} on each side")


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
    """The verdict on a pair, its seven scores, the evidence, the reused text and the numbers the scorer saw.

    `same_story` is None ("cannot tell") when an article has too little text for a verdict (`too_little_text`
    says why); `probability` is then still the verifier's number, shown as the guess it is.
    """

    a: Article
    b: Article
    backend: str
    scorer: str
    same_story: bool | None
    probability: float
    scores: dict[str, float]
    evidence: Evidence
    reuse: Alignment
    features: dict[str, float]
    models: ModelsUsed
    timings: dict[str, float] = field(default_factory=dict)
    too_little_text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.summary(),
            "b": self.b.summary(),
            "same_story": self.same_story,
            "probability": self.probability,
            "too_little_text": self.too_little_text,
            "scores": self.scores,
            "evidence": self.evidence.to_dict(),
            "reuse": self.reuse.to_dict(),
            "backend": self.backend,
            "scorer": self.scorer,
            "models": self.models.to_dict(),
            "features": {k: round(v, 4) for k, v in self.features.items()},
        }
