"""Corpus-scale figures: ingest rate per tier, query latency at 10k and 100k articles, store size,
peak memory, and the numpy MinHash side by side against datasketch on the same documents.

Articles: real ones (../shared/semeval22 texts and ../shared/clustering/basil.jsonl; the fixture corpus
when those are absent) for ingest rates per tier, and synthetic rewrites of them for scale: each rewrite
keeps 70-95% of a base article's sentences, swaps a word in some, and sometimes splices in a sentence
from another base (reuse), with a date in a 60-day window. Every ingest and query run is a separate
process, so its peak RSS is its own. Generated corpora and stores are cached under --work.

Also: `report` time on a store of --report-articles synthetic articles, from scratch and with the
alignments cached.

Usage: python benchmarks/corpus.py [--scales 10000 100000] [--tiers none fast lead hybrid quality]
                                   [--queries 50] [--report-articles 2000] [--work /tmp/storymatch-bench-corpus]
                                   [--json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "src"))

from storymatch.text.spans import sentences  # noqa: E402


def base_articles() -> list[dict]:
    """Real news texts to ingest and to rewrite: SemEval-2022 pair texts and BASIL articles."""
    out, seen = [], set()
    sem, basil = SHARED / "semeval22" / "train.jsonl", SHARED / "clustering" / "basil.jsonl"
    if sem.exists():
        for line in sem.open(encoding="utf-8"):
            r = json.loads(line)
            for k in ("1", "2"):
                text = (r.get("text" + k) or "").strip()
                if len(text) > 300 and text[:200] not in seen:
                    seen.add(text[:200])
                    out.append({"text": text, "title": r.get("title" + k), "lang": r.get("lang" + k)})
    if basil.exists():
        for line in basil.open(encoding="utf-8"):
            r = json.loads(line)
            out.append({"text": r["text"], "title": r.get("title"), "lang": "en"})
    if not out:
        for f in (ROOT / "tests" / "fixtures" / "corpus").glob("*.json"):
            r = json.loads(f.read_text(encoding="utf-8"))
            out.append({"text": r["text"], "title": r.get("title"), "lang": "en"})
    return out


def synthetic_corpus(path: Path, n: int, seed: int = 7) -> Path:
    """n rewrites of the base articles, as JSONL (cached: rebuilt only when absent)."""
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    bases = base_articles()
    split = [[s.text for s in sentences(b["text"])][:25] for b in bases]
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for i in range(n):
            k = int(rng.integers(len(bases)))
            keep = rng.random(len(split[k])) < rng.uniform(0.7, 0.95)
            sents = [s for s, m in zip(split[k], keep) if m] or split[k][:1]
            for j in range(len(sents)):
                if rng.random() < 0.2:
                    w = sents[j].split()
                    if len(w) > 4:
                        w[int(rng.integers(len(w)))] = w[int(rng.integers(len(w)))]
                        sents[j] = " ".join(w)
            if rng.random() < 0.3:
                other = split[int(rng.integers(len(split)))]
                sents.insert(int(rng.integers(len(sents) + 1)), other[int(rng.integers(len(other)))])
            date = datetime.date(2021, 1, 1) + datetime.timedelta(days=int(rng.integers(60)))
            fh.write(json.dumps({"id": f"syn-{i}", "title": bases[k]["title"], "lang": bases[k]["lang"],
                                 "date": date.isoformat(),
                                 "source": f"outlet-{int(rng.integers(200))}", "text": "\n\n".join(sents)},
                                ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def real_corpus(path: Path, n: int) -> Path:
    bases = base_articles()[:n]
    with path.open("w", encoding="utf-8") as fh:
        for i, b in enumerate(bases):
            fh.write(json.dumps({"id": f"real-{i}", **b}, ensure_ascii=False) + "\n")
    return path


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.array(xs), q)) if xs else float("nan")


# -- child processes: each reports its own peak RSS ---------------------------------------------

def child_ingest(src: str, store: str, tier: str) -> dict:
    from storymatch.corpus.ingestion import ingest
    from storymatch.corpus.store import Store

    with Store(store, create=True) as s:
        stats = ingest([src], s, tier=tier, batch_size=512)
        n = s.count()
        s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"articles": n, "seconds": stats.seconds, "rate": stats.read / stats.seconds, "bad": stats.bad,
            "bytes_per_article": folder_bytes(Path(store)) / max(n, 1)}


def child_query(store: str, n_queries: int, trace_queries: int) -> dict:
    from storymatch.corpus.candidates import find_candidates
    from storymatch.corpus.provenance import trace
    from storymatch.corpus.store import Store
    from storymatch.corpus.vector_index import VectorIndex

    out: dict = {}
    with Store(store) as s:
        rng = np.random.default_rng(1)
        seqs = [int(x) for x in rng.choice(np.arange(1, s.count() + 1), size=n_queries + trace_queries, replace=False)]
        tier = s.get_meta("tier")
        t0 = time.perf_counter()
        exact, ann = VectorIndex(s, tier, usearch_min=10**12), VectorIndex(s, tier, usearch_min=0)
        exact.matrix()
        t1 = time.perf_counter()
        ann.ann()
        out["load_exact_s"], out["load_usearch_s"] = t1 - t0, time.perf_counter() - t1
        lat: dict[str, list[float]] = {"vector_exact": [], "vector_usearch": [], "candidates": [], "trace": []}
        recall = []
        for seq in seqs[:n_queries]:
            v = s.vector_of(tier, seq)
            t = time.perf_counter()
            e = exact.search(v, 20)
            lat["vector_exact"].append(time.perf_counter() - t)
            t = time.perf_counter()
            a = ann.search(v, 20)
            lat["vector_usearch"].append(time.perf_counter() - t)
            recall.append(len({x for x, _ in e} & {x for x, _ in a}) / max(len(e), 1))
            q = s.get(seq)
            t = time.perf_counter()
            cands = find_candidates(s, q)
            lat["candidates"].append(time.perf_counter() - t)
            out.setdefault("candidates_per_query", []).append(len(cands))
        for seq in seqs[n_queries:]:
            q = s.get(seq)
            t = time.perf_counter()
            trace(s, q, cache=False)
            lat["trace"].append(time.perf_counter() - t)
    for k, xs in lat.items():
        out[k] = {"p50_ms": round(1000 * pct(xs, 50), 2), "p95_ms": round(1000 * pct(xs, 95), 2), "n": len(xs)}
    out["usearch_recall_at_20"] = round(float(np.mean(recall)), 4)
    out["candidates_per_query"] = round(float(np.mean(out["candidates_per_query"])), 1)
    return out


def child_report(store: str) -> dict:
    """The corpus-wide reuse report: once from scratch, once again with the alignments cached."""
    from storymatch.corpus.reuse_report import report
    from storymatch.corpus.store import Store

    with Store(store) as s:
        s.db.execute("DELETE FROM results")
        t = time.perf_counter()
        rep = report(s)
        fresh = time.perf_counter() - t
        t = time.perf_counter()
        report(s)
        cached = time.perf_counter() - t
        return {"articles": rep.articles, "edges": len(rep.edges), "stories": len(rep.stories),
                "seconds": round(fresh, 1), "articles_per_s": round(rep.articles / fresh, 1),
                "cached_seconds": round(cached, 1)}


def child_minhash(src: str, n_docs: int) -> dict:
    """The same documents, the same word 3-gram shingles: numpy MinHasher vs datasketch, time and error."""
    from datasketch import MinHash

    from storymatch.features.minhash import MinHasher, jaccard_estimate, shingle_hashes
    from storymatch.text.spans import word_list

    docs = []
    with open(src, encoding="utf-8") as fh:
        for line in fh:
            docs.append(json.loads(line)["text"])
            if len(docs) == n_docs:
                break
    tokens = [word_list(d) for d in docs]
    res: dict = {"documents": len(docs), "num_perm": 128}

    # Both start from the same word lists and end with one 128-value signature per document.
    def ds_shingles(w: list[str]) -> list[bytes]:
        return list({" ".join(w[i:i + 3]).encode("utf-8") for i in range(max(len(w) - 2, 1))})

    t = time.perf_counter()
    ds = []
    for w in tokens:
        m = MinHash(num_perm=128, seed=1)
        m.update_batch(ds_shingles(w))
        ds.append(m)
    res["datasketch_docs_per_s"] = round(len(docs) / (time.perf_counter() - t), 1)
    t = time.perf_counter()
    MinHash.bulk([ds_shingles(w) for w in tokens], num_perm=128, seed=1)
    res["datasketch_bulk_docs_per_s"] = round(len(docs) / (time.perf_counter() - t), 1)

    t = time.perf_counter()
    h = MinHasher(num_perm=128)
    sigs = h.signatures([np.unique(shingle_hashes(w, 3)) for w in tokens])
    res["numpy_docs_per_s"] = round(len(docs) / (time.perf_counter() - t), 1)
    best_ds = max(res["datasketch_docs_per_s"], res["datasketch_bulk_docs_per_s"])
    res["speedup"] = round(res["numpy_docs_per_s"] / best_ds, 2)
    shingles_str = [set(ds_shingles(w)) for w in tokens]
    res["shingles_per_doc"] = round(float(np.mean([len(x) for x in shingles_str])), 1)

    # Estimation error on pairs that really overlap (rewrites of one base share many shingles).
    rng = np.random.default_rng(0)
    err_np, err_ds = [], []
    hashed = [set(np.unique(shingle_hashes(w, 3)).tolist()) for w in tokens]
    pairs = [(i, j) for i in range(len(docs)) for j in range(i + 1, min(i + 200, len(docs)))]
    rng.shuffle(pairs)
    checked = 0
    for i, j in pairs:
        true_s = len(shingles_str[i] & shingles_str[j]) / len(shingles_str[i] | shingles_str[j])
        if true_s < 0.1:
            continue
        true_h = len(hashed[i] & hashed[j]) / len(hashed[i] | hashed[j])
        err_np.append(abs(jaccard_estimate(sigs[i], sigs[j]) - true_h))
        err_ds.append(abs(ds[i].jaccard(ds[j]) - true_s))
        checked += 1
        if checked == 500:
            break
    res["pairs_checked"] = checked
    res["numpy_mean_abs_error"] = round(float(np.mean(err_np)), 4) if err_np else None
    res["datasketch_mean_abs_error"] = round(float(np.mean(err_ds)), 4) if err_ds else None
    return res


def run_child(*args: str) -> dict:
    r = subprocess.run([sys.executable, __file__, "_child", *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def child_main(argv: list[str]) -> None:
    kind, *rest = argv
    if kind == "ingest":
        out = child_ingest(*rest)
    elif kind == "query":
        out = child_query(rest[0], int(rest[1]), int(rest[2]))
    elif kind == "report":
        out = child_report(rest[0])
    else:
        out = child_minhash(rest[0], int(rest[1]))
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--tiers", nargs="*", default=["none", "fast", "lead", "hybrid", "quality"])
    ap.add_argument("--tier-articles", type=int, default=300, help="real articles ingested per tier")
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--traces", type=int, default=20)
    ap.add_argument("--minhash-docs", type=int, default=2000)
    ap.add_argument("--report-articles", type=int, default=2000, help="store size for timing `report` (0: skip)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/storymatch-bench-corpus"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict = {"tiers": {}, "scales": {}}

    real = real_corpus(args.work / "real.jsonl", args.tier_articles)
    for tier in args.tiers:
        store = args.work / f"tier-{tier}"
        shutil.rmtree(store, ignore_errors=True)
        results["tiers"][tier] = run_child("ingest", str(real), str(store), tier)
        print(f"tier {tier}: {results['tiers'][tier]}", file=sys.stderr)

    biggest = max(args.scales) if args.scales else 0
    syn = synthetic_corpus(args.work / f"synthetic-{biggest}.jsonl", biggest) if biggest else None
    for n in args.scales:
        src = syn if n == biggest else args.work / f"synthetic-{n}.jsonl"
        if n != biggest and not src.exists():
            with open(syn, encoding="utf-8") as fi, open(src, "w", encoding="utf-8") as fo:
                for i, line in enumerate(fi):
                    if i == n:
                        break
                    fo.write(line)
        store = args.work / f"store-{n}"
        if not (store / "storymatch.sqlite").exists():
            ing = run_child("ingest", str(src), str(store), "fast")
            (args.work / f"ingest-{n}.json").write_text(json.dumps(ing))
        ing = json.loads((args.work / f"ingest-{n}.json").read_text())
        q = run_child("query", str(store), str(args.queries), str(args.traces))
        results["scales"][n] = {"ingest": ing, "query": q}
        print(f"scale {n}: {results['scales'][n]}", file=sys.stderr)

    if syn is not None and args.report_articles:
        src = args.work / f"synthetic-report-{args.report_articles}.jsonl"
        with open(syn, encoding="utf-8") as fi, open(src, "w", encoding="utf-8") as fo:
            for i, line in enumerate(fi):
                if i == args.report_articles:
                    break
                fo.write(line)
        store = args.work / f"report-{args.report_articles}"
        shutil.rmtree(store, ignore_errors=True)
        run_child("ingest", str(src), str(store), "fast")
        results["report"] = run_child("report", str(store))
        print(f"report: {results['report']}", file=sys.stderr)

    if syn is not None:
        results["minhash"] = run_child("minhash", str(syn), str(args.minhash_docs))
        print(f"minhash: {results['minhash']}", file=sys.stderr)

    if args.json:
        print(json.dumps(results, indent=2))
        return
    print("| tier | ingest articles/s | bytes/article | peak RSS MB |\n|---|---|---|---|")
    for tier, r in results["tiers"].items():
        print(f"| {tier} | {r['rate']:.1f} | {r['bytes_per_article']:.0f} | {r['peak_rss_mb']} |")
    print("\n| articles | ingest/s (fast) | bytes/article | ingest peak MB | candidates p50/p95 ms | trace p50/p95 ms "
          "| vector exact p50/p95 ms | usearch p50/p95 ms | usearch recall@20 | query peak MB |\n|" + "---|" * 10)
    for n, r in results["scales"].items():
        i, q = r["ingest"], r["query"]
        print(f"| {n} | {i['rate']:.0f} | {i['bytes_per_article']:.0f} | {i['peak_rss_mb']} "
              f"| {q['candidates']['p50_ms']}/{q['candidates']['p95_ms']} "
              f"| {q['trace']['p50_ms']}/{q['trace']['p95_ms']} "
              f"| {q['vector_exact']['p50_ms']}/{q['vector_exact']['p95_ms']} "
              f"| {q['vector_usearch']['p50_ms']}/{q['vector_usearch']['p95_ms']} | {q['usearch_recall_at_20']} "
              f"| {q['peak_rss_mb']} |")
    if "report" in results:
        r = results["report"]
        print(f"\nreport on {r['articles']} articles: {r['seconds']} s ({r['articles_per_s']} articles/s), "
              f"{r['cached_seconds']} s again with alignments cached; {r['edges']} edges")
    if "minhash" in results:
        m = results["minhash"]
        print(f"\nMinHash ({m['documents']} docs, {m['num_perm']} perms, word 3-grams): "
              f"numpy {m['numpy_docs_per_s']} docs/s, "
              f"datasketch {m['datasketch_docs_per_s']} docs/s (bulk {m['datasketch_bulk_docs_per_s']}), "
              f"{m['speedup']}x the faster; mean |error| on {m['pairs_checked']} "
              f"overlapping pairs: numpy {m['numpy_mean_abs_error']}, datasketch {m['datasketch_mean_abs_error']}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        child_main(sys.argv[2:])
    else:
        main()
