"""`storymatch search ID` on a store of 10,000 articles: whole process against the plain MiniLM baseline, and
in-process latency, first and cached, in one run.

    python benchmarks/search.py [--articles 10000] [--runs 3] [--queries 30] [--work /tmp/storymatch-bench-search]

The store holds synthetic rewrites of real news (benchmarks/corpus.py's `synthetic_corpus`: SemEval-2022 and BASIL
articles, each rewrite keeping 70-95% of a base article's sentences, some words swapped, a foreign sentence spliced
into 30%, dates over two months), ingested with the fast tier and clustered once (both timed, not counted in the
search figures: a store answers search after `ingest` and `cluster`, and search clusters a store that never was).

- whole process: `storymatch search ID --store S --json`, a fresh process and an id never searched before each run,
  alternating with the baseline of benchmarks/cold_start.py (load all-MiniLM-L6-v2 with sentence-transformers and
  encode the example pair), so load on a shared machine hits both alike; medians and their ratio;
- in process: `corpus.related.search` over --queries random stored ids on the open store, p50/p95 the first time
  and again; and `search(full=True)` (each hit compared in full: SemEval scores and evidence, sentence embeddings
  of both articles) on --full-queries other ids, first time and again (the comparisons read back from the store).
  A process's first query loads the models and word lists it needs and is not counted; a later query meeting a
  language for the first time is.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from cold_start import BASELINE, EXAMPLES, timed  # noqa: E402
from corpus import synthetic_corpus  # noqa: E402


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q))


def spread(ms: list[float], digits: int | None) -> dict[str, float]:
    """p50 and p95 of latencies in milliseconds."""
    return {"p50": round(pct(ms, 50), digits), "p95": round(pct(ms, 95), digits)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--full-queries", type=int, default=10)
    ap.add_argument("--work", type=Path, default=Path("/tmp/storymatch-bench-search"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "STORYMATCH_ENGLISH_LARGE": "0", "HF_HUB_OFFLINE": "1"}
    corpus = synthetic_corpus(args.work / f"synthetic-{args.articles}.jsonl", args.articles)
    store = args.work / f"store-{args.articles}"
    sm = [sys.executable, "-m", "storymatch"]
    setup = {}
    if not (store / "storymatch.sqlite").exists():
        t = time.perf_counter()
        subprocess.run([*sm, "ingest", str(corpus), "--store", str(store), "--tier", "fast", "--quiet"], env=env,
                       check=True, capture_output=True)
        setup["ingest_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        subprocess.run([*sm, "cluster", "--store", str(store), "--quiet", "--json"], env=env, check=True,
                       capture_output=True)
        setup["cluster_s"] = round(time.perf_counter() - t, 1)
    # Each article's particulars and headline vectors are kept under the analysis code's hash: after a change to that
    # code a kept store makes them again on its next cluster. Made here, timed, not counted: a store answers search
    # after `cluster`.
    from storymatch.corpus.store import Store
    from storymatch.corpus.stories import store_items

    t = time.perf_counter()
    with Store(store) as st:
        store_items(st)
    setup["views_s"] = round(time.perf_counter() - t, 1)
    # ids never searched before in this store (their comparisons are not cached): a run that found them cached
    # would time reading results back, not searching
    from storymatch.corpus.related import COMPARE_KIND

    with Store(store) as st:
        searched = {key.split("\x1f")[0] for key in st.results(COMPARE_KIND)}
    fresh = (f"syn-{i}" for i in np.random.default_rng(5).permutation(args.articles) if f"syn-{i}" not in searched)

    base = [sys.executable, "-c", BASELINE, str(EXAMPLES / "seed-a.txt"), str(EXAMPLES / "seed-b.txt")]
    rows: dict[str, list[tuple[float, float]]] = {"storymatch search": [], "MiniLM (sentence-transformers)": []}
    subprocess.run([*sm, "search", next(fresh), "--store", str(store), "--json"], env=env, check=True,
                   capture_output=True)  # model exports and word caches once: not counted
    for _ in range(args.runs):
        rows["storymatch search"].append(timed([*sm, "search", next(fresh), "--store", str(store), "--json"], env))
        rows["MiniLM (sentence-transformers)"].append(timed(base, env))
    med = {k: (statistics.median(w for w, _ in v), statistics.median(m for _, m in v)) for k, v in rows.items()}

    from storymatch.corpus.related import search

    def timed_searches(ids: list[str], full: bool) -> list[float]:
        out = []
        for q in ids:
            t = time.perf_counter()
            search(st, st.get(q), full=full)
            out.append(1000 * (time.perf_counter() - t))
        return out

    queries = [next(fresh) for _ in range(args.queries)]
    full_queries = [next(fresh) for _ in range(args.full_queries)]
    with Store(store) as st:
        search(st, st.get(queries[0]))  # this process's models and caches: not counted
        first, again = timed_searches(queries[1:], False), timed_searches(queries[1:], False)
        full_first, full_again = timed_searches(full_queries, True), timed_searches(full_queries, True)
    (sw, smem), (bw, bmem) = med["storymatch search"], med["MiniLM (sentence-transformers)"]
    result = {"articles": args.articles, **setup, "runs": args.runs, "search_wall_s": sw, "search_peak_mb": round(smem),
              "baseline_wall_s": bw, "baseline_peak_mb": round(bmem), "wall_ratio": round(sw / bw, 2),
              "first_ms": spread(first, None), "again_ms": spread(again, 1),
              "full_first_ms": spread(full_first, None), "full_again_ms": spread(full_again, 1),
              "queries": len(first), "full_queries": len(full_first), "load_average": round(os.getloadavg()[0], 1)}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"search on a store of {args.articles:,} articles (load average {result['load_average']}); setup {setup}")
    for name, (w, m) in med.items():
        print(f"  {name:<32} {w:6.2f} s  {m:6.0f} MB peak (median of {args.runs})")
    print(f"  storymatch search / baseline: wall x{result['wall_ratio']}")
    for name, key, n in (("search", "", len(first)), ("search --full", "full_", len(full_first))):
        f, a = result[key + "first_ms"], result[key + "again_ms"]
        print(f"  in process, {name}, {n} queries: first p50 {f['p50']} ms, p95 {f['p95']} ms; "
              f"again p50 {a['p50']} ms, p95 {a['p95']} ms")


if __name__ == "__main__":
    main()
