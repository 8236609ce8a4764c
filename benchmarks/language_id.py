"""Language identification on real articles: what ingest asks now (quick_language: the script, CLD2, lingua where
CLD2 is unsure) against lingua alone (detect_language, what ingest asked before), in one run.

    python benchmarks/language_id.py [--json]

Articles: the unique texts of ../shared/semeval22 (over 300 characters), each with the language the data gives
(lang1/lang2). For each method: accuracy (an unknown answer counts as wrong), answers left unknown, CPU time per
article, and how often the new answer differs from lingua's. CLD2's sample length and thresholds were set from its
documentation and the even-numbered pairs; the odd-numbered pairs are reported apart as the set nothing was chosen on.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEMEVAL = ROOT.parent / "shared" / "semeval22" / "train.jsonl"


def articles() -> list[tuple[int, str, str]]:
    """(pair number, text, language) of each unique SemEval text over 300 characters."""
    if not SEMEVAL.exists():
        sys.exit(f"{SEMEVAL}: the shared data folder is needed")
    out, seen = [], set()
    for number, line in enumerate(SEMEVAL.open(encoding="utf-8")):
        r = json.loads(line)
        for k in ("1", "2"):
            text = (r.get("text" + k) or "").strip()
            if len(text) > 300 and text[:200] not in seen:
                seen.add(text[:200])
                out.append((number, text, r["lang" + k]))
    return out


def run(method, texts: list[str]) -> tuple[list[str | None], float]:
    method(texts[0])  # loads the detector: not counted
    start = time.process_time()
    answers = [method(t) for t in texts]
    return answers, (time.process_time() - start) / len(texts) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from storymatch.text.language import detect_language, quick_language

    rows = articles()
    texts, gold = [t for _, t, _ in rows], [g for _, _, g in rows]
    result: dict = {"articles": len(rows), "languages": dict(collections.Counter(gold).most_common())}
    answers = {}
    for name, method in (("lingua (before)", detect_language), ("quick_language (now)", quick_language)):
        got, ms = run(method, texts)
        answers[name] = got
        halves = {}
        for half, keep in (("even pairs", 0), ("odd pairs", 1)):
            idx = [i for i, (n, _, _) in enumerate(rows) if n % 2 == keep]
            halves[half] = round(sum(got[i] == gold[i] for i in idx) / len(idx), 4)
        result[name] = {"accuracy": round(sum(a == g for a, g in zip(got, gold)) / len(gold), 4), **halves,
                        "unknown": sum(a is None for a in got), "cpu_ms_per_article": round(ms, 3),
                        "errors": {f"{g}->{a}": n for (g, a), n in
                                   collections.Counter((g, a) for a, g in zip(got, gold) if a != g).most_common()}}
    before, now = answers["lingua (before)"], answers["quick_language (now)"]
    result["answers_differ"] = sum(a != b for a, b in zip(before, now))
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['articles']:,} SemEval articles {result['languages']}")
    for name in answers:
        r = result[name]
        print(f"  {name:<22} accuracy {r['accuracy']:.4f} (even pairs {r['even pairs']:.4f}, "
              f"odd {r['odd pairs']:.4f}), "
              f"unknown {r['unknown']}, {r['cpu_ms_per_article']:.3f} ms CPU an article, errors {r['errors']}")
    print(f"  answers that differ: {result['answers_differ']}")


if __name__ == "__main__":
    main()
