"""Stories of a store: the online clusterer (cluster.py) run over the store's article vectors.

Kept apart from cluster.py, which knows nothing of stores, so the same clusterer
serves a stream, a store, the evaluation and Spark.
"""

from __future__ import annotations

from itertools import islice

import numpy as np

from storymatch.corpus.clusterer import ClusterItem, ClusterParams, Story, cluster_stream, params_for
from storymatch.corpus.store import Store
from storymatch.embedding.tiers import NO_VECTORS, get_tier

STORY_KIND = "story"


def _store_vectors(store: Store) -> tuple[str, dict[int, np.ndarray]]:
    """(tier, a vector per article): the store's own, or the fast tier's computed now for a vector-less store."""
    tier = store.get_meta("tier")
    if tier and tier != NO_VECTORS and store.vector_count(tier) == store.count():
        seqs, mat = store.vector_rows(tier)
        return tier, dict(zip((int(s) for s in seqs), mat.astype(np.float32)))
    enc = get_tier("fast")
    out: dict[int, np.ndarray] = {}
    articles = store.iter_articles()
    while batch := list(islice(articles, 512)):
        out.update(zip((b.seq for b in batch), enc.encode_articles([b.article for b in batch])))
    return enc.name, out


def store_items(store: Store) -> tuple[str, list[ClusterItem]]:
    """(tier, the store's articles as the clusterer sees them), in ingest order."""
    tier, vectors = _store_vectors(store)
    items: list[ClusterItem] = []
    for st in store.iter_articles():
        assert st.article.id is not None  # Article.__post_init__ always sets an id
        items.append(ClusterItem(id=st.article.id, vector=vectors[st.seq], date=st.article.date,
                                 words=len(st.article.text.split())))
    return tier, items


def cluster(store: Store, params: ClusterParams | None = None) -> list[Story]:
    """Stories of the whole store, recorded in its results (article id -> story id).

    The stream is replayed from the start in date order (ingest order for undated
    articles); story ids come from first articles, so they are stable across runs.
    Without `params`, the clusterer's settings for the store's tier (cluster.params_for).
    """
    tier, items = store_items(store)
    stories = cluster_stream(items, params or params_for(tier))
    store.put_results(STORY_KIND, [(a, s.id) for s in stories for a in s.articles], replace_all=True)
    return stories


def story_assignments(store: Store) -> dict[str, str]:
    """Article id -> story id, clustering the store first when it was never clustered or has grown since."""
    story_of = store.results(STORY_KIND)
    if len(story_of) != store.count():
        cluster(store)
        story_of = store.results(STORY_KIND)
    return story_of
