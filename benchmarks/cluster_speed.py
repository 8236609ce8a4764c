"""How long clustering a store takes, and what one more article costs in streaming mode, with the baseline where
it can run, in one run.

    python benchmarks/cluster_speed.py [--articles 100000] [--baseline-articles 10000] [--work DIR]
    python benchmarks/cluster_speed.py --articles 20000 --against 499d9c8   # the same run with older code beside

The corpus is benchmarks/corpus.py's synthetic rewrites of real news (dates in a 60-day window), ingested with the
fast tier. Printed: the articles as the clusterer sees them, made and kept in the store the first time (particulars
and headline vectors: the bulk of a first `cluster(store)`) and read back the second; the clustering itself, in date
order; the mean cost of adding one more article to a clusterer that holds the rest; and TF-IDF + average linkage on
the first --baseline-articles articles against storymatch's clustering of the same articles (the baseline needs
n^2/2 distances: it cannot run at 100,000). `--reuse-store` keeps a store an earlier run of the same size ingested.
`--against REV` first runs this same script with the code of a git revision (a worktree checked out under --work), on
the same corpus, so the two clusterers are timed in one run on one machine.
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
    ap.add_argument("--reuse-store", action="store_true", help="keep a store an earlier run of this size ingested")
    ap.add_argument("--against", help="a git revision whose code runs the same measurement first, in this run")
    args = ap.parse_args()
    if args.against:
        against(args)

    from storymatch.corpus.clusterer import StoryClusterer, cluster_stream, stream_order
    from storymatch.corpus.ingestion import ingest
    from storymatch.corpus.store import Store
    from storymatch.corpus.stories import store_items
    from storymatch.evaluation.story_clustering import tfidf_average_linkage

    work = args.work or Path(tempfile.mkdtemp(prefix="storymatch-cluster-speed-"))
    corpus = synthetic_corpus(work / f"corpus-{args.articles}.jsonl", args.articles)
    store_dir = work / f"store-{args.articles}"
    if not (args.reuse_store and (store_dir / "storymatch.sqlite").exists()):
        shutil.rmtree(store_dir, ignore_errors=True)
        with Store(store_dir, create=True) as store:
            t = time.perf_counter()
            ingest([corpus], store, tier="fast")
            print(f"ingest of {args.articles:,} articles: {time.perf_counter() - t:.0f} s", flush=True)
    with Store(store_dir) as store:
        t = time.perf_counter()
        _, items = store_items(store)  # what cluster(store) reads: particulars and headline vectors made, kept
        made = time.perf_counter() - t
        t = time.perf_counter()
        _, items = store_items(store)
        read = time.perf_counter() - t
    print(f"the articles as the clusterer sees them: made and kept {made:.0f} s, read back {read:.0f} s", flush=True)

    order = stream_order(items)
    head, tail = [items[i] for i in order[: -args.stream]], [items[i] for i in order[-args.stream:]]
    clusterer = StoryClusterer()
    t = time.perf_counter()
    for it in head:
        clusterer.add(it)
    placed = time.perf_counter() - t
    found = len(clusterer)
    t = time.perf_counter()
    for it in tail:
        clusterer.add(it)
    per = (time.perf_counter() - t) / len(tail) * 1000
    print(f"clustering {len(head):,} articles in date order: {placed:.0f} s ({found:,} stories); "
          f"streaming: one more article costs {per:.1f} ms with {len(head):,} already placed", flush=True)

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


def against(args) -> None:
    """Run this measurement with the code of another revision (its own src and this script's copy there)."""
    import os
    import subprocess

    work = args.work or Path(tempfile.mkdtemp(prefix="storymatch-cluster-speed-"))
    args.work = work
    tree = work / f"rev-{args.against}"
    if not tree.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.against], check=True)
    print(f"== {args.against} (same corpus, same run)", flush=True)
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    subprocess.run([sys.executable, str(tree / "benchmarks" / "cluster_speed.py"), "--articles", str(args.articles),
                    "--baseline-articles", str(args.baseline_articles), "--stream", str(args.stream),
                    "--work", str(work / "against")], env=env, check=True)
    print("== this tree", flush=True)


if __name__ == "__main__":
    main()
