"""Search a store: the articles that tell the same story as one article, and those that share its text.

Candidates come from the LSH and vector indexes (candidates.py) and are pre-ranked cheaply. The best `limit` are
then judged with what the store keeps: the same-story verifier on the two articles' stored views (the verdict
`cluster` reads, so search and cluster agree) and the aligner's word levels on the two texts (verbatim, spun and cut
passages, coverage, likely source). Neither embeds a sentence, so a search answers in tens of milliseconds on a
store of 10,000 articles (benchmarks/search.py).

The SemEval scores and the evidence need each hit compared in full (`compare.compare`: sentence embeddings of both
articles, about a second a hit the first time on these machines), as do translated passages (a multilingual
encoder over every sentence of a pair in two languages). They are made on request (`full=True`, `storymatch search
--full`) or when a hit is opened (`compare_stored`: `storymatch compare A B --store`); a full comparison once made
is kept in the store and shown by every later search.
Results are ranked by the stronger of two signals: the probability of the same story and the share of text reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storymatch.alignment.aligner import align
from storymatch.alignment.types import AlignParams
from storymatch.comparison.pipeline import compare
from storymatch.comparison.result import Comparison
from storymatch.corpus.analyses import analysis_for, embedded_for, remember_headline
from storymatch.corpus.candidates import CandidateArticle, find_candidates
from storymatch.corpus.store import Store, Stored
from storymatch.corpus.stories import membership_reason, query_views, story_lookup
from storymatch.embedding.registry import choose_backend
from storymatch.features.lsh import text_keys
from storymatch.scoring.story_view import StoryView, view_features
from storymatch.scoring.verifier import shipped_verifier

WORDS_ONLY = AlignParams(translation_model=None)
COMPARE_KIND = "compare/2"  # compare results since the verdict is the verifier's: older cached ones are not read


@dataclass
class SharedText:
    """What the aligner found the query and a hit share: the search row's "shared" column and its relation."""

    passages: int
    coverage_query: float
    coverage_hit: float
    likely_source: str | None
    words_only: bool  # True: the aligner's word levels only, no translated passages looked for (no full comparison)

    def to_dict(self) -> dict[str, Any]:
        return {"passages": self.passages, "coverage_query": self.coverage_query, "coverage_hit": self.coverage_hit,
                "likely_source": self.likely_source, "words_only": self.words_only}


@dataclass
class Hit:
    stored: Stored
    candidate: CandidateArticle
    probability: float  # P(same story), the verifier's on the pair's stored views
    shared: SharedText
    relation: str  # "source" (earlier, shares text) | "reuser" (later, shares text) | "same story" | "related"
    score: float
    same_story: bool  # in the query's story: the store's stories for a stored query, else the verifier's verdict
    story: str | None = None  # the store story the hit belongs to
    comparison: dict[str, Any] | None = None  # compare(query, hit).to_dict(), when made (full=True) or kept
    through: list[str] | None = None  # in the query's story by this chain of joining links (query and hit apart)
    reason: str | None = None  # why it is in the query's story though p(same) of the pair is under the verdict

    def to_dict(self) -> dict[str, Any]:
        c = self.comparison
        return {
            "id": self.stored.article.id,
            "article": self.stored.article.summary(),
            "relation": self.relation,
            "score": round(self.score, 4),
            "same_story": self.same_story,
            "story": self.story,
            "probability": round(self.probability, 4),
            "story_reason": self.reason,
            "through": self.through,
            "scores": c["scores"] if c else None,
            "reuse": self.shared.to_dict(),
            "candidate": {"shared_sentences": self.candidate.shared_sentences,
                          "vector_similarity": self.candidate.vector_similarity},
            "compare": c,
        }


def prerank(query_sentences: int, cand: CandidateArticle) -> float:
    """A cheap score to choose which candidates get a full comparison."""
    share = cand.shared_sentences / max(query_sentences, 1)
    return max(cand.vector_similarity or 0.0, min(share, 1.0))


def relation(query: Stored, hit: Stored, shared: SharedText, same_story: bool) -> str:
    if shared.passages:
        return "reuser" if query.earlier_than(hit) else "source"
    return "same story" if same_story else "related"


def search(store: Store, query: Stored, *, limit: int = 10, backend: str | None = None,
           cache: bool = True, min_score: float = 0.05, full: bool = False) -> list[Hit]:
    """Up to `limit` stored articles most related to `query`, best first.

    "Same story" is the store's own answer for a stored query: the articles `cluster` puts in the query's story
    (all of them are judged, candidates or not, up to `limit`), so search and cluster never disagree; for an
    article that is not stored, the verifier's verdict on each pair. Candidates scoring below `min_score` (no
    shared text, next to no chance of the same story) are dropped: the vector index always returns neighbours,
    related or not. `full` compares every hit in full (SemEval scores and evidence, through `backend` when given);
    without it a hit carries a full comparison only when one was made before (and `cache` kept it).
    """
    cands = find_candidates(store, query)
    held = store.holds(query)
    stories = story_lookup(store) if held else None
    story = stories.story(query.article.id or "") if stories else None
    members = [m for m in stories.members(story) if m != query.article.id] if stories and story else []
    n_sent = store.indexed_sentences(query.seq) if held else None
    if n_sent is None:
        n_sent = len(text_keys(query.article.text, store.lsh_params())[0])
    cands = sorted(cands, key=lambda c: -prerank(n_sent, c))[:limit]
    have = {c.stored.article.id for c in cands}
    for m in members[:limit]:  # the query's story first: its members are judged even when no index found them
        found = store.get(m)
        if m not in have and found is not None:
            cands.append(CandidateArticle(found))
    cands.sort(key=lambda c: c.stored.article.id not in members)
    cands = cands[:max(limit, len(members[:limit]))]
    if not cands:
        return []
    query_view, views = query_views(store, query, [c.stored for c in cands])
    verifier = shipped_verifier()
    probabilities = verifier.probabilities([view_features(query_view, view) for view in views])
    keep = cache and held
    hits = []
    for cand, view, p in zip(cands, views, probabilities):
        probability = round(float(p), 4)  # as compare rounds it: one value in search and compare
        comparison = store.get_result(COMPARE_KIND, _key(query, cand.stored, backend)) if keep else None
        if comparison is None and full:
            comparison = compare_stored(store, query, cand.stored, backend=backend, views=(query_view, view),
                                        keep=keep).to_dict()
        hit_story = stories.story(cand.stored.article.id or "") if stories else None
        same = hit_story == story if held else probability >= verifier.threshold
        if comparison is not None:
            shared = _shared(comparison.get("reuse") or {}, words_only=False)
        else:
            # Words only (verbatim, spun, cut): the translation level runs a multilingual encoder over every sentence
            # of a pair in two languages, 0.1-0.6 s a pair and 3.6 s of 6.4 s in 30 searches of a 10,000-article
            # store; a translated copy is found when the hit is compared in full (--full, compare --store, trace).
            shared = _shared(align(query.article, cand.stored.article, WORDS_ONLY).to_dict(), words_only=True)
        score = max(float(probability), shared.coverage_query, shared.coverage_hit)
        hit = Hit(cand.stored, cand, probability, shared, relation(query, cand.stored, shared, same), score, same,
                  hit_story, comparison)
        if same and held and probability < verifier.threshold and stories is not None:
            # in the query's story, though the pair alone falls short: say how the story joins them
            path = stories.path(query.article.id or "", cand.stored.article.id or "") or []
            hit.through, hit.reason = path[1:-1], membership_reason(path, probability, verifier.threshold)
        hits.append(hit)
    kept = [h for h in hits if h.score >= min_score or h.same_story]
    return sorted(kept, key=lambda h: (not h.same_story, -h.score))


def _shared(reuse: dict[str, Any], words_only: bool) -> SharedText:
    return SharedText(len(reuse.get("passages") or []), float(reuse.get("coverage_a") or 0.0),
                      float(reuse.get("coverage_b") or 0.0), reuse.get("likely_source"), words_only)


def compare_stored(store: Store, a: Stored, b: Stored, *, backend: str | None = None,
                   views: tuple[StoryView, StoryView] | None = None, keep: bool = True) -> Comparison:
    """compare(a, b) on what the store keeps (each article analysed and embedded once, ever; the verdict on the
    pair's stored views, as cluster and search give it). The result is kept when both are stored, so a later
    search shows the pair's scores: `storymatch compare A B --store S` and the page open a hit this way."""
    if views is None:
        view_a, (view_b,) = query_views(store, a, [b])
        views = (view_a, view_b)
    analysis_a, analysis_b = analysis_for(store, a), analysis_for(store, b)
    chosen = choose_backend([analysis_a.language, analysis_b.language], backend)
    fa = embedded_for(store, a, analysis_a, chosen)
    fb = embedded_for(store, b, analysis_b, chosen)
    comparison = compare(a.article, b.article, backend=chosen, features_a=fa, features_b=fb, views=views)
    remember_headline(store, a, fa)
    remember_headline(store, b, fb)
    if keep and store.holds(a) and store.holds(b):
        store.put_results(COMPARE_KIND, [(_key(a, b, backend), comparison.to_dict())])
    return comparison


def _key(query: Stored, hit: Stored, backend: str | None) -> str:
    return f"{query.article.id}\x1f{hit.article.id}\x1f{backend or ''}"
