"""Whole-process start-up: `storymatch compare` of the example pair against loading MiniLM with
sentence-transformers and encoding the same two texts, interleaved in one run.

    python benchmarks/cold_start.py [--runs 3] [--json]

Each command runs as a fresh process under /usr/bin/time (wall seconds and peak resident memory), the two
alternating so load on a shared machine hits both alike; medians are printed with the ratio storymatch/baseline.
Models must already be unpacked/exported (the first run of `storymatch compare` does it once; it is run here first
and not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# The same MiniLM files storymatch runs (its folder passed in), loaded by sentence-transformers: the baseline needs
# the sentence-transformers extra (pip install -e '.[sentence-transformers]'), which a default install leaves out.
BASELINE = """
import sys
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(sys.argv[1], device="cpu", local_files_only=True)
texts = [open(p, encoding="utf-8").read() for p in sys.argv[2:]]
model.encode(texts)
"""


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one process."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", out.name, *cmd], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall, kb = out.read().split()[-2:]
    return float(wall), int(kb) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    env = {**os.environ, "STORYMATCH_ENGLISH_LARGE": "0", "HF_HUB_OFFLINE": "1"}  # a default install's compare
    pair = [str(EXAMPLES / "seed-a.txt"), str(EXAMPLES / "seed-b.txt")]
    ours = [sys.executable, "-m", "storymatch", "compare", *pair, "--json"]
    from storymatch.embedding.backends import minilm_path

    base = [sys.executable, "-c", BASELINE, minilm_path(), *pair]
    subprocess.run(ours, env=env, check=True, capture_output=True)  # exports and caches, once: not counted
    rows: dict[str, list[tuple[float, float]]] = {"storymatch compare": [], "MiniLM (sentence-transformers)": []}
    for _ in range(args.runs):
        rows["storymatch compare"].append(timed(ours, env))
        rows["MiniLM (sentence-transformers)"].append(timed(base, env))
    med = {k: (statistics.median(w for w, _ in v), statistics.median(m for _, m in v)) for k, v in rows.items()}
    (ow, om), (bw, bm) = med["storymatch compare"], med["MiniLM (sentence-transformers)"]
    result = {"runs": args.runs, "storymatch_wall_s": ow, "storymatch_peak_mb": round(om), "baseline_wall_s": bw,
              "baseline_peak_mb": round(bm), "wall_ratio": round(ow / bw, 2), "memory_ratio": round(om / bm, 2),
              "load_average": round(os.getloadavg()[0], 1)}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"cold start, medians of {args.runs} (load average {result['load_average']}):")
    for name, (w, m) in med.items():
        print(f"  {name:<32} {w:6.2f} s  {m:6.0f} MB peak")
    print(f"  storymatch / baseline: wall x{result['wall_ratio']}, memory x{result['memory_ratio']}")


if __name__ == "__main__":
    main()
