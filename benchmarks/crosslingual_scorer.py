"""The scorer before and after issue 24's features, in one run: grouped CV Pearson per language pair.

    python benchmarks/crosslingual_scorer.py [--before 499d9c8] [--english-large] [--json out.json]

"Before" is the pair features as the code at git revision `--before` computes them (exported with `git archive`
and run in a subprocess, so both feature sets come from the same pairs and caches in the same run); "after" is this
tree's features (translation coverage read by the scorer, language-independent anchors, CJK and Thai word units).
Both are fitted and cross-validated exactly as `storymatch train semeval` does (evaluation.training.cross_validated:
grouped 5-fold CV, seed 13, the large English model's refiner where it helps when `--english-large`), on the same
folds, beside the TF-IDF and USE-multilingual cosine baselines of the same pairs. Also reported:
- "after, English pairs kept": en-en pairs scored by the model before (what the shipped file does when it keeps
  the previous model for English pairs: `storymatch train semeval --english-from`), every other pair by the new;
- "without embeddings": the model fitted without EMBEDDING_FEATURES, what a language no embedding model reads gets.

Data: ../shared/semeval22/train.jsonl (read, never copied). The first run computes every pair's features for both
trees (~30 min each on 2 shared cores; cached under STORYMATCH_CACHE for later runs).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storymatch.embedding.base import USE_MULTILINGUAL  # noqa: E402
from storymatch.embedding.cache import cached_embedder  # noqa: E402
from storymatch.evaluation.baselines import embedding_cosine, tfidf_cosine  # noqa: E402
from storymatch.evaluation.pair_data import pair_feature_rows  # noqa: E402
from storymatch.evaluation.semeval import read_pairs  # noqa: E402
from storymatch.evaluation.semeval_report import by_language  # noqa: E402
from storymatch.evaluation.training import cross_validated  # noqa: E402
from storymatch.scoring.pair_features import EMBEDDING_FEATURES  # noqa: E402

SEMEVAL = ROOT.parent / "shared" / "semeval22" / "train.jsonl"
BEFORE_SCRIPT = """
import json, sys
from storymatch.evaluation.pair_data import pair_feature_rows
from storymatch.evaluation.semeval import read_pairs
pairs = read_pairs(sys.argv[1])
rows = pair_feature_rows(pairs, english_large=sys.argv[3] == "1")
json.dump(rows, open(sys.argv[2], "w"))
"""


def before_rows(revision: str, english_large: bool) -> list[dict]:
    """Every pair's features as the code at `revision` computes them (a subprocess on an exported tree)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "src.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), revision, "src"], check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        out = Path(tmp) / "rows.json"
        env = {**os.environ, "PYTHONPATH": str(Path(tmp) / "src")}
        subprocess.run([sys.executable, "-c", BEFORE_SCRIPT, str(SEMEVAL), str(out), "1" if english_large else "0"],
                       check=True, env=env, cwd=tmp)
        return json.loads(out.read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", default="499d9c8", help="git revision of the code before (default: issue 24's base)")
    ap.add_argument("--english-large", action="store_true", help="English pairs with the large model's headline "
                                                                 "cosine, as the shipped scorer was fitted")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not SEMEVAL.is_file():
        sys.exit(f"{SEMEVAL}: the SemEval training pairs are not there")
    start = time.perf_counter()
    pairs = read_pairs(SEMEVAL)
    old = before_rows(args.before, args.english_large)
    new = pair_feature_rows(pairs, english_large=True if args.english_large else None)
    bare = [{k: v for k, v in r.items() if k not in EMBEDDING_FEATURES} for r in new]
    oof = {name: cross_validated(pairs, rows)[0]["overall"] for name, rows in
           (("before", old), ("after", new), ("without embeddings", bare))}
    english = np.array([p.language_pair == "en-en" for p in pairs])
    oof["after, English pairs kept"] = np.where(english, oof["before"], oof["after"])
    base = {"TF-IDF cosine": tfidf_cosine(pairs),
            "USE-multilingual cosine": embedding_cosine(pairs, cached_embedder(USE_MULTILINGUAL))}
    table = {name: by_language(pairs, pred) for name, pred in oof.items()}
    # baselines are similarities: higher means more alike, while Overall is 1 (same) .. 4, so their sign flips
    table.update({name: by_language(pairs, pred, sign=-1.0) for name, pred in base.items()})
    translated = {lp: int(sum(r.get("translation_coverage_max", 0) > 0 for p, r in zip(pairs, new)
                              if p.language_pair == lp)) for lp in ("de-en",)}
    report = {"pairs": len(pairs), "before": args.before, "english_large": args.english_large,
              "overall_pearson": table, "pairs_with_translation_passages": translated,
              "seconds": round(time.perf_counter() - start, 1)}
    langs = list(next(iter(table.values())))
    print(f"{'Overall Pearson (grouped CV)':34}" + "".join(f"{lp:>8}" for lp in langs))
    for name, row in table.items():
        print(f"{name:34}" + "".join(f"{row[lp]:8.3f}" if row[lp] is not None else f"{'-':>8}" for lp in langs))
    print(f"de-en pairs with a translation passage: {translated['de-en']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
