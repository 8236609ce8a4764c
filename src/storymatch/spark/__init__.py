"""Distributed storymatch on Apache Spark: stories of a corpus, reuse across it, pair comparison, article vectors.

For corpora one machine cannot hold or finish. Every job runs the library's own per-record logic inside
Spark tasks; only the glue (reading, the banding join, writing) is here. Input is passim-style JSONL (one
record a line; plain, gzip, a folder or a glob: whatever `SparkContext.textFile` reads, so HDFS and S3
paths work too). pyspark is imported only when a job runs (`pip install 'storymatch[spark]'`).
"""

from storymatch.spark.output import read_output
from storymatch.spark.pairs import compare_pairs
from storymatch.spark.records import record_article
from storymatch.spark.reuse import reuse_pairs
from storymatch.spark.session import session
from storymatch.spark.stories import stories
from storymatch.spark.vectors import embed_corpus

__all__ = ["compare_pairs", "embed_corpus", "read_output", "record_article", "reuse_pairs", "session", "stories"]
