"""Repair on a real set: a store loses or half-loses its vector file, `check` names it, `repair` rebuilds it from
the stored texts, and `cluster --json` gives exactly the intact store's output.

Every step runs the real command line (`python -m storymatch ...`), timed. Steps: ingest the labelled file into a
new store and cluster it (the intact answer); then for each damage (vector file deleted; vector file cut to half):
copy the intact store, damage it, `check` (must exit 1 naming the file), `ingest` one more record (must refuse:
the old behaviour filled the file with zero vectors), `repair`, `check` (must exit 0), `cluster --json` (must equal
the intact output byte for byte) and compare the vector files byte for byte.

Usage: python benchmarks/store_repair.py [--input ../shared/clustering/googlenews_ts.jsonl] [--work DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CLI = [sys.executable, "-m", "storymatch"]


def sm(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    r = subprocess.run([*CLI, *args, "--quiet"], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    return r, round(time.perf_counter() - start, 2)


def delete(path: Path) -> None:
    path.unlink()


def halve(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, default=SHARED / "clustering" / "googlenews_ts.jsonl")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="store-repair-"))
    intact = work / "intact"
    shutil.rmtree(intact, ignore_errors=True)
    out: dict = {"input": args.input.name}
    r, out["ingest_s"] = sm("ingest", str(args.input), "--store", str(intact), "--json")
    assert r.returncode == 0, r.stderr
    out["articles"] = json.loads(r.stdout)["articles"]
    first = args.input.read_text(encoding="utf-8").splitlines()[0]
    extra = work / "extra.jsonl"
    rec = json.loads(first)
    rec["id"] = f"{rec.get('id', 'x')}-extra"
    extra.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    r, out["cluster_intact_s"] = sm("cluster", "--json", "--store", str(intact))
    assert r.returncode == 0, r.stderr
    clustered = r.stdout
    out["stories"] = len(json.loads(clustered)["stories"])
    vectors = intact / "vectors-fast.f16"
    out["damages"] = {}
    for name, damage in (("vector file deleted", delete), ("vector file cut to half", halve)):
        store = work / name.replace(" ", "-")
        shutil.rmtree(store, ignore_errors=True)
        shutil.copytree(intact, store)
        damage(store / vectors.name)
        row: dict = {}
        r, row["check_s"] = sm("check", "--store", str(store))
        row["check_exit"], row["check_says"] = r.returncode, r.stderr.strip().splitlines()[0]
        r, _ = sm("ingest", str(extra), "--store", str(store))
        row["ingest_refused"] = r.returncode == 2 and "Traceback" not in r.stderr
        r, row["repair_s"] = sm("repair", "--store", str(store))
        assert r.returncode == 0, r.stderr
        r, _ = sm("check", "--store", str(store))
        row["check_after_exit"] = r.returncode
        r, row["cluster_repaired_s"] = sm("cluster", "--json", "--store", str(store))
        row["cluster_equal"] = r.stdout == clustered
        row["vectors_equal"] = (store / vectors.name).read_bytes() == vectors.read_bytes()
        row["stories"] = len(json.loads(r.stdout)["stories"])
        out["damages"][name] = row
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{out['input']}: {out['articles']:,} articles, {out['stories']:,} stories; ingest {out['ingest_s']} s, "
          f"cluster {out['cluster_intact_s']} s")
    for name, row in out["damages"].items():
        print(f"  {name}: check exit {row['check_exit']} ({row['check_says']}); ingest refused: "
              f"{row['ingest_refused']}; repair {row['repair_s']} s; check after: exit {row['check_after_exit']}; "
              f"cluster {row['cluster_repaired_s']} s, equal to intact: {row['cluster_equal']}, "
              f"vectors equal: {row['vectors_equal']}")


if __name__ == "__main__":
    main()
