"""What int8 weights cost the packaged English models: SemEval Pearson and same-story AUC, float vs int8, one run.

    python benchmarks/quantization.py [--pairs N] [--english-large]

Both variants of MiniLM (and, with --english-large, of all-mpnet-base-v2) run through ONNX Runtime on the same
English SemEval pairs (../shared/semeval22/train.jsonl, en-en), with the shipped scorer; each variant gets its own
embedding cache, so nothing computed by one is read by the other. Printed per variant: Overall Pearson with its 95%
bootstrap interval, same-story ROC-AUC, the MiniLM whole-article cosine baseline, and encode time per article.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "semeval22" / "train.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=336, help="English pairs to score (336 are en-en)")
    ap.add_argument("--english-large", action="store_true", help="also the large English model's headline cosine")
    args = ap.parse_args()
    if not SHARED.exists():
        sys.exit(f"{SHARED}: the SemEval training pairs are needed (../shared)")
    os.environ["STORYMATCH_ENGLISH_LARGE"] = "1" if args.english_large else "0"

    from storymatch.config import reset_settings
    from storymatch.embedding import cache, registry
    from storymatch.evaluation.baselines import embedding_cosine
    from storymatch.evaluation.crossval import article_groups
    from storymatch.evaluation.metrics import pearson, pearson_interval, same_story_metrics
    from storymatch.evaluation.pair_data import pair_feature_rows
    from storymatch.evaluation.semeval import read_pairs
    from storymatch.scoring.shipped import default_scorer

    reset_settings()
    pairs = [p for p in read_pairs(SHARED) if p.language_pair == "en-en"][: args.pairs]
    gold = np.array([p.gold["overall"] for p in pairs])
    same = gold <= 2.0
    groups = article_groups(pairs)
    scorer = default_scorer()
    print(f"{len(pairs)} en-en pairs; large English model: {'on' if args.english_large else 'off'}")
    print(f"{'variant':<8} {'Overall r':>9} {'95% interval':>14} {'AUC':>6} {'MiniLM cos r':>12} {'ms/article':>10}")
    for variant, quantize in (("float32", False), ("int8", True)):
        registry.QUANTIZE = quantize
        registry._load.cache_clear()
        cache._cached.clear()
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            rows = pair_feature_rows(pairs, cache_dir=tmp)
            per_article = (time.perf_counter() - t0) / (2 * len(pairs)) * 1000
            results = [scorer.score(r) for r in rows]
            overall = np.array([r.scores["overall"] for r in results])
            prob = [r.probability for r in results]
            cosine = embedding_cosine(pairs, registry.get_embedder("minilm"))
        r = pearson(overall, gold)
        lo, hi = pearson_interval(overall, gold, groups) or (float("nan"), float("nan"))
        auc = same_story_metrics(prob, same)["roc_auc"]
        base = -(pearson(cosine, gold) or 0.0)
        print(f"{variant:<8} {r:>9.4f} {f'{lo:.3f}-{hi:.3f}':>14} {auc:>6.3f} {base:>12.4f} {per_article:>10.1f}")


if __name__ == "__main__":
    main()
