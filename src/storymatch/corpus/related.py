"""Search a store: the articles that tell the same story as one article, and those that share its text.

Candidates come from the LSH and vector indexes (candidates.py) and are
pre-ranked cheaply; only the best `limit` are compared in full with
`compare.compare` (the same call the `compare` command makes), with the query's
analysis made once and reused. Results are ranked by the stronger of the two
signals: the probability of the same story and the share of text reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storymatch.comparison.pipeline import compare
from storymatch.corpus.analyses import analysis_for, embedded_for, remember_headline
from storymatch.corpus.candidates import CandidateArticle, find_candidates
from storymatch.corpus.lsh import text_keys
from storymatch.corpus.store import Store, Stored
from storymatch.embedding.registry import choose_backend

COMPARE_KIND = "compare"


@dataclass
class Hit:
    stored: Stored
    candidate: CandidateArticle
    comparison: dict[str, Any]  # compare(query, hit).to_dict()
    relation: str  # "source" (earlier, shares text) | "reuser" (later, shares text) | "same story" | "related"
    score: float

    def to_dict(self) -> dict[str, Any]:
        c, reuse = self.comparison, self.comparison.get("reuse") or {}
        return {
            "id": self.stored.article.id,
            "article": self.stored.article.summary(),
            "relation": self.relation,
            "score": round(self.score, 4),
            "same_story": c["same_story"],
            "probability": c["probability"],
            "scores": c["scores"],
            "reuse": {"passages": len(reuse.get("passages", [])), "coverage_query": reuse.get("coverage_a", 0.0),
                      "coverage_hit": reuse.get("coverage_b", 0.0), "likely_source": reuse.get("likely_source")},
            "candidate": {"shared_sentences": self.candidate.shared_sentences,
                          "vector_similarity": self.candidate.vector_similarity},
            "compare": c,
        }


def prerank(query_sentences: int, cand: CandidateArticle) -> float:
    """A cheap score to choose which candidates get a full comparison."""
    share = cand.shared_sentences / max(query_sentences, 1)
    return max(cand.vector_similarity or 0.0, min(share, 1.0))


def relation(query: Stored, hit: Stored, comparison: dict[str, Any]) -> str:
    if (comparison.get("reuse") or {}).get("passages"):
        return "reuser" if query.earlier_than(hit) else "source"
    return "same story" if comparison["same_story"] else "related"


def search(store: Store, query: Stored, *, limit: int = 10, backend: str | None = None,
           cache: bool = True, min_score: float = 0.05) -> list[Hit]:
    """Up to `limit` stored articles most related to `query`, best first, each with its comparison.

    Candidates scoring below `min_score` (no shared text, next to no chance of the same story)
    are dropped: the vector index always returns neighbours, related or not.
    """
    cands = find_candidates(store, query)
    held = store.holds(query)
    n_sent = store.indexed_sentences(query.seq) if held else None
    if n_sent is None:
        n_sent = len(text_keys(query.article.text, store.lsh_params())[0])
    cands = sorted(cands, key=lambda c: -prerank(n_sent, c))[:limit]
    query_stored = cache and held
    analysis_q = None
    hits = []
    for cand in cands:
        key = f"{query.article.id}\x1f{cand.stored.article.id}\x1f{backend or ''}"
        result = store.get_result(COMPARE_KIND, key) if query_stored else None
        if result is None:
            # each article analysed once, ever: read back from the store's analyses when it has them
            analysis_q = analysis_q or analysis_for(store, query)
            analysis_c = analysis_for(store, cand.stored)
            chosen = choose_backend([analysis_q.language, analysis_c.language], backend)
            fq = embedded_for(store, query, analysis_q, chosen)
            fc = embedded_for(store, cand.stored, analysis_c, chosen)
            comparison = compare(query.article, cand.stored.article, backend=chosen, features_a=fq, features_b=fc)
            remember_headline(store, query, fq)
            remember_headline(store, cand.stored, fc)
            result = comparison.to_dict()
            if query_stored:
                store.put_results(COMPARE_KIND, [(key, result)])
        reuse = result.get("reuse") or {}
        score = max(result["probability"], reuse.get("coverage_a", 0.0), reuse.get("coverage_b", 0.0))
        hits.append(Hit(cand.stored, cand, result, relation(query, cand.stored, result), score))
    return sorted((h for h in hits if h.score >= min_score), key=lambda h: -h.score)
