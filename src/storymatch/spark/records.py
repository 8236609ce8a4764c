"""Reading a JSONL (or Parquet) corpus into Spark: each record an Article with its language and LSH keys, or an
error line.

Records become Articles through `readers.line_article` and get their language as `storymatch ingest`
gives it, so a Spark run and a store read the same corpus the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from storymatch.corpus.ingest_analysis import article_language
from storymatch.corpus.store import published_before
from storymatch.errors import InputError
from storymatch.features.lsh import LSHParams, text_keys
from storymatch.inputs.article import Article
from storymatch.inputs.readers import line_article
from storymatch.inputs.records import article_from_record, parse_json


def record_article(line: str, where: str) -> Article:
    """One JSONL line to an Article with its language, as ingest makes it; InputError if unreadable."""
    art = line_article(line, where)
    if not art.language:
        art.language = article_language(art)
    return art


def numbered(rows: Iterable[tuple[str, int]], path: str, one_file: bool) -> Iterator[tuple[str, int, str]]:
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
    for line, pos, where in numbered(rows, path, one_file):
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
    art = article_from_record(parse_json(row["line"], row["where"], line=True), row["where"], keep_bad_date=True)
    art.language = row["language"]
    return art


def is_parquet(path: str) -> bool:
    """A Parquet input: a .parquet file, or a folder of .parquet part files (as Spark writes them)."""
    p = Path(path)
    return p.suffix == ".parquet" or (p.is_dir() and any(p.glob("*.parquet")))


def _lines(spark, path: str, partitions: int):
    """The input's records as JSON lines: a text file's lines, or each row of a Parquet input as JSON."""
    if is_parquet(path):
        return spark.read.parquet(path).toJSON().repartition(partitions)
    return spark.sparkContext.textFile(path, minPartitions=partitions)


def read_corpus(spark, path: str, partitions: int | None, lsh: LSHParams | None):
    """(articles, keys, errors, parsed): DataFrames of the good records, deduplicated by id (the first
    in the input wins, as in ingest), and of their (key, id, sent) LSH keys; an RDD of error lines."""
    from pyspark.sql import functions as F  # pyspark only inside Spark jobs

    lines = _lines(spark, str(path), partitions or spark.sparkContext.defaultParallelism)
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


def later_first(x, y):
    """((row, Article) later, (row, Article) earlier) by the store's rule for "earlier"
    (`published_before`: publication dates when both are known and differ, else input order)."""
    x_earlier = published_before(x[1].date, x[0]["pos"], y[1].date, y[0]["pos"])
    return (y, x) if x_earlier else (x, y)
