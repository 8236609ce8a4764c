"""Alignment speed (pairs/s) on news-length pairs and on 50 KB documents, against two baselines in the same run.

Baselines, on the very same pairs:
- difflib: `difflib.SequenceMatcher` over the two texts' normalised word lists, matching blocks of at least
  `min_words` words as passages (the plain standard-library way to align two texts);
- text-matcher: the PyPI `text-matcher` tool (Reeve), its `Matcher` with default settings except stopword
  removal, which needs an NLTK data download this machine cannot make (`pip install text-matcher`, the `bench`
  extra).

News pairs are English SemEval-2022 pairs from ../shared/semeval22 (the example pair when that is absent).
50 KB documents are built from ../shared/reuse/pan_dev.jsonl `none` pairs: suspicious texts are concatenated up
to 50,000 characters and their sources likewise, so the PAN truth cases carry over with shifted offsets; plagdet
on them is reported for all three methods as a quality check alongside the speed.

Usage: python benchmarks/align.py [--news 100] [--big 8] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "src"))

from storymatch.alignment.aligner import align  # noqa: E402
from storymatch.evaluation import pan, plagdet  # noqa: E402
from storymatch.text.normalize import normalize  # noqa: E402
from storymatch.text.spans import words  # noqa: E402

BIG = 50_000


def news_pairs(n: int) -> list[tuple[str, str]]:
    path = SHARED / "semeval22" / "train.jsonl"
    if not path.is_file():
        ex = ROOT / "examples"
        return [((ex / "seed-a.txt").read_text(), (ex / "seed-b.txt").read_text())]
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["lang1"] == "en" and r["lang2"] == "en" and r["text1"] and r["text2"]:
                out.append((r["text1"], r["text2"]))
                if len(out) >= n:
                    break
    return out


def big_pairs(n: int) -> list[tuple[str, str, list[pan.Case]]]:
    """(suspicious, source, truth) triples of ~50 KB each, concatenating PAN `none` pairs."""
    path = SHARED / "reuse" / "pan_dev.jsonl"
    if not path.is_file():
        return []
    recs, seen = [], set()
    for p in pan.read_jsonl(path):
        # Each document once, so that the truth of one pair is the whole truth of the concatenation.
        if p.obfuscation == "none" and p.susp_name not in seen and p.src_name not in seen:
            seen |= {p.susp_name, p.src_name}
            recs.append(p)
    out, k = [], 0
    while len(out) < n and k < len(recs):
        susp, src, cases = "", "", []
        while (len(susp) < BIG or len(src) < BIG) and k < len(recs):
            p = recs[k]
            k += 1
            for c in p.cases:
                cases.append(pan.Case(c.this_offset + len(susp), c.this_length, c.source_offset + len(src),
                                      c.source_length, "none"))
            susp += p.susp + "\n\n"
            src += p.src + "\n\n"
        susp, src = susp[:BIG], src[:BIG]
        cases = [c for c in cases if c.this_end <= BIG and c.source_end <= BIG]
        out.append((susp, src, cases))
    return out


def ours(a: str, b: str) -> list[pan.Case]:
    return [pan.Case(p.a_start, p.a_end - p.a_start, p.b_start, p.b_end - p.b_start) for p in align(a, b).passages]


def difflib_baseline(a: str, b: str, min_words: int = 6) -> list[pan.Case]:
    wa, wb = words(normalize(a)), words(normalize(b))
    sm = difflib.SequenceMatcher(None, [w.text for w in wa], [w.text for w in wb])
    out = []
    for m in sm.get_matching_blocks():
        if m.size >= min_words:
            a0, a1 = wa[m.a].start, wa[m.a + m.size - 1].end
            b0, b1 = wb[m.b].start, wb[m.b + m.size - 1].end
            out.append(pan.Case(a0, a1 - a0, b0, b1 - b0))
    return out


def text_matcher_baseline(a: str, b: str) -> list[pan.Case]:
    from text_matcher.matcher import Matcher, Text

    with contextlib.redirect_stdout(io.StringIO()):
        ta, tb = Text(a, "A", removeStopwords=False), Text(b, "B", removeStopwords=False)
        m = Matcher(ta, tb)
        _, locs_a, locs_b = m.match()
    return [pan.Case(x0, x1 - x0, y0, y1 - y0) for (x0, x1), (y0, y1) in zip(locs_a, locs_b)]


def run_all(methods: dict, pairs: list) -> dict[str, tuple[float, list[list[pan.Case]]]]:
    """Every method on every pair, interleaved pair by pair so load on a shared machine hits all alike."""
    spent = {m: 0.0 for m in methods}
    dets: dict[str, list] = {m: [] for m in methods}
    for p in pairs:
        for name, fn in methods.items():
            start = time.perf_counter()
            dets[name].append(fn(p[0], p[1]))
            spent[name] += time.perf_counter() - start
    return {m: (len(pairs) / spent[m], dets[m]) for m in methods}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--news", type=int, default=100, help="news-length pairs to time")
    ap.add_argument("--big", type=int, default=8, help="50 KB document pairs to time")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    methods = {"storymatch": ours, "difflib": difflib_baseline}
    try:
        import text_matcher.matcher  # noqa: F401

        methods["text-matcher"] = text_matcher_baseline
    except ImportError:
        print("text-matcher not installed (pip install text-matcher); skipping that baseline", file=sys.stderr)
    align("warm up the stopword lists", "warm up")
    sets = {"news": news_pairs(args.news), "50KB": big_pairs(args.big)}
    results: dict = {}
    for name, pairs in sets.items():
        if not pairs:
            continue
        chars = sum(len(p[0]) + len(p[1]) for p in pairs) / len(pairs) / 2
        row: dict = {"pairs": len(pairs), "mean_chars": round(chars)}
        for mname, (rate, dets) in run_all(methods, pairs).items():
            row[mname] = {"pairs_per_s": round(rate, 2)}
            if name == "50KB":
                row[mname]["plagdet"] = round(plagdet.plagdet([p[2] for p in pairs], dets).plagdet, 4)
        for mname in methods:
            if mname != "storymatch":
                row[f"speedup_vs_{mname}"] = round(row["storymatch"]["pairs_per_s"] / row[mname]["pairs_per_s"], 1)
        results[name] = row
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, row in results.items():
        print(f"{name}: {row['pairs']} pairs, ~{row['mean_chars']} chars per text")
        for mname in methods:
            extra = f"  plagdet {row[mname]['plagdet']:.3f}" if "plagdet" in row[mname] else ""
            print(f"  {mname:<13} {row[mname]['pairs_per_s']:>9.2f} pairs/s{extra}")
        for k, v in row.items():
            if k.startswith("speedup"):
                print(f"  {k}: x{v}")


if __name__ == "__main__":
    main()
