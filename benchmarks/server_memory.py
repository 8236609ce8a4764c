"""Memory of `storymatch serve` under 100 concurrent compares, for two source trees in the same run.

    python benchmarks/server_memory.py [--requests 100] [--src before=/work/main/src] [--src after=src]

For each tree: start the real server on a free 127.0.0.1 port with that tree first on PYTHONPATH, wait for its
models, read its resident memory (VmRSS in /proc/PID/status), fire the requests at once (one connection each,
distinct English SemEval-2022 pairs of news length from ../shared/ when present, else the example pair), then read
the peak (VmHWM), the RSS right after the last answer and after 10 s idle. Prints one line per tree and, with
--json, the figures. Sends traffic to 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server_load import fire, free_port, news_pairs, start_server, stop_server  # noqa: E402  (a sibling benchmark's helpers)

ROOT = Path(__file__).resolve().parents[1]


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of a process, in MB."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def start(src: Path, port: int) -> subprocess.Popen:
    return start_server(port, {**os.environ, "PYTHONPATH": str(src)})


def measure(label: str, src: Path, bodies: list[dict], idle: float) -> dict:
    port = free_port()
    proc = start(src, port)
    try:
        loaded = memory_mb(proc.pid)
        lat, errors, wall = asyncio.run(fire(f"http://127.0.0.1:{port}/api/compare", bodies, len(bodies), 1200.0))
        right_after = memory_mb(proc.pid)
        time.sleep(idle)
        settled = memory_mb(proc.pid)
    finally:
        stop_server(proc)
    return {"tree": label, "src": str(src), "requests": len(bodies), "ok": len(lat), "errors": len(errors),
            "wall_s": round(wall, 1), "rss_loaded_mb": round(loaded["VmRSS"]),
            "rss_peak_mb": round(right_after["VmHWM"]), "rss_after_mb": round(right_after["VmRSS"]),
            "rss_idle_mb": round(settled["VmRSS"]), "error_sample": errors[:3]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--src", action="append", default=[], metavar="LABEL=PATH",
                    help="a source tree to measure (repeatable); default: before=/work/main/src after=./src")
    ap.add_argument("--idle", type=float, default=10.0, help="seconds idle before the last reading")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    trees = [s.split("=", 1) for s in args.src] or [["before", "/work/main/src"], ["after", str(ROOT / "src")]]
    bodies = news_pairs(args.requests)
    results = []
    for label, src in trees:
        r = measure(label, Path(src), bodies, args.idle)
        results.append(r)
        print(f"{label:>8}: {r['ok']}/{r['requests']} ok, {r['errors']} errors, {r['wall_s']} s; RSS loaded "
              f"{r['rss_loaded_mb']} MB, peak {r['rss_peak_mb']} MB, after {r['rss_after_mb']} MB, "
              f"after {args.idle:.0f} s idle {r['rss_idle_mb']} MB", flush=True)
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
