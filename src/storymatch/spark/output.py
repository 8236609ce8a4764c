"""Writing a job's records (JSONL part files or Parquet) and reading small outputs back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_records(spark, rdd, out: Path, fmt: str, schema: str | None = None) -> None:
    """Records (dicts) as JSONL part files, or as Parquet with the given schema."""
    lines = rdd.map(lambda r: json.dumps(r, ensure_ascii=False))
    if fmt == "parquet":
        spark.read.schema(schema).json(lines).write.parquet(str(out))
    else:
        lines.saveAsTextFile(str(out))


def read_output(path: str | Path) -> list[dict[str, Any]]:
    """The records of a JSONL output folder (part files) or file, for tests and small results."""
    p = Path(path)
    files = sorted(p.glob("part-*")) if p.is_dir() else [p]
    return [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
