"""Story clustering measured against gold labels: a labelled file clustered as a user's corpus would be.

The file goes through the same path as a user's corpus: ingest into a temporary store with the chosen
tier, then the clusterer over the store in date order. The gold `story` (and `story_title`) are taken out
of each record before ingest, so nothing downstream can see them.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from storymatch.corpus.clusterer import ClusterParams, cluster_stream, labels_of, params_for
from storymatch.corpus.ingestion import IngestStats, ingest_records
from storymatch.corpus.store import Store
from storymatch.corpus.stories import store_items
from storymatch.errors import InputError
from storymatch.evaluation.clustering_scores import ClusteringScores, score_clustering
from storymatch.inputs.article import Article
from storymatch.inputs.readers import read_corpus

GOLD_KEYS = ("story", "story_title")


def read_labelled(path: Path) -> tuple[list[tuple[str, Article]], dict[str, str]]:
    """(articles, gold story of each article id) from a labelled JSONL/CSV/...; bad records end the run."""
    articles: list[tuple[str, Article]] = []
    gold: dict[str, str] = {}
    for where, rec in read_corpus([path]):
        if isinstance(rec, InputError):
            raise rec
        label = rec.meta.get("story")
        if label in (None, ""):
            raise InputError(where, "no `story` label; eval cluster needs one per record")
        for key in GOLD_KEYS:
            rec.meta.pop(key, None)
        assert rec.id is not None  # Article.__post_init__ always sets an id
        if rec.id in gold:
            continue  # a repeated id is one article to the store as well
        gold[rec.id] = str(label)
        articles.append((where, rec))
    if not articles:
        raise InputError(str(path), "no labelled records")
    return articles, gold



@dataclass
class ClusteringRun:
    """What one clustering of a labelled file found, and the settings it ran with."""

    tier: str
    params: ClusterParams
    scores: ClusteringScores


def cluster_labelled(articles: list[tuple[str, Article]], gold: dict[str, str], *, tier: str = "fast",
                     threshold: float | None = None, window_days: float | None = 7.0,
                     on_ingest: Callable[[IngestStats], None] | None = None,
                     on_cluster: Callable[[int], None] | None = None) -> ClusteringRun:
    """Ingest the articles into a temporary store, cluster them, and score the stories against `gold`."""
    with tempfile.TemporaryDirectory(prefix="storymatch-eval-") as tmp, Store(Path(tmp), create=True) as store:
        ingest_records(articles, store, tier=tier, report=False, progress=on_ingest)
        tier_name, items = store_items(store)
        params = params_for(tier_name, threshold=threshold, window_days=window_days or None)
        stories = cluster_stream(items, params, progress=on_cluster)
    ids = [it.id for it in items]
    return ClusteringRun(tier_name, params, score_clustering([gold[i] for i in ids], labels_of(stories, ids)))
