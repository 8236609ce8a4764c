"""Languages outside the embedding models: the scorer without embeddings against cosines from a model that never
saw the language, on a labelled multilingual story set.

    python benchmarks/unread_languages.py [--data ../shared/clustering/mmds2025_sg_dev.jsonl] [--json out.json]

Data: MMDS 2025's Singapore news (../shared/clustering/mmds2025_sg_dev.jsonl, read, never copied): articles in
English, Chinese and Malay (and Indonesian distractors) with human story labels. Every pair of articles within a
language pair is scored; a pair is positive when both articles tell the same story. Per language pair, same-story
ROC-AUC (threshold-free; higher is better) of:

- the shipped scorer's Overall with USE-multilingual embeddings (forced, as `compare --model use-multilingual` would);
- the shipped scorer's model fitted without embeddings (what `compare` uses when a language is one no model reads:
  Malay, Indonesian, ...);
- the whole-article cosine of USE-multilingual, and a TF-IDF cosine (word unigrams), as baselines in the same run.

Malay is outside USE-multilingual's 16 languages; English and Chinese are inside, so their rows show what the model
without embeddings loses where a model does read the language.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storymatch.alignment.aligner import align  # noqa: E402
from storymatch.alignment.types import AlignParams  # noqa: E402
from storymatch.embedding.base import USE_MULTILINGUAL  # noqa: E402
from storymatch.features.analysis import analyse, embed  # noqa: E402
from storymatch.inputs.article import Article  # noqa: E402
from storymatch.scoring.learned import WITHOUT_EMBEDDINGS  # noqa: E402
from storymatch.scoring.pair_features import EMBEDDING_FEATURES, pair_features  # noqa: E402
from storymatch.scoring.shipped import load_shipped  # noqa: E402

DATA = ROOT.parent / "shared" / "clustering" / "mmds2025_sg_dev.jsonl"


def roc_auc(score: np.ndarray, label: np.ndarray) -> float | None:
    """Probability that a positive scores above a negative (ties count half)."""
    pos, neg = score[label], score[~label]
    if not len(pos) or not len(neg):
        return None
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    values = np.concatenate([pos, neg])[order]
    i = 0
    while i < len(values):  # average ranks over ties
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not args.data.is_file():
        sys.exit(f"{args.data}: the labelled multilingual story set is not there")
    start = time.perf_counter()
    records = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    records = [r for r in records if r["language"] in ("en", "ms", "zh")]
    feats = []
    for r in records:
        f = analyse(Article(r["text"], title=r.get("title"), language=r["language"]))
        embed(f, USE_MULTILINGUAL)
        feats.append(f)
    scorer = load_shipped()
    bare = scorer.variants[WITHOUT_EMBEDDINGS]
    from sklearn.feature_extraction.text import TfidfVectorizer  # only for the baseline

    tfidf = TfidfVectorizer(sublinear_tf=True).fit_transform([f.article.full_text for f in feats])
    rows: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    no_translation = AlignParams(translation_model=None)
    for i, j in itertools.combinations(range(len(records)), 2):
        a, b = records[i], records[j]
        lp = "-".join(sorted((a["language"], b["language"])))
        fa, fb = feats[i], feats[j]
        reuse = align(fa.article, fb.article, no_translation)
        full = pair_features(fa, fb, reuse)
        plain = {k: v for k, v in full.items() if k not in EMBEDDING_FEATURES}
        r = rows[lp]
        r["label"].append(a["story"] == b["story"])
        r["scorer, USE embeddings"].append(-scorer.score(full).scores["overall"])
        r["scorer without embeddings"].append(-bare.score(plain).scores["overall"])
        r["USE-multilingual cosine"].append(float(fa.article_vector @ fb.article_vector))
        r["TF-IDF cosine"].append(float(tfidf[i].multiply(tfidf[j]).sum()))
    report: dict = {"pairs": {}, "roc_auc": {}, "seconds": 0.0}
    for lp, r in sorted(rows.items()):
        label = np.array(r.pop("label"))
        report["pairs"][lp] = {"pairs": int(len(label)), "same_story": int(label.sum())}
        report["roc_auc"][lp] = {name: roc_auc(np.array(v), label) for name, v in r.items()}
    report["seconds"] = round(time.perf_counter() - start, 1)
    methods = list(next(iter(report["roc_auc"].values())))
    print(f"{'same-story ROC-AUC':28}" + "".join(f"{lp:>9}" for lp in report["roc_auc"]))
    print(f"{'pairs (same story)':28}" + "".join(f"{v['pairs']:>5} ({v['same_story']})"[-9:].rjust(9)
                                                 for v in report["pairs"].values()))
    for m in methods:
        print(f"{m:28}" + "".join(f"{report['roc_auc'][lp][m]:9.3f}" if report["roc_auc"][lp][m] is not None
                                  else f"{'-':>9}" for lp in report["roc_auc"]))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
