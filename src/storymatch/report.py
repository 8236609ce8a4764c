"""Corpus-wide reuse: stories, who published first, who reused whom and how much.

Stories come from the online clusterer (cluster.py) over the store's vectors;
reuse edges from full alignment of each article with its earlier LSH candidates
(the same candidates and alignment `trace` uses). Pair alignments are cached in
the store's results table, so a second report only aligns new pairs.
"""

from __future__ import annotations

from .cluster import ClusterItem, Story, cluster_stream
from .store import Store

STORY_KIND = "story"


def _store_vectors(store: Store):
    """A vector per article: the store's own tier, or the fast tier computed now for a vector-less store."""
    from .tiers import get_tier

    tier = store.get_meta("tier")
    if tier and tier != "none" and store.vector_count(tier) == store.count():
        seqs, mat = store.vector_rows(tier)
        return dict(zip((int(s) for s in seqs), mat))
    enc = get_tier("fast")
    out = {}
    batch = []
    for st in store.iter_articles():
        batch.append(st)
        if len(batch) == 512:
            out.update(zip((b.seq for b in batch), enc.encode_articles([b.article for b in batch])))
            batch = []
    if batch:
        out.update(zip((b.seq for b in batch), enc.encode_articles([b.article for b in batch])))
    return out


def cluster_store(store: Store) -> list[Story]:
    """Stories of the whole store, recorded in its results (article id -> story id).

    The stream is replayed from the start in date order (ingest order for undated
    articles); story ids come from first articles, so they are stable across runs.
    """
    vectors = _store_vectors(store)
    items = [ClusterItem(id=st.article.id, vector=vectors[st.seq], date=st.article.date,
                         words=len(st.article.text.split()))
             for st in store.iter_articles()]
    stories = cluster_stream(items)
    store.put_results(STORY_KIND, [(a, s.id) for s in stories for a in s.articles], replace_all=True)
    return stories
