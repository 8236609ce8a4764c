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

import numpy as np

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


# The baseline's one setting, a cosine distance: the best mean B-cubed F1 over the three shared clustering sets
# (basil, uci_newsagg_head, googlenews_ts; benchmarks/stories.py prints the grid's choice when each is held out).
BASELINE_THRESHOLD = 0.775


def tfidf_average_linkage(articles: list[Article], threshold: float = BASELINE_THRESHOLD) -> list[int]:
    """The textbook baseline: TF-IDF vectors of the texts, average-linkage agglomerative clustering on cosine
    distance, cut at `threshold`; a label per article."""
    # scipy and scikit-learn are heavy imports: only when the baseline runs
    from scipy.cluster.hierarchy import fcluster

    if len(articles) < 2:
        return [1] * len(articles)
    return [int(x) for x in fcluster(tfidf_dendrogram(articles), t=threshold, criterion="distance")]


def tfidf_dendrogram(articles: list[Article]) -> np.ndarray:
    """The average-linkage dendrogram of the texts' TF-IDF cosine distances (cut it with scipy's fcluster)."""
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform
    from sklearn.feature_extraction.text import TfidfVectorizer

    X = TfidfVectorizer(sublinear_tf=True).fit_transform([a.full_text for a in articles])  # rows of unit length
    distances = 1.0 - (X @ X.T).toarray().astype(np.float32)  # sparse products: no dense vocabulary-wide rows
    np.fill_diagonal(distances, 0.0)
    return linkage(squareform(np.clip(distances, 0.0, 2.0), checks=False), method="average")


@dataclass
class ClusteringRun:
    """What one clustering of a labelled file found, the settings it ran with, and the baseline's scores."""

    tier: str
    params: ClusterParams
    scores: ClusteringScores
    baseline: ClusteringScores | None = None


def cluster_labelled(articles: list[tuple[str, Article]], gold: dict[str, str], *, tier: str = "fast",
                     threshold: float | None = None, window_days: float | None = 7.0,
                     on_ingest: Callable[[IngestStats], None] | None = None,
                     on_cluster: Callable[[int], None] | None = None, baseline: bool = True) -> ClusteringRun:
    """Ingest the articles into a temporary store, cluster them, and score the stories against `gold`; with
    `baseline`, the TF-IDF + average-linkage baseline on the same articles too."""
    with tempfile.TemporaryDirectory(prefix="storymatch-eval-") as tmp, Store(Path(tmp), create=True) as store:
        ingest_records(articles, store, tier=tier, report=False, progress=on_ingest)
        tier_name, items = store_items(store)
        params = params_for(tier_name, threshold=threshold, window_days=window_days or None)
        stories = cluster_stream(items, params, progress=on_cluster)
    ids = [it.id for it in items]
    gold_labels = [gold[i] for i in ids]
    run = ClusteringRun(tier_name, params, score_clustering(gold_labels, labels_of(stories, ids)))
    if baseline:
        by_id = {a.id: a for _, a in articles}
        run.baseline = score_clustering(gold_labels, tfidf_average_linkage([by_id[i] for i in ids]))
    return run
