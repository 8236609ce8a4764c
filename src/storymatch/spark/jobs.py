"""Distributed storymatch on Apache Spark: reuse across a corpus, pair comparison, article vectors.

For corpora one machine cannot hold or finish. Every job runs the library's own
per-record logic inside Spark tasks; only the glue is here:
- records become Articles through `readers.line_article` and get their
  language from `ingest.detect_language`, as `storymatch ingest` does;
- sentence MinHash-LSH keys come from `lsh.text_keys` (numpy MinHash of
  `minhash.py`), computed per partition; the banding (which articles share a
  band key) is a Spark groupBy on band keys with each bucket exploded into pairs,
  so it runs in the JVM;
- each candidate pair is aligned by `alignment.align`, ordered as `trace` orders
  a query and its source (the later article is A, the possible reuser);
- `compare.compare` and `tiers.get_tier` load their models once per Python worker
  process (Spark reuses workers, and the embedders are cached per process).
Input is passim-style JSONL (one record a line; plain, gzip, a folder or a glob:
whatever `SparkContext.textFile` reads, so HDFS and S3 paths work too).
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from storymatch.alignment.aligner import align
from storymatch.alignment.types import AlignParams, Passage
from storymatch.corpus.lsh import LSHParams, text_keys
from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.inputs.records import article_from_record

MAX_BUCKET = 2000  # as store.lsh_hits: a band key shared by more articles is boilerplate, not reuse


# --- the session -------------------------------------------------------------------------------

def session(master: str = "local[2]", *, app_name: str = "storymatch", shuffle_partitions: int = 8,
            conf: dict[str, str] | None = None):
    """A SparkSession whose Python workers run this interpreter (and so this storymatch).

    The UI is off and shuffles are small by default: right for local runs and tests;
    on a cluster pass `conf` (or use spark-submit, which overrides the master).
    """
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName(app_name)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
               .config("spark.python.worker.reuse", "true"))
    for k, v in (conf or {}).items():
        builder = builder.config(k, v)
    return builder.getOrCreate()


# --- records -----------------------------------------------------------------------------------

def record_article(line: str, where: str) -> Article:
    """One JSONL line to an Article with its language, as ingest makes it; InputError if unreadable."""
    from storymatch.corpus.ingest import detect_language
    from storymatch.inputs.readers import line_article

    art = line_article(line, where)
    if not art.language:
        art.language = detect_language(art)
    return art


def _numbered(rows: Iterable[tuple[str, int]], path: str, one_file: bool) -> Iterator[tuple[str, int, str]]:
    """(line, index, where) for the non-blank lines of a zipWithIndex'ed text file.

    `where` is "file:line", exact for one file; for a folder or glob it is "input#n", n counting all lines.
    """
    for line, pos in rows:
        if line.strip():
            yield line, pos, f"{path}:{pos + 1}" if one_file else f"{path}#{pos + 1}"


@dataclass
class _Parsed:
    """One record as read: where it sits and its line, with its language and sentence LSH keys, or its error."""

    pos: int
    where: str
    line: str
    id: str | None = None
    language: str | None = None
    keys: list[tuple[int, int]] = field(default_factory=list)  # (sentence, band key)
    error: str | None = None


def _parse_partition(rows: Iterable[tuple[str, int]], path: str, one_file: bool,
                     lsh: LSHParams | None) -> Iterator[_Parsed]:
    for line, pos, where in _numbered(rows, path, one_file):
        try:
            art = record_article(line, where)
        except InputError as e:
            yield _Parsed(pos, where, "", error=str(e))  # the message names the line; its bytes are not kept
            continue
        keys: list[tuple[int, int]] = []
        if lsh is not None:
            _, k = text_keys(art.text, lsh)
            keys = [(s, int(key)) for s, row in enumerate(k.tolist()) for key in row if key != 0]
        yield _Parsed(pos, where, line, art.id, art.language, keys)


ARTICLE_SCHEMA = "id string, pos long, where string, line string, language string"


def row_article(row) -> Article:
    """An Article back from its row (the record's own line, the language found when it was read)."""
    art = article_from_record(json.loads(row["line"]), row["where"])
    art.language = row["language"]
    return art


def _read(spark, path: str, partitions: int | None, lsh: LSHParams | None):
    """(articles, keys, errors, parsed): DataFrames of the good records, deduplicated by id (the first
    in the input wins, as in ingest), and of their (key, id, sent) LSH keys; an RDD of error lines."""
    from pyspark.sql import functions as F

    lines = spark.sparkContext.textFile(str(path), minPartitions=partitions or spark.sparkContext.defaultParallelism)
    one_file = Path(path).is_file()
    parsed = lines.zipWithIndex().mapPartitions(lambda rows: _parse_partition(rows, str(path), one_file, lsh))
    parsed = parsed.persist()
    good = parsed.filter(lambda p: p.error is None)
    rows = spark.createDataFrame(good.map(lambda p: (p.id, p.pos, p.where, p.line, p.language)), ARTICLE_SCHEMA)
    articles = (rows.groupBy("id").agg(F.min(F.struct("pos", "where", "line", "language")).alias("r"))
                .select("id", "r.*").persist())
    # A later duplicate's keys stay: they can only add candidates, which alignment of the winning text settles.
    keys = spark.createDataFrame(good.flatMap(lambda p: [(key, p.id, s) for s, key in p.keys]),
                                 "key long, id string, sent int")
    errors = parsed.filter(lambda p: p.error is not None).map(lambda p: p.error)
    return articles, keys, errors, parsed


def _later_first(x, y):
    """(later, earlier) article rows by `store.Stored.earlier_than`'s rule: publication dates when both
    are known and differ, else input order."""
    a, b = x[1].date, y[1].date
    x_earlier = a < b if (a and b and a != b) else x[0]["pos"] < y[0]["pos"]
    return (y, x) if x_earlier else (x, y)


# --- job 1: text reuse across a corpus ---------------------------------------------------------

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
    from pyspark.sql import functions as F

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
    (ra, a), (rb, b) = _later_first((x, row_article(x)), (y, row_article(y)))
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
    from pyspark.sql import functions as F

    if fmt not in ("jsonl", "parquet"):
        raise ValueError(f"unknown output format {fmt!r} (jsonl or parquet)")
    t0 = time.perf_counter()
    out = Path(out_dir)
    run = ReuseRun(input=str(input_jsonl), out=str(out))
    articles, keys, errors, parsed = _read(spark, str(input_jsonl), partitions, lsh or LSHParams())
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
        _write(spark, results, out / "pairs", fmt, PAIR_SCHEMA)
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


def _write(spark, rdd, out: Path, fmt: str, schema: str | None = None) -> None:
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


# --- job 2: compare a file of pairs ------------------------------------------------------------

def pair_articles(line: str, where: str) -> tuple[str, Article, Article]:
    """(pair id, A, B) from one line: {"id", "a": record, "b": record} (the HTTP API's shape)
    or a SemEval-style flat record (text1/text2, title1/title2, ...)."""
    from storymatch.evaluation.semeval import pair_from_record

    try:
        rec = json.loads(line)
    except json.JSONDecodeError as e:
        raise InputError(where, f"invalid JSON ({e.msg} at column {e.colno})") from None
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
    from storymatch.comparison.pipeline import compare

    for line, pos, where in _numbered(rows, path, one_file):
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
            _write(spark, results, out, "jsonl")
        errors = results.filter(lambda r: "error" in r).count()
        total = results.count()
    finally:
        results.unpersist()
    return {"pairs": total - errors, "errors": errors, "seconds": round(time.perf_counter() - t0, 3)}


# --- job 3: article vectors --------------------------------------------------------------------

@lru_cache(maxsize=4)
def _tier(name: str):
    """One tier object (and its model) per worker process."""
    from storymatch.embedding.tiers import get_tier

    return get_tier(name)


def _embed_partition(rows: Iterable, tier: str, batch: int = 256) -> Iterator[tuple[str, list[float]]]:
    buf: list[Article] = []

    def flush():
        vecs = _tier(tier).encode_articles(buf)
        out = [(a.id, [float(v) for v in row]) for a, row in zip(buf, vecs)]
        buf.clear()
        return out

    for row in rows:
        buf.append(row_article(row))
        if len(buf) >= batch:
            yield from flush()
    if buf:
        yield from flush()


def embed_corpus(spark, input_jsonl: str | Path, out: str | Path, *, tier: str = "fast",
                 partitions: int | None = None) -> dict[str, Any]:
    """A unit vector per article (id, vector) in the named tier, as Parquet at `out`.

    The tier is resolved once on the driver (the model tiers pick their embedder from
    the corpus's languages), so every partition writes vectors of one space.
    """
    from storymatch.embedding.base import MINILM, USE_MULTILINGUAL
    from storymatch.embedding.registry import choose_backend
    from storymatch.embedding.tiers import FAST, TIER_NAMES

    t0 = time.perf_counter()
    articles, _, errors, parsed = _read(spark, str(input_jsonl), partitions, None)
    try:
        name = tier
        if tier.partition(":")[0] not in (*TIER_NAMES, MINILM, USE_MULTILINGUAL):
            raise ValueError(f"unknown tier {tier!r} (choose from: {', '.join(TIER_NAMES)})")
        if tier in TIER_NAMES and tier != FAST:  # a model tier's embedder follows the languages: choose it once
            langs = [r["language"] for r in articles.select("language").distinct().collect()]
            name = f"{tier}:{choose_backend(langs)}"
        rows = articles.rdd.mapPartitions(lambda it: _embed_partition(it, name))
        spark.createDataFrame(rows, "id string, vector array<float>").write.parquet(str(out))
        n, bad = articles.count(), errors.count()
    finally:
        articles.unpersist()
        parsed.unpersist()
    return {"articles": n, "bad": bad, "tier": name, "seconds": round(time.perf_counter() - t0, 3)}
