"""Embedding tiers for the same-story task: quality and speed of every candidate, in one run.

    python benchmarks/tiers.py [--only fast,quality] [--json OUT.json]

Quality, on ../shared data:
- SemEval-2022 Task 8 en-en training pairs (336): Pearson of the pair's cosine with the
  gold Overall score, sign flipped (1 = very similar ... 4 = very dissimilar);
- basil (300 full articles, 100 events x 3 outlets): AUC of same-event vs other pairs by
  cosine, nearest-neighbour accuracy (is an article's nearest other article from its event),
  and B-cubed F1 of the online clusterer (cluster.py) at the tier's shipped threshold, or,
  for candidates not shipped, at the best threshold of a fixed grid (marked "oracle").
Speed: articles/s encoding basil's 300 full articles (title + text), after one warm-up
article, and headlines/s on the first 500 UCI News Aggregator headlines (an aggregator's
input); the ratio column is against the shipped "fast" tier in the same run.

Candidates:
- fast: shipped; words weighted by wordfreq rarity, signed-hashed to 1,024 dims (tiers.LexicalTier);
- fast+pairs: the same plus adjacent word pairs;
- tfidf-fit: scikit-learn TfidfVectorizer (sublinear tf, English stop words) fitted on the
  very texts it scores: a reference only, since a stream has no fixed corpus to fit IDF on;
- model2vec: a static model distilled from MiniLM with `model2vec.distill(minilm_path(), pca_dims=256)`
  saved to /tmp/storymatch-m2v-minilm (no model2vec model ships on PyPI, and distilling took over
  40 minutes here, so it is only measured when made beforehand); skipped if absent;
- lead: MiniLM on the title and first 60 words; quality: MiniLM on title + text
  (MiniLM reads at most 256 word pieces); hybrid: lead and fast side by side.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "src"))

from storymatch.corpus.clusterer import ClusterItem, cluster_stream, labels_of, params_for  # noqa: E402
from storymatch.embedding.tiers import LexicalTier, article_text, get_tier  # noqa: E402
from storymatch.evaluation.clustering_scores import bcubed  # noqa: E402
from storymatch.inputs.article import Article  # noqa: E402

M2V_DIR = Path("/tmp/storymatch-m2v-minilm")
GRID = [round(0.05 * k, 2) for k in range(2, 19)]


def semeval_pairs() -> tuple[list[Article], list[Article], np.ndarray]:
    rows = [json.loads(line) for line in (SHARED / "semeval22" / "train.jsonl").open(encoding="utf-8")]
    rows = [r for r in rows if r["lang1"] == "en" and r["lang2"] == "en"]
    a = [Article(text=r["text1"] or "", title=r["title1"], language="en") for r in rows]
    b = [Article(text=r["text2"] or "", title=r["title2"], language="en") for r in rows]
    return a, b, np.array([r["overall"] for r in rows], dtype=float)


def basil() -> tuple[list[Article], list[str]]:
    rows = [json.loads(line) for line in (SHARED / "clustering" / "basil.jsonl").open(encoding="utf-8")]
    arts = [Article(text=r["text"], title=r["title"], date=r["date"], language="en", id=r["id"]) for r in rows]
    return arts, [r["story"] for r in rows]


class FittedTfidf:
    """Reference: TF-IDF fitted on the texts being scored (fit + transform timed together)."""

    name, dim = "tfidf-fit", 0

    def encode_articles(self, articles):
        from sklearn.feature_extraction.text import TfidfVectorizer

        x = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform([article_text(a) for a in articles])
        return x  # sparse, rows unit length


class Model2Vec:
    """A model2vec static model distilled from MiniLM, if one was made beforehand (see the docstring)."""

    name = "model2vec"

    def __init__(self):
        from model2vec import StaticModel

        if not M2V_DIR.exists():
            raise ImportError(f"no distilled model in {M2V_DIR} (make one with model2vec.distill; "
                              "it took over 40 minutes on this machine, so the benchmark does not)")
        self.model = StaticModel.from_pretrained(str(M2V_DIR))
        self.dim = self.model.dim

    def encode_articles(self, articles):
        v = self.model.encode([article_text(a) for a in articles])
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def candidates(only: set[str] | None):
    makers = {
        "fast": lambda: get_tier("fast"),
        "fast+pairs": lambda: LexicalTier(pairs=True, name="fast+pairs"),
        "tfidf-fit": FittedTfidf,
        "model2vec": Model2Vec,
        "lead": lambda: get_tier("lead"),
        "quality": lambda: get_tier("quality", ["en"]),
        "hybrid": lambda: get_tier("hybrid"),
    }
    for name, make in makers.items():
        if only and name not in only:
            continue
        try:
            yield name, make()
        except ImportError as e:
            print(f"# {name}: skipped ({e})", file=sys.stderr)


def cosines(x, y) -> np.ndarray:
    if hasattr(x, "multiply"):  # sparse
        return np.asarray(x.multiply(y).sum(axis=1)).ravel()
    return np.sum(x * y, axis=1)


def dense(x) -> np.ndarray:
    return x.toarray().astype(np.float32) if hasattr(x, "toarray") else np.asarray(x, dtype=np.float32)


def headlines(n: int = 500) -> list[Article]:
    out = []
    with (SHARED / "clustering" / "uci_newsagg_head.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            out.append(Article(text=r["text"], title=r.get("title"), language="en", id=r["id"]))
            if len(out) == n:
                break
    return out


def measure(name: str, tier, sem, bas, heads) -> dict:
    from scipy.stats import pearsonr
    from sklearn.metrics import roc_auc_score

    sa, sb, gold = sem
    arts, story = bas
    n = len(sa)
    both = tier.encode_articles(sa + sb) if name == "tfidf-fit" else None  # one fit over both sides
    ca, cb = (both[:n], both[n:]) if both is not None else (tier.encode_articles(sa), tier.encode_articles(sb))
    pearson = float(-pearsonr(cosines(ca, cb), gold)[0])

    tier.encode_articles(arts[:1])  # warm-up: model load, word lists
    t0 = time.perf_counter()
    v = dense(tier.encode_articles(arts))
    rate = len(arts) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    tier.encode_articles(heads)
    head_rate = len(heads) / (time.perf_counter() - t0)

    sims = v @ v.T
    iu = np.triu_indices(len(arts), 1)
    st = np.array(story)
    same = (st[:, None] == st[None, :])[iu]
    auc = float(roc_auc_score(same, sims[iu]))
    np.fill_diagonal(sims, -1)
    nn = float(np.mean(st[sims.argmax(axis=1)] == st))

    items = [ClusterItem(a.id, row, a.date, len(a.text.split())) for a, row in zip(arts, v)]
    ids = [a.id for a in arts]
    shipped = name in ("fast", "lead", "quality", "hybrid")
    grid = [None] if shipped else GRID
    best = max((bcubed(story, labels_of(cluster_stream(items, params_for(name if shipped else "fast", threshold=t)),
                                        ids))[2], t) for t in grid)
    threshold = params_for(name).threshold if shipped else best[1]
    return {"tier": name, "semeval_en_pearson": round(pearson, 3), "basil_pair_auc": round(auc, 4),
            "basil_nn_accuracy": round(nn, 3), "basil_bcubed_f1": round(best[0], 3), "threshold": threshold,
            "threshold_kind": "shipped" if shipped else "oracle", "articles_per_s": round(rate, 1),
            "headlines_per_s": round(head_rate, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="comma-separated candidates")
    ap.add_argument("--json", dest="json_out", help="also write the rows to this JSON file")
    args = ap.parse_args()
    if not SHARED.is_dir():
        sys.exit("benchmarks/tiers.py needs ../shared (SemEval and basil)")
    sem, bas, heads = semeval_pairs(), basil(), headlines()
    rows = []
    for name, tier in candidates(set(args.only.split(",")) if args.only else None):
        rows.append(measure(name, tier, sem, bas, heads))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    base = next((r["articles_per_s"] for r in rows if r["tier"] == "fast"), None)
    base_h = next((r["headlines_per_s"] for r in rows if r["tier"] == "fast"), None)
    print(f"{'tier':<11} {'SemEval r':>9} {'pair AUC':>8} {'NN acc':>6} {'B3 F1':>6} {'thr':>5} {'':<7} "
          f"{'art/s':>8} {'vs fast':>8} {'heads/s':>8} {'vs fast':>8}")
    for r in rows:
        ratio = f"{r['articles_per_s'] / base:.3f}x" if base else "-"
        ratio_h = f"{r['headlines_per_s'] / base_h:.3f}x" if base_h else "-"
        print(f"{r['tier']:<11} {r['semeval_en_pearson']:>9.3f} {r['basil_pair_auc']:>8.4f} "
              f"{r['basil_nn_accuracy']:>6.3f} {r['basil_bcubed_f1']:>6.3f} {r['threshold']:>5} "
              f"{r['threshold_kind']:<7} {r['articles_per_s']:>8.1f} {ratio:>8} "
              f"{r['headlines_per_s']:>8.1f} {ratio_h:>8}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
