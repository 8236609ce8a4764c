"""How long clustering a store takes, and what one more article costs in streaming mode, with the baseline where
it can run, in one run.

    python benchmarks/cluster_speed.py [--articles 100000] [--baseline-articles 10000] [--work DIR]

The corpus is benchmarks/corpus.py's synthetic rewrites of real news (dates in a 60-day window), ingested with the
fast tier. Printed: the first `cluster(store)` (it makes and keeps each article's particulars and headline
vectors), a second one (they are read back), the mean cost of adding one article to a clusterer that already
holds the whole corpus, and TF-IDF + average linkage on the first --baseline-articles articles against
storymatch's clustering of the same articles (the baseline needs n^2/2 distances: it cannot run at 100,000).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import synthetic_corpus  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--baseline-articles", type=int, default=10_000)
    ap.add_argument("--stream", type=int, default=200, help="articles added one at a time at the end")
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()

    from storymatch.corpus.clusterer import StoryClusterer, cluster_stream, stream_order
    from storymatch.corpus.ingestion import ingest
    from storymatch.corpus.store import Store
    from storymatch.corpus.stories import cluster, store_items
    from storymatch.evaluation.story_clustering import tfidf_average_linkage

    work = args.work or Path(tempfile.mkdtemp(prefix="storymatch-cluster-speed-"))
    corpus = synthetic_corpus(work / f"corpus-{args.articles}.jsonl", args.articles)
    store_dir = work / f"store-{args.articles}"
    shutil.rmtree(store_dir, ignore_errors=True)
    with Store(store_dir, create=True) as store:
        t = time.perf_counter()
        ingest([corpus], store, tier="fast")
        print(f"ingest of {args.articles:,} articles: {time.perf_counter() - t:.0f} s", flush=True)
        t = time.perf_counter()
        stories = cluster(store)
        first = time.perf_counter() - t
        t = time.perf_counter()
        cluster(store)
        second = time.perf_counter() - t
        print(f"cluster(store): first {first:.0f} s ({len(stories):,} stories; particulars and headline vectors "
              f"made and kept), again {second:.0f} s (read back)", flush=True)
        _, items = store_items(store)

    order = stream_order(items)
    head, tail = [items[i] for i in order[: -args.stream]], [items[i] for i in order[-args.stream:]]
    clusterer = StoryClusterer()
    for it in head:
        clusterer.add(it)
    t = time.perf_counter()
    for it in tail:
        clusterer.add(it)
    per = (time.perf_counter() - t) / len(tail) * 1000
    print(f"streaming: one more article costs {per:.1f} ms with {len(head):,} already placed", flush=True)

    sample = items[: args.baseline_articles]
    from storymatch.inputs.readers import read_corpus

    articles = [a for _, a in read_corpus([corpus])][: args.baseline_articles]
    t = time.perf_counter()
    cluster_stream(sample)
    ours = time.perf_counter() - t
    t = time.perf_counter()
    tfidf_average_linkage(articles)
    base = time.perf_counter() - t
    print(f"{len(sample):,} articles: storymatch clustering {ours:.1f} s (particulars made beforehand); "
          f"TF-IDF + average linkage {base:.1f} s; storymatch / baseline x{ours / base:.2f}")


if __name__ == "__main__":
    main()
