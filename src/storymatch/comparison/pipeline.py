"""compare(): two articles in, a verdict, seven scores, evidence and reuse out.

The pipeline every interface (CLI, Python, HTTP, Spark) runs for a pair:
analyse each article -> choose the embedding backend from both languages ->
embed -> align reused text -> pair features -> scorer (the seven SemEval scores) -> evidence.
The verdict (same story, and its probability) is the same-story verifier's (scoring/verifier.py), on what a store
keeps of the two articles, so compare, search, cluster and report give one answer.
"""

from __future__ import annotations

import time

from storymatch.alignment.aligner import align
from storymatch.comparison.evidence import build_evidence
from storymatch.comparison.result import Comparison
from storymatch.embedding.registry import choose_backend
from storymatch.features.analysis import ArticleFeatures, analyse, embed_pair
from storymatch.inputs.article import Article
from storymatch.scoring.base import Scorer
from storymatch.scoring.pair_features import pair_features, sentence_similarity
from storymatch.scoring.shipped import default_scorer
from storymatch.scoring.story_view import same_story_probability
from storymatch.scoring.verifier import shipped_verifier


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
    reuse = align(a, b)
    t["align"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    sim = sentence_similarity(fa, fb)  # once: the pair features and the evidence both read it
    feats = pair_features(fa, fb, reuse, sim)
    t["pair_features"] = time.perf_counter() - t0

    scorer = scorer or default_scorer()
    t0 = time.perf_counter()
    result = scorer.score(feats)
    t["score"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    probability = same_story_probability(a, b)
    t["verify"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    evidence = build_evidence(fa, fb, sim)
    t["evidence"] = time.perf_counter() - t0

    verifier = shipped_verifier()
    return Comparison(a=a, b=b, backend=chosen, scorer=scorer.name, same_story=probability >= verifier.threshold,
                      probability=round(probability, 4), scores=result.scores, evidence=evidence, reuse=reuse,
                      features=feats, timings=t)
