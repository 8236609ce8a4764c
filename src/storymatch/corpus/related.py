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
from storymatch.corpus.store import Store, Stored
from storymatch.corpus.stories import story_assignments, views_of
from storymatch.embedding.registry import choose_backend
from storymatch.features.lsh import text_keys
from storymatch.scoring.story_view import StoryView

COMPARE_KIND = "compare/2"  # compare results since the verdict is the verifier's: older cached ones are not read


@dataclass
class Hit:
    stored: Stored
    candidate: CandidateArticle
    comparison: dict[str, Any]  # compare(query, hit).to_dict()
    relation: str  # "source" (earlier, shares text) | "reuser" (later, shares text) | "same story" | "related"
    score: float
    same_story: bool  # in the query's story: the store's stories for a stored query, else the verifier's verdict
    story: str | None = None  # the store story the hit belongs to

    def to_dict(self) -> dict[str, Any]:
        c, reuse = self.comparison, self.comparison.get("reuse") or {}
        return {
            "id": self.stored.article.id,
            "article": self.stored.article.summary(),
            "relation": self.relation,
            "score": round(self.score, 4),
            "same_story": self.same_story,
            "story": self.story,
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


def relation(query: Stored, hit: Stored, comparison: dict[str, Any], same_story: bool) -> str:
    if (comparison.get("reuse") or {}).get("passages"):
        return "reuser" if query.earlier_than(hit) else "source"
    return "same story" if same_story else "related"


def search(store: Store, query: Stored, *, limit: int = 10, backend: str | None = None,
           cache: bool = True, min_score: float = 0.05) -> list[Hit]:
    """Up to `limit` stored articles most related to `query`, best first, each with its comparison.

    "Same story" is the store's own answer for a stored query: the articles `cluster` puts in the query's story
    (all of them are compared, candidates or not, up to `limit`), so search and cluster never disagree; for an
    article that is not stored, the verifier's verdict on each pair. Candidates scoring below `min_score` (no
    shared text, next to no chance of the same story) are dropped: the vector index always returns neighbours,
    related or not.
    """
    cands = find_candidates(store, query)
    held = store.holds(query)
    story_of = story_assignments(store) if held else {}
    story = story_of.get(query.article.id or "")
    members = [m for m, s in story_of.items() if s == story and m != query.article.id] if story else []
    n_sent = store.indexed_sentences(query.seq) if held else None
    if n_sent is None:
        n_sent = len(text_keys(query.article.text, store.lsh_params())[0])
    cands = sorted(cands, key=lambda c: -prerank(n_sent, c))[:limit]
    have = {c.stored.article.id for c in cands}
    for m in members[:limit]:  # the query's story first: its members are compared even when no index found them
        found = store.get(m)
        if m not in have and found is not None:
            cands.append(CandidateArticle(found))
    cands.sort(key=lambda c: c.stored.article.id not in members)
    cands = cands[:max(limit, len(members[:limit]))]
    query_stored = cache and held
    analysis_q = None
    hits = []
    views: dict[int, StoryView] = {}
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
            if held and not views:  # the pairs as cluster sees them: one verdict for search and cluster
                todo = [query, *(c.stored for c in cands if store.holds(c.stored))]
                views = {st.seq: v for st, v in zip(todo, views_of(store, todo))}
            pair = (views[query.seq], views[cand.stored.seq]) if held and cand.stored.seq in views else None
            comparison = compare(query.article, cand.stored.article, backend=chosen, features_a=fq, features_b=fc,
                                 views=pair)
            remember_headline(store, query, fq)
            remember_headline(store, cand.stored, fc)
            result = comparison.to_dict()
            if query_stored:
                store.put_results(COMPARE_KIND, [(key, result)])
        reuse = result.get("reuse") or {}
        score = max(result["probability"], reuse.get("coverage_a", 0.0), reuse.get("coverage_b", 0.0))
        hit_story = story_of.get(cand.stored.article.id or "")
        same = hit_story == story if held else bool(result["same_story"])
        hits.append(Hit(cand.stored, cand, result, relation(query, cand.stored, result, same), score, same,
                        hit_story))
    kept = [h for h in hits if h.score >= min_score or h.same_story]
    return sorted(kept, key=lambda h: (not h.same_story, -h.score))
