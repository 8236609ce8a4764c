"""Spark job 1: every pair of articles in a corpus that shares text, with its aligned passages.

Sentence MinHash-LSH keys are computed per partition (`lsh.text_keys`); the banding (which articles
share a band key) is a Spark group-by on band keys with each bucket exploded into pairs, so it runs in the
JVM; each candidate pair is aligned by `alignment.align`, the later article as A (the possible reuser),
as `trace` orders a query and its source.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from storymatch.alignment.aligner import align
from storymatch.alignment.types import AlignParams, Passage
from storymatch.errors import InputError
from storymatch.features.lsh import MAX_BUCKET, LSHParams
from storymatch.spark.output import write_records
from storymatch.spark.records import later_first, read_corpus, row_article


@dataclass
class ReuseRun:
    """What a `reuse_pairs` run did; also written to OUT/summary.json."""

    input: str
    out: str
    records: int = 0
    articles: int = 0  # distinct ids
    bad: int = 0
    candidate_pairs: int = 0  # article pairs sharing an LSH band key
    reuse_pairs: int = 0  # candidate pairs with at least one aligned passage
    passages: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def candidate_pairs(keys, *, max_bucket: int = MAX_BUCKET, min_shared: int = 1):
    """DataFrame (x, y, shared): article ids x < y sharing LSH band keys in `shared` sentences of each.

    The banding is relational: group the (band key, article, sentence) rows by key,
    drop keys held by one article only or by more than `max_bucket` (boilerplate),
    and explode each bucket against itself. `shared` counts distinct sentences on
    the side with fewer, as `lsh.rank_candidates` counts a query's sentences.
    """
    from pyspark.sql import functions as F  # pyspark only inside Spark jobs

    buckets = (keys.groupBy("key").agg(F.collect_set(F.struct("id", "sent")).alias("m"))
               .where(F.size(F.array_distinct(F.col("m.id"))).between(2, max_bucket)))
    pairs = (buckets.select(F.explode("m").alias("x"), "m")
             .select("x", F.explode("m").alias("y"))
             .where(F.col("x.id") < F.col("y.id"))
             .groupBy(F.col("x.id").alias("x"), F.col("y.id").alias("y"))
             .agg(F.least(F.size(F.collect_set("x.sent")), F.size(F.collect_set("y.sent"))).alias("shared")))
    return pairs.where(F.col("shared") >= min_shared)


def align_pair(x, y, shared: int, params: AlignParams | None = None) -> dict[str, Any] | None:
    """One output record for a candidate pair of article rows: align(later, earlier), or None when
    no passage survives the aligner."""
    (ra, a), (rb, b) = later_first((x, row_article(x)), (y, row_article(y)))
    result = align(a, b, params)
    if not result.passages:
        return None
    source = {"a": a.id, "b": b.id}.get(result.likely_source or "")
    return {"a_id": a.id, "b_id": b.id, "shared_sentences": shared, "a_date": _iso(a.date), "b_date": _iso(b.date),
            **result.to_dict(), "source_id": source}


def _iso(d) -> str | None:
    return d.isoformat() if d else None


def reuse_pairs(spark, input_jsonl: str | Path, out_dir: str | Path, *, partitions: int | None = None,
                lsh: LSHParams | None = None, align_params: AlignParams | None = None,
                max_bucket: int = MAX_BUCKET, min_shared: int = 1, fmt: str = "jsonl") -> ReuseRun:
    """Every pair of articles in a JSONL corpus that shares text, with its aligned passages.

    Writes OUT/pairs (one record a reuse pair: a_id, b_id, shared_sentences, the
    `Alignment.to_dict()` fields: passages with offsets, kind, similarity and
    substitutions, coverage_a/b, likely_source, source_reason, plus source_id),
    OUT/bad (one line per unreadable record) and OUT/summary.json.
    """
    from pyspark.sql import functions as F  # pyspark only inside Spark jobs

    if fmt not in ("jsonl", "parquet"):
        raise InputError("format", f"unknown output format {fmt!r} (jsonl or parquet)")
    t0 = time.perf_counter()
    out = Path(out_dir)
    run = ReuseRun(input=str(input_jsonl), out=str(out))
    articles, keys, errors, parsed = read_corpus(spark, str(input_jsonl), partitions, lsh or LSHParams())
    try:
        cands = candidate_pairs(keys, max_bucket=max_bucket, min_shared=min_shared).persist()
        cols = [F.struct(*[F.col(f"{s}.{c}").alias(c) for c in ("pos", "where", "line", "language")]).alias(s)
                for s in ("ax", "ay")]
        joined = (cands.join(articles.alias("ax"), F.col("x") == F.col("ax.id"))
                  .join(articles.alias("ay"), F.col("y") == F.col("ay.id"))
                  .select(*cols, "shared")
                  .repartition(partitions or spark.sparkContext.defaultParallelism))
        results = (joined.rdd.mapPartitions(
            lambda rows: (r for row in rows if (r := align_pair(row["ax"], row["ay"], row["shared"], align_params))))
            .persist())
        write_records(spark, results, out / "pairs", fmt, PAIR_SCHEMA)
        errors.saveAsTextFile(str(out / "bad"))
        run.records = parsed.count()
        run.bad = errors.count()
        run.articles = articles.count()
        run.candidate_pairs = cands.count()
        run.reuse_pairs = results.count()
        run.passages = int(results.map(lambda r: len(r["passages"])).sum()) if run.reuse_pairs else 0
        results.unpersist()
        cands.unpersist()
    finally:
        articles.unpersist()
        parsed.unpersist()
    run.seconds = round(time.perf_counter() - t0, 3)
    (out / "summary.json").write_text(json.dumps(asdict(run), indent=2) + "\n", encoding="utf-8")
    return run


# Spark types of the Passage fields, so a field added to Passage fails here instead of vanishing from Parquet.


_SPARK_TYPES = {"int": "long", "float": "double", "str": "string", "list[list[str]]": "array<array<string>>"}
PASSAGE_TYPE = "struct<" + ",".join(f"{f.name}:{_SPARK_TYPES[str(f.type)]}" for f in fields(Passage)) + ">"
PAIR_SCHEMA = (f"a_id string, b_id string, shared_sentences long, a_date string, b_date string, "
               f"passages array<{PASSAGE_TYPE}>, coverage_a double, coverage_b double, likely_source string, "
               f"source_reason string, source_id string")
