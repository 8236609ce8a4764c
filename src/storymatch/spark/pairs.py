"""Spark job 2: `compare()` on every pair of a JSONL file, one compare JSON a line.

Models load once per Python worker process (Spark reuses its workers, and the embedders are cached per
process), not once per record.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Iterable, Iterator

from storymatch.comparison.pipeline import compare
from storymatch.errors import InputError
from storymatch.evaluation.semeval import pair_from_record
from storymatch.inputs.article import Article
from storymatch.inputs.records import article_from_record, parse_json
from storymatch.spark.output import write_records
from storymatch.spark.records import numbered


def pair_articles(line: str, where: str) -> tuple[str, Article, Article]:
    """(pair id, A, B) from one line: {"id", "a": record, "b": record} (the HTTP API's shape)
    or a SemEval-style flat record (text1/text2, title1/title2, ...)."""
    rec = parse_json(line, where, line=True)
    if isinstance(rec, dict) and ("a" in rec or "b" in rec):
        if not isinstance(rec.get("a"), dict) or not isinstance(rec.get("b"), dict):
            raise InputError(where, "a pair needs both \"a\" and \"b\" objects")
        a = article_from_record(rec["a"], f"{where} a")
        b = article_from_record(rec["b"], f"{where} b")
        return str(rec.get("id") or rec.get("pair_id") or where), a, b
    pair = pair_from_record(rec, where)
    return pair.pair_id or where, pair.a, pair.b


def _compare_partition(rows: Iterable[tuple[str, int]], path: str, one_file: bool,
                       backend: str | None) -> Iterator[dict]:
    for line, pos, where in numbered(rows, path, one_file):
        try:
            pid, a, b = pair_articles(line, where)
        except InputError as e:
            yield {"line": pos + 1, "error": str(e)}
            continue
        yield {"id": pid, "line": pos + 1, **compare(a, b, backend=backend).to_dict()}


def compare_pairs(spark, pairs_jsonl: str | Path, out: str | Path, *, partitions: int | None = None,
                  backend: str | None = None) -> dict[str, int]:
    """`compare()` on every pair of a JSONL file; one JSON result a line ({"id", "line", ...contract}).

    Bad lines become {"line", "error"} records in the same output. `out` ending in
    .jsonl is one local file (streamed through the driver); otherwise a Spark output
    folder of part files. Returns {"pairs", "errors", "seconds"}.
    """
    t0 = time.perf_counter()
    path = str(pairs_jsonl)
    lines = spark.sparkContext.textFile(path, minPartitions=partitions or spark.sparkContext.defaultParallelism)
    one_file = Path(path).is_file()
    results = (lines.zipWithIndex()
               .mapPartitions(lambda rows: _compare_partition(rows, path, one_file, backend)).persist())
    try:
        out = Path(out)
        if out.suffix == ".jsonl":
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8") as fh:
                for r in results.toLocalIterator():
                    fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        else:
            write_records(spark, results, out, "jsonl")
        errors = results.filter(lambda r: "error" in r).count()
        total = results.count()
    finally:
        results.unpersist()
    return {"pairs": total - errors, "errors": errors, "seconds": round(time.perf_counter() - t0, 3)}
