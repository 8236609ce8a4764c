"""Speed of `compare`: cold start, warm per-pair latency (p50/p95) and time per stage, and what
the optional large English model (storymatch[english-large]) adds, measured pair by pair in the same run.

    python benchmarks/compare.py [--pairs 60] [--lang en-en]

Pairs are real-length news pairs: SemEval-2022 training pairs from ../shared/ when present,
else the project's own fixtures. Cold start runs in a fresh subprocess (imports + model loads +
the first pair), so it is what a user waits for on `storymatch compare`.
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

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "semeval22" / "train.jsonl"


def load_pairs(n: int, langs: str):
    from storymatch.inputs.article import Article

    pairs = []
    if SHARED.exists():
        for line in SHARED.open(encoding="utf-8"):
            r = json.loads(line)
            if f"{r['lang1']}-{r['lang2']}" != langs or not r["text1"] or not r["text2"]:
                continue
            if not r.get("text_form", "full").startswith("full"):
                continue  # whole articles, not the head+tail cuts: latency at news length
            pairs.append((Article(r["text1"], title=r["title1"]), Article(r["text2"], title=r["title2"])))
            if len(pairs) >= n:
                break
    if not pairs:
        files = (sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.txt"))
                 + sorted((ROOT / "examples").glob("*.txt")))
        texts = [f.read_text(encoding="utf-8") for f in files]
        pairs = [(Article(texts[i % len(texts)]), Article(texts[(i + 1) % len(texts)])) for i in range(n)]
    return pairs


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=60)
    ap.add_argument("--lang", default="en-en")
    args = ap.parse_args()

    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "storymatch", "compare", str(ROOT / "examples/seed-a.txt"),
                    str(ROOT / "examples/seed-b.txt"), "--json"], check=True, capture_output=True)
    cold = time.perf_counter() - t0

    from storymatch.comparison.analysis_cache import recent
    from storymatch.comparison.pipeline import compare
    from storymatch.config import reset_settings
    from storymatch.inputs.article import Article
    from storymatch.scoring.rules import RuleScorer
    from storymatch.scoring.shipped import default_scorer

    pairs = load_pairs(args.pairs, args.lang)
    compare(*pairs[0])  # load models in this process (the large English model loads on its first use below)
    from storymatch.embedding import mpnet

    large = mpnet.installed()
    latencies, stages, with_large = [], {}, []
    for a, b in pairs:
        # interleaved: each pair without, then with the large English model, so load drifts hit both alike
        os.environ["STORYMATCH_ENGLISH_LARGE"] = "0"
        reset_settings()
        a.language = b.language = None
        recent.clear()  # a pair never seen: compare keeps the analyses of the articles it compared lately
        t = time.perf_counter()
        c = compare(a, b)
        latencies.append(time.perf_counter() - t)
        for k, v in c.timings.items():
            stages.setdefault(k, []).append(v)
        if large:
            os.environ["STORYMATCH_ENGLISH_LARGE"] = "1"
            reset_settings()
            a.language = b.language = None
            recent.clear()
            t = time.perf_counter()
            compare(a, b)
            with_large.append(time.perf_counter() - t)
    os.environ.pop("STORYMATCH_ENGLISH_LARGE", None)
    reset_settings()

    # One article against several others, as an editor checks a suspected copy against its candidate sources: the
    # first article's analysis is kept (comparison/analysis_cache.py), against each pair analysed afresh.
    # Copies without a language, so each is analysed as it would be the first time (compare sets the language).
    def fresh(art):
        return Article(art.text, title=art.title)

    one, warm_up, others = pairs[0][0], pairs[0][1], [b for _, b in pairs[1:11]]
    against_fresh, against_kept = [], []
    for b in others:
        recent.clear()
        t = time.perf_counter()
        compare(fresh(one), fresh(b))
        against_fresh.append(time.perf_counter() - t)
    recent.clear()
    compare(fresh(one), fresh(warm_up))  # `one` analysed and kept; each of the others new
    for b in others:
        t = time.perf_counter()
        compare(fresh(one), fresh(b))
        against_kept.append(time.perf_counter() - t)

    # What the scorer adds on its own, against the rule scorer on the same features.
    feats = [compare(a, b).features for a, b in pairs[:20]]
    scorer_ms = {}
    for name, scorer in [("rules", RuleScorer()), (default_scorer().name, default_scorer())]:
        t = time.perf_counter()
        for _ in range(5):
            for f in feats:
                scorer.score(f)
        scorer_ms[name] = (time.perf_counter() - t) / (5 * len(feats)) * 1000

    print(f"pairs: {len(pairs)} ({args.lang if SHARED.exists() else 'fixtures'}), "
          f"mean chars per article: {statistics.mean(len(a.text) + len(b.text) for a, b in pairs) / 2:.0f}")
    print(f"cold start (fresh process, example pair): {cold:.2f} s")
    print(f"warm latency per pair: p50 {pct(latencies, .5) * 1000:.0f} ms, p95 {pct(latencies, .95) * 1000:.0f} ms")
    print(f"one article against {len(others)} others: p50 {pct(against_kept, .5) * 1000:.0f} ms a pair with its "
          f"analysis kept, {pct(against_fresh, .5) * 1000:.0f} ms analysed afresh each time "
          f"(×{statistics.mean(against_kept) / statistics.mean(against_fresh):.2f})")
    if with_large:
        print(f"with the large English model: p50 {pct(with_large, .5) * 1000:.0f} ms, "
              f"p95 {pct(with_large, .95) * 1000:.0f} ms "
              f"(×{statistics.mean(with_large) / statistics.mean(latencies):.2f} the mean without it, "
              f"same pairs, same run)")
    else:
        print("large English model not installed (pip install 'storymatch[english-large]'): not measured")
    print("time per stage (mean ms):")
    means = {k: statistics.mean(v) * 1000 for k, v in stages.items()}
    for k, v in sorted(means.items(), key=lambda kv: -kv[1]):
        print(f"  {k:<14} {v:8.1f}")
    print(f"slowest stage: {max(means, key=means.get)}")
    for name, ms in scorer_ms.items():
        print(f"scorer {name!r}: {ms:.3f} ms per pair")
    learned = next((ms for name, ms in scorer_ms.items() if name != "rules"), None)
    if learned is not None:
        added = learned - scorer_ms["rules"]
        print(f"learned scorer adds {added:.2f} ms per pair over the rule scorer "
              f"({added / statistics.mean(latencies) / 10:.2f}% of a warm compare; target < 5 ms): "
              f"{'OK' if added < 5 else 'OVER TARGET'}")


if __name__ == "__main__":
    main()
