"""Candidate generation: the few stored articles worth a full comparison with one article.

Two indexes, two questions: the sentence MinHash-LSH index finds articles that
may share text (reuse), the vector index finds articles that may tell the same
story. Search, trace and report align or compare only these candidates, never
the whole corpus, so a query's cost depends on the candidates, not on corpus size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from storymatch.corpus.lsh_index import lsh_index_for
from storymatch.corpus.store import Store, Stored
from storymatch.corpus.vector_index import VectorIndex, index_for
from storymatch.embedding.tiers import NO_VECTORS, get_tier
from storymatch.features.lsh import MAX_BUCKET, rank_candidates, text_keys
from storymatch.inputs.article import Article


@dataclass
class CandidateArticle:
    """A stored article worth a full comparison with a query, and why it was picked."""

    stored: Stored
    shared_sentences: int = 0  # query sentences sharing an LSH key with this article
    vector_similarity: float | None = None


def query_article(store: Store, article: Article, *other_ids: str) -> Stored:
    """`article` as a query: its stored copy when the store holds its text, else the article itself, ranked after
    everything stored and never stored.

    The copy is found under the article's id (or one of `other_ids`, such as a file's name), else among the
    stored articles that share one of its sentences' LSH keys: a text posted to the API gets a hash for an id,
    while the copy ingested from a file has the file's name. `search FILE`, `trace FILE`, POST /api/search and
    POST /api/trace all ask this, so an article's own text finds what its stored copy finds, never itself as a
    "source". A text with no sentence long enough to be indexed is only found by id.
    """
    found = store.as_query(article, *other_ids)
    if store.holds(found):
        return found
    _, keys = text_keys(article.text, store.lsh_params())
    if not len(keys):
        return found
    seqs = sorted({seq for seq, _ in lsh_index_for(store).hits(keys, max_bucket=MAX_BUCKET)})
    same = [s for s in store.get_many(seqs).values() if s.article.text == article.text]
    return min(same, key=lambda s: s.seq) if same else found


def query_vector(store: Store, query: Stored) -> np.ndarray | None:
    """The query's vector in the store's tier: stored when the article is, else computed now."""
    tier = store.get_meta("tier")
    if not tier or tier == NO_VECTORS:
        return None
    if store.holds(query) and (vec := store.vector_of(tier, query.seq)) is not None:
        return vec
    return get_tier(tier).encode_articles([query.article])[0]


def find_candidates(store: Store, query: Stored, *, k_vector: int = 20, k_lsh: int = 50,
                    index: VectorIndex | None = None) -> list[CandidateArticle]:
    """LSH and vector neighbours of `query` (itself excluded), LSH hits first, most shared sentences first."""
    _, keys = text_keys(query.article.text, store.lsh_params())
    lsh = rank_candidates(lsh_index_for(store).hits(keys, max_bucket=MAX_BUCKET), limit=k_lsh + 1) if len(keys) else []
    vec = query_vector(store, query)
    near: list[tuple[int, float]] = []
    if vec is not None and k_vector > 0:
        if not index:
            tier = store.get_meta("tier")
            assert tier is not None  # query_vector found a vector, so the store has a tier
            index = index_for(store, tier)
        near = index.search(vec, k_vector, exclude={query.seq})
    seqs = [s for s, _ in lsh] + [s for s, _ in near]
    found = store.get_many(seqs)
    out: dict[int, CandidateArticle] = {}
    for seq, n in lsh:
        if seq in found and found[seq].article.id != query.article.id:
            out[seq] = CandidateArticle(found[seq], shared_sentences=n)
    for seq, sim in near:
        if seq in found and found[seq].article.id != query.article.id:
            out.setdefault(seq, CandidateArticle(found[seq])).vector_similarity = sim
    return list(out.values())
