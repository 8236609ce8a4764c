"""Load on `storymatch serve` over loopback: N concurrent POST /api/compare of news-length pairs.

    python benchmarks/server_load.py [--requests 200] [--concurrency 200] [--baseline 20]

Starts the real server (`python -m storymatch serve`) on a free 127.0.0.1 port, waits for the
models to load, then fires the requests at once (httpx, one connection each) and reports
throughput, latency p50/p95/max and errors. The baseline, measured in the same run, is the
library's own `compare()` called in turn in this process on the same pairs: the ratio says
what the HTTP layer costs (or gains from overlapping requests). Pairs are distinct English
SemEval-2022 pairs from ../shared/ when present (so no cache flatters the figures), else the
example pair. Sends traffic to 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SEMEVAL = ROOT.parent / "shared" / "semeval22" / "train.jsonl"


def news_pairs(n: int) -> list[dict]:
    """Request bodies: distinct English pairs of 800-15,000 characters a side."""
    bodies = []
    if SEMEVAL.exists():
        for line in SEMEVAL.open(encoding="utf-8"):
            r = json.loads(line)
            if (r["lang1"], r["lang2"]) == ("en", "en") and all(800 <= len(r[k] or "") <= 15_000
                                                                for k in ("text1", "text2")):
                bodies.append({"a": {"text": r["text1"], "title": r["title1"]},
                               "b": {"text": r["text2"], "title": r["title2"]}})
    if not bodies:
        ex = ROOT / "examples"
        bodies = [{"a": {"text": (ex / "seed-a.txt").read_text()}, "b": {"text": (ex / "seed-b.txt").read_text()}}]
    return [bodies[i % len(bodies)] for i in range(n)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`storymatch serve` on 127.0.0.1:port, once its models are loaded (`env`: e.g. another tree's PYTHONPATH)."""
    cmd = [sys.executable, "-m", "storymatch", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or os.environ.copy())
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).json().get("models_loaded"):
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("server did not start in 600 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


async def fire(url: str, bodies: list[dict], concurrency: int, timeout: float) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        async def one(body: dict) -> None:
            async with gate:
                t0 = time.perf_counter()
                try:
                    r = await client.post(url, json=body)
                    if r.status_code != 200 or "scores" not in r.json():
                        errors.append(f"HTTP {r.status_code}: {r.text[:200]}")
                        return
                except httpx.HTTPError as e:
                    errors.append(f"{type(e).__name__}: {e}")
                    return
                latencies.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        await asyncio.gather(*(one(b) for b in bodies))
        return latencies, errors, time.perf_counter() - t0


def baseline(bodies: list[dict]) -> float:
    """Pairs per second of the library called in turn, in this process (models loaded first)."""
    from storymatch.comparison.pipeline import compare
    from storymatch.serving.app import warm_models
    from storymatch.serving.models import CompareRequest

    warm_models()
    reqs = [CompareRequest.model_validate(b) for b in bodies]
    t0 = time.perf_counter()
    for r in reqs:
        compare(r.a.to_article("a"), r.b.to_article("b"))
    return len(reqs) / (time.perf_counter() - t0)


def pct(xs: list[float], q: float) -> float:
    return (statistics.quantiles(xs, n=100, method="inclusive")[q - 1] if len(xs) > 1
            else (xs[0] if xs else float("nan")))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=200)
    ap.add_argument("--baseline", type=int, default=20, help="pairs for the in-process baseline (0: skip)")
    ap.add_argument("--timeout", type=float, default=1200.0, help="per-request timeout, seconds")
    args = ap.parse_args()

    bodies = news_pairs(args.requests)
    chars = statistics.mean(len(b["a"]["text"]) + len(b["b"]["text"]) for b in bodies)
    # The baseline first, then the server: neither competes with the other for the CPU.
    lib_rate = baseline(bodies[: args.baseline]) if args.baseline else float("nan")
    port = free_port()
    t0 = time.perf_counter()
    proc = start_server(port)
    startup = time.perf_counter() - t0
    try:
        lat, errors, wall = asyncio.run(fire(f"http://127.0.0.1:{port}/api/compare", bodies, args.concurrency,
                                             args.timeout))
    finally:
        stop_server(proc)
    rate = len(lat) / wall
    print(f"pairs: {len(set(json.dumps(b, sort_keys=True) for b in bodies))} distinct, mean {chars:,.0f} chars a pair; "
          f"server start-up (models loaded) {startup:.1f} s")
    print(f"load average at the end (other processes share the CPU): {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    print(f"{args.requests} requests, {args.concurrency} concurrent: {len(lat)} ok, {len(errors)} errors, "
          f"{wall:.1f} s wall")
    print(f"throughput {rate:.2f} req/s; latency p50 {pct(lat, 50):.1f} s, p95 {pct(lat, 95):.1f} s, "
          f"max {max(lat, default=float('nan')):.1f} s")
    print(f"baseline: library compare() called in turn in one process: {lib_rate:.2f} pairs/s; "
          f"server/library throughput ratio {rate / lib_rate:.2f}")
    for e in errors[:5]:
        print("  error:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
