"""Count what every command does on every damaged store of the damaged-store matrix (tests/cli/test_damaged_stores.py),
for the code in a given tree: the figures docs/EVALUATION.md reports before and after a change, in one run.

    python benchmarks/damaged_stores.py [--src /path/to/other/src] [--json]

Each damage x command (search, trace, cluster, report, ingest, check) runs as a real process on a fresh damaged copy
of the fixture corpus's store, and its outcome is one of: `refused` (exit 2, or 1 for check, one stderr line naming
the damage), `same` (exit 0 and the intact store's answer: the damage did not reach it), `silent` (exit 0 and
another answer than the intact store's, or check calling the store sound, or ingest writing into it), `traceback`,
`other` (any other exit or message). The store and the intact answers are made by the tree under test.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {"search": ("search", "seed-b", "--json"), "trace": ("trace", "seed-a", "--json"),
            "cluster": ("cluster", "--json"), "report": ("report", "--json")}


def matrix():
    spec = importlib.util.spec_from_file_location("damaged_matrix", ROOT / "tests" / "cli" / "test_damaged_stores.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(src: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "storymatch", *args, "--quiet"], capture_output=True, text=True,
                          timeout=600, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(src), "COLUMNS": "400"})


def classify(r: subprocess.CompletedProcess, says: str, intact: str | None, refused_code: int = 2) -> str:
    if "Traceback" in r.stderr:
        return "traceback"
    lines = r.stderr.strip().splitlines()
    if r.returncode == refused_code and says in r.stderr and (refused_code == 1 or len(lines) == 1):
        return "refused"
    if r.returncode == 0:
        return "same" if intact is not None and r.stdout == intact else "silent"
    return "other"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the storymatch source tree to run")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    m = matrix()
    tmp = Path(tempfile.mkdtemp(prefix="damaged-matrix-"))
    try:
        intact = tmp / "intact"
        assert run(args.src, "ingest", str(m.FIXTURE_CORPUS), "--store", str(intact)).returncode == 0
        assert run(args.src, "cluster", "--json", "--store", str(intact)).returncode == 0
        answers = {name: run(args.src, *cmd, "--store", str(intact)).stdout for name, cmd in COMMANDS.items()}
        outcomes: dict[str, dict[str, str]] = {}
        for damage, (make, says, _) in m.DAMAGES.items():
            row = outcomes[damage] = {}
            for name in (*COMMANDS, "ingest", "check"):
                store = tmp / "cases" / f"{len(outcomes)}-{name}"
                shutil.copytree(intact, store)
                make(store)
                if name == "ingest":
                    r = run(args.src, "ingest", str(m.NEW_ARTICLE), "--store", str(store))
                    row[name] = classify(r, says, None)
                elif name == "check":
                    r = run(args.src, "check", "--store", str(store))
                    row[name] = classify(r, says, None, refused_code=1)
                else:
                    r = run(args.src, *COMMANDS[name], "--store", str(store))
                    row[name] = classify(r, says, answers[name])
                shutil.rmtree(store, ignore_errors=True)
            print(f"{damage:28s} " + " ".join(f"{k}={v}" for k, v in row.items()), file=sys.stderr, flush=True)
        total = Counter(v for row in outcomes.values() for v in row.values())
        checked = Counter(row["check"] for row in outcomes.values())
        summary = {"src": str(args.src), "cases": sum(total.values()), "outcomes": dict(total),
                   "check_names": checked.get("refused", 0), "damages": len(outcomes), "per_damage": outcomes}
        print(json.dumps(summary, indent=2) if args.json else
              f"{summary['cases']} cases: " + ", ".join(f"{k} {v}" for k, v in sorted(total.items()))
              + f"; check names the damage in {summary['check_names']} of {len(outcomes)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
