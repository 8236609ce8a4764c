"""How short a text can be before lingua names a wrong language: choose MIN_LETTERS and MIN_CONFIDENCE.

    python benchmarks/short_language.py [--semeval ../shared/semeval22/train.jsonl] [--headlines FILE.jsonl]

Choice data: SemEval-2022 titles and texts in seven languages (en, de, es, tr, ar, pl, fr; the gold language is
the pair's), each cut to its first N letters (N = 5 ... 80, at word ends). For every (MIN_LETTERS,
MIN_CONFIDENCE) on a grid, a text is named only with at least MIN_LETTERS letters and a top confidence of at least
MIN_CONFIDENCE, and the script counts wrong names (a language, not the gold one) and unknowns (None). The setting
chosen is the one with the fewest unknowns among those whose wrong-name rate is at most 1%. Check data, never
used for the choice: English news headlines (UCI News Aggregator sample, ../shared/clustering), as they come.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from storymatch.text.language import _detector  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
LETTERS = (5, 10, 15, 20, 25, 30, 40, 60, 80)
MIN_LETTERS = (0, 10, 15, 20, 25, 30)
MIN_CONFIDENCE = (0.0, 0.5, 0.7, 0.9)


def cut(text: str, letters: int) -> str:
    n = 0
    for i, ch in enumerate(text):
        n += ch.isalpha()
        if n >= letters and (i + 1 == len(text) or not text[i + 1].isalpha()):
            return text[:i + 1]
    return text


def guess(text: str) -> tuple[str | None, float, int]:
    values = _detector().compute_language_confidence_values(text)
    letters = sum(ch.isalpha() for ch in text)
    if not values:
        return None, 0.0, letters
    code = values[0].language.iso_code_639_1.name.lower()
    return code, values[0].value, letters


def rates(items: list[tuple[str, tuple[str | None, float, int]]], min_letters: int, min_conf: float) -> dict:
    wrong = unknown = 0
    for gold, (code, conf, letters) in items:
        if code is None or letters < min_letters or conf < min_conf:
            unknown += 1
        elif code != gold:
            wrong += 1
    return {"wrong": round(wrong / len(items), 4), "unknown": round(unknown / len(items), 4), "n": len(items)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--semeval", type=Path, default=SHARED / "semeval22" / "train.jsonl")
    ap.add_argument("--headlines", type=Path, default=SHARED / "clustering" / "uci_newsagg_head.jsonl")
    args = ap.parse_args()
    rng = random.Random(0)
    texts: list[tuple[str, str]] = []
    with args.semeval.open(encoding="utf-8") as fh:
        for r in map(json.loads, fh):
            for side in ("1", "2"):
                for field in ("title", "text"):
                    if r.get(field + side):
                        texts.append((r["lang" + side], r[field + side].strip()))
    texts = rng.sample(texts, min(1500, len(texts)))
    choice = [(lang, guess(cut(t, n))) for n in LETTERS for lang, t in texts]
    grid = [{"min_letters": m, "min_confidence": c, **rates(choice, m, c)} for m in MIN_LETTERS for c in MIN_CONFIDENCE]
    ok = [g for g in grid if g["wrong"] <= 0.01]
    best = min(ok, key=lambda g: (g["unknown"], g["min_letters"])) if ok else min(grid, key=lambda g: g["wrong"])
    print("grid (SemEval prefixes, all lengths together):")
    for g in grid:
        print(json.dumps(g))
    print("chosen:", json.dumps(best))
    print("by prefix length with the chosen setting:")
    for n in LETTERS:
        part = [(lang, guess(cut(t, n))) for lang, t in texts[:400]]
        print(n, json.dumps(rates(part, best["min_letters"], best["min_confidence"])),
              "baseline (no thresholds):", json.dumps(rates(part, 0, 0.0)))
    heads = []
    with args.headlines.open(encoding="utf-8") as fh:
        for r in map(json.loads, fh):
            heads.append(("en", guess((r.get("title") or r.get("text") or "").strip())))
            if len(heads) >= 2000:
                break
    print("check, English headlines:", json.dumps(rates(heads, best["min_letters"], best["min_confidence"])),
          "baseline:", json.dumps(rates(heads, 0, 0.0)))


if __name__ == "__main__":
    main()
