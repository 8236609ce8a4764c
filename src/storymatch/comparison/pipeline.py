"""compare(): two articles in, a verdict, seven scores, evidence and reuse out.

The pipeline every interface (CLI, Python, HTTP, Spark) runs for a pair:
analyse each article -> choose the embedding backend from both languages ->
embed -> align reused text -> pair features -> scorer -> evidence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from storymatch.comparison.evidence import Evidence, build_evidence
from storymatch.embedding.registry import choose_backend
from storymatch.features.analysis import ArticleFeatures, analyse, embed_pair
from storymatch.inputs.article import Article
from storymatch.scoring.pair_features import pair_features
from storymatch.scoring.rules import Scorer, default_scorer


@dataclass
class Comparison:
    a: Article
    b: Article
    backend: str
    scorer: str
    same_story: bool
    probability: float
    scores: dict[str, float]
    evidence: Evidence
    reuse: dict
    features: dict[str, float]
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "a": self.a.summary(),
            "b": self.b.summary(),
            "same_story": self.same_story,
            "probability": self.probability,
            "scores": self.scores,
            "evidence": self.evidence.to_dict(),
            "reuse": self.reuse,
            "backend": self.backend,
            "scorer": self.scorer,
            "features": {k: round(v, 4) for k, v in self.features.items()},
        }


def _align(a: Article, b: Article) -> dict:
    from storymatch.alignment.aligner import align

    return align(a, b).to_dict()


def compare(a: Article | str, b: Article | str, *, backend: str | None = None, scorer: Scorer | None = None,
            features_a: ArticleFeatures | None = None, features_b: ArticleFeatures | None = None) -> Comparison:
    """Compare two articles. Pass `features_a/b` to reuse analyses already made (e.g. from a store)."""
    a = a if isinstance(a, Article) else Article(a)
    b = b if isinstance(b, Article) else Article(b)
    t: dict[str, float] = {}

    t0 = time.perf_counter()
    fa = features_a or analyse(a)
    fb = features_b or analyse(b)
    t["analyse"] = time.perf_counter() - t0

    chosen = choose_backend([fa.language, fb.language], backend)
    t0 = time.perf_counter()
    embed_pair(fa, fb, chosen)
    t["embed"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    reuse = _align(a, b)
    t["align"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    sim = fa.sentence_vectors @ fb.sentence_vectors.T
    feats = pair_features(fa, fb, reuse)
    t["pair_features"] = time.perf_counter() - t0

    scorer = scorer or default_scorer()
    t0 = time.perf_counter()
    result = scorer.score(feats)
    t["score"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    evidence = build_evidence(fa, fb, sim)
    t["evidence"] = time.perf_counter() - t0

    return Comparison(a=a, b=b, backend=chosen, scorer=scorer.name, same_story=result.same_story,
                      probability=result.probability, scores=result.scores, evidence=evidence, reuse=reuse,
                      features=feats, timings=t)
