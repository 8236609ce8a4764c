"""Corpus-wide reuse on Spark against the single-machine path, on the same synthetic corpus in one run.

Corpus: synthetic rewrites of real news texts (benchmarks/corpus.py's generator: each rewrite keeps
70-95% of a base article's sentences, swaps words in some and sometimes splices in a sentence of
another base; 60-day dates), cached under --work.
- single machine: `ingest` into a store without vectors (record -> Article, language, sentence LSH
  keys) and `trace` of every article against its earlier LSH candidates (align per pair), i.e.
  what `storymatch ingest --tier none` then `report` does for reuse;
- Spark: `storymatch.spark.reuse_pairs` on a local[N] master (the same record parsing, LSH keys and
  align, with the banding as a Spark self-join), session start-up timed apart.
Both report the article pairs found to share text; their agreement is printed as a check.

On a 2-core machine shared with other jobs Spark's fixed costs (JVM, Python workers, shuffles)
dominate, so the ratio is below 1 here; the point of the Spark path is horizontal scale: the
same job on a cluster's executors, for corpora one machine cannot hold or finish.

Usage: python benchmarks/spark.py [--articles 1000] [--master local[2]] [--work /tmp/storymatch-bench-spark] [--json]

`--stories` measures `spark stories` instead, against one machine's `ingest` + `cluster` on the same corpus in the
same run: the time of each stage on both sides, and how far the two agree (B-cubed F1 between their stories, the share
of articles given the same story id). `--articles` takes several sizes (e.g. `--articles 10000 100000`).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

NOTE = ("2-core shared machine: Spark's fixed overhead (JVM, Python workers, shuffles) dominates at this size; "
        "the Spark path is for horizontal scale (more executors), not for speed on one small machine.")


def _corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def single_machine(corpus: Path, work: Path) -> dict:
    """ingest (no vectors) + trace of every article: the store's reuse path."""
    from storymatch.corpus.ingestion import ingest
    from storymatch.corpus.provenance import trace
    from storymatch.corpus.store import Store

    folder = work / "store"
    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    pairs = set()
    with Store(folder, create=True) as s:
        stats = ingest([corpus], s, tier="none", batch_size=512)
        t_ingest = time.perf_counter() - t0
        for st in s.iter_articles():
            for sent in trace(s, st, cache=False).sentences:
                pairs.update(frozenset((st.article.id, m.id)) for m in sent.sources)
        n = s.count()
    seconds = time.perf_counter() - t0
    return {"articles": n, "bad": stats.bad, "seconds": round(seconds, 2), "ingest_seconds": round(t_ingest, 2),
            "articles_per_second": round(n / seconds, 2), "reuse_pairs": len(pairs), "_pairs": pairs}


def on_spark(corpus: Path, work: Path, master: str, partitions: int | None) -> dict:
    from storymatch.spark import read_output, reuse_pairs, session

    out = work / "spark-out"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    spark = session(master, shuffle_partitions=partitions or 4)
    spark.sparkContext.setLogLevel("ERROR")
    startup = time.perf_counter() - t0
    try:
        run = reuse_pairs(spark, corpus, out, partitions=partitions)
    finally:
        spark.stop()
    pairs = {frozenset((r["a_id"], r["b_id"])) for r in read_output(out / "pairs")}
    return {"master": master, "articles": run.articles, "bad": run.bad, "seconds": run.seconds,
            "session_startup_seconds": round(startup, 2), "articles_per_second": round(run.rate, 2),
            "candidate_pairs": run.candidate_pairs, "reuse_pairs": run.reuse_pairs, "passages": run.passages,
            "_pairs": pairs}


def stories_one_machine(corpus: Path, work: Path) -> dict:
    """`storymatch ingest` (fast tier) then `storymatch cluster`, each stage timed; article id -> story id."""
    from storymatch.corpus.clusterer import run_stream
    from storymatch.corpus.ingestion import ingest
    from storymatch.corpus.store import Store
    from storymatch.corpus.stories import store_items

    folder = work / f"store-{corpus.stem}"
    shutil.rmtree(folder, ignore_errors=True)
    stages = {}
    t0 = time.perf_counter()
    with Store(folder, create=True) as s:
        ingest([corpus], s, tier="fast")
        stages["ingest"] = round(time.perf_counter() - t0, 2)
        t = time.perf_counter()
        _, items = store_items(s)  # particulars and headline vectors, made once and kept
        stages["views"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        clusterer = run_stream(items)
        stages["clustering (candidates, verification, decision)"] = round(time.perf_counter() - t, 2)
    seconds = time.perf_counter() - t0
    stories = clusterer.stories()
    return {"articles": len(items), "seconds": round(seconds, 2), "stages": stages, "stories": len(stories),
            "_stories": {a: st.id for st in stories for a in st.articles}}


def stories_on_spark(corpus: Path, work: Path, master: str, partitions: int | None) -> dict:
    from storymatch.spark import read_output, session, stories

    out = work / f"spark-stories-{corpus.stem}"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    spark = session(master, shuffle_partitions=partitions or 8)
    spark.sparkContext.setLogLevel("ERROR")
    startup = time.perf_counter() - t0
    try:
        run = stories(spark, corpus, out, partitions=partitions)
    finally:
        spark.stop()
    found = {r["id"]: r["story"] for r in read_output(out / "articles")}
    return {"master": master, "articles": run.articles, "seconds": run.seconds,
            "session_startup_seconds": round(startup, 2), "stages": run.stages, "stories": run.stories,
            "candidate_pairs": run.candidate_pairs, "links": run.links, "components": run.components,
            "largest_component": run.largest_component, "reuse_edges": run.reuse_edges, "_stories": found}


def stories_main(args) -> None:
    from storymatch.evaluation.clustering_scores import bcubed

    results = []
    for n in args.articles:
        corpus = _corpus_module().synthetic_corpus(args.work / f"synthetic-{n}.jsonl", n)
        local = stories_one_machine(corpus, args.work)
        spark = stories_on_spark(corpus, args.work, args.master, args.partitions)
        a, b = local.pop("_stories"), spark.pop("_stories")
        ids = sorted(a)
        f1 = bcubed([a[i] for i in ids], [b.get(i, "missing") for i in ids])[2]
        same = sum(a[i] == b.get(i) for i in ids) / max(len(ids), 1)
        result = {"articles": n, "single_machine": local, "spark": spark,
                  "spark_over_single_seconds": round(spark["seconds"] / local["seconds"], 3),
                  "agreement": {"bcubed_f1": round(f1, 4), "same_story_id": round(same, 4)}}
        results.append(result)
        if not args.json:
            print(f"{n:,} synthetic rewrites: one machine {local['seconds']:.0f} s {local['stages']}, "
                  f"{local['stories']:,} stories")
            print(f"  spark {args.master}: {spark['seconds']:.0f} s (+{spark['session_startup_seconds']:.0f} s session "
                  f"start) {spark['stages']}, {spark['stories']:,} stories, {spark['candidate_pairs']:,} candidate "
                  f"pairs, {spark['links']:,} links, {spark['components']:,} components (largest "
                  f"{spark['largest_component']:,})")
            print(f"  agreement: B-cubed F1 {f1:.4f} between the two, same story id for {same:.2%} of articles; "
                  f"spark / one machine time x{result['spark_over_single_seconds']:.2f}", flush=True)
    if args.json:
        print(json.dumps(results, indent=2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, nargs="+", default=[1000])
    ap.add_argument("--stories", action="store_true", help="spark stories against ingest + cluster")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=None)
    ap.add_argument("--work", type=Path, default=Path("/tmp/storymatch-bench-spark"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.stories:
        stories_main(args)
        return
    args.articles = args.articles[0]
    corpus = _corpus_module().synthetic_corpus(args.work / f"synthetic-{args.articles}.jsonl", args.articles)

    local = single_machine(corpus, args.work)
    spark = on_spark(corpus, args.work, args.master, args.partitions)
    a, b = local.pop("_pairs"), spark.pop("_pairs")
    result = {
        "corpus": str(corpus), "articles": args.articles, "single_machine": local, "spark": spark,
        "spark_over_single_rate": round(spark["articles_per_second"] / local["articles_per_second"], 3),
        "pairs_agreement": {"both": len(a & b), "single_only": len(a - b), "spark_only": len(b - a),
                            "jaccard": round(len(a & b) / max(len(a | b), 1), 4)},
        "note": NOTE,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"corpus: {args.articles} synthetic rewrites ({corpus})")
    print(f"single machine (ingest --tier none + trace all): {local['seconds']:.1f} s, "
          f"{local['articles_per_second']:.1f} art/s, {local['reuse_pairs']} reuse pairs")
    print(f"spark {spark['master']} reuse_pairs: {spark['seconds']:.1f} s (+{spark['session_startup_seconds']:.1f} s "
          f"session start), {spark['articles_per_second']:.1f} art/s, {spark['candidate_pairs']} candidates, "
          f"{spark['reuse_pairs']} reuse pairs, {spark['passages']} passages")
    print(f"spark / single-machine rate: {result['spark_over_single_rate']:.3f}")
    ag = result["pairs_agreement"]
    print(f"pairs found by both: {ag['both']}, single only: {ag['single_only']}, spark only: {ag['spark_only']} "
          f"(Jaccard {ag['jaccard']:.3f})")
    print(f"note: {NOTE}")


if __name__ == "__main__":
    main()
