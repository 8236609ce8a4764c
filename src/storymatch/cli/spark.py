"""`storymatch spark ...`: the corpus jobs of storymatch.spark, run on a Spark master (local by default)."""

from __future__ import annotations

import glob
import os
import re
import shutil
from pathlib import Path
from typing import Optional

import typer

from storymatch.cli.app import app
from storymatch.cli.common import err_console, fail, plural, print_json
from storymatch.cli.progress import child_stderr_above_spinner, working
from storymatch.errors import StorymatchError

spark_app = typer.Typer(no_args_is_help=True,
                        help="Run corpus jobs on Apache Spark when one machine is not enough "
                             "(pip install 'storymatch[spark]').")
app.add_typer(spark_app, name="spark")

MASTER_OPT = typer.Option("local[2]", "--master", help="Spark master URL: local[N], spark://host:7077, yarn, ...")
PARTITIONS_OPT = typer.Option(None, "--partitions", min=1, help="Input partitions (default: the master's parallelism).")


def _is_local(path: str) -> bool:
    return "://" not in path


MASTER_URL = re.compile(r"local(\[(\d+|\*)(,\d+)?\])?|yarn|(spark|k8s|mesos)://\S+")


def _check(inp: str, out: str, master: str) -> None:
    """Refuse before starting a JVM: missing pyspark or java, a malformed master, missing input, existing output."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        fail("pyspark is not installed; pip install 'storymatch[spark]' (needs Java 17+)")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        fail("java is not installed (Spark needs Java 17+); install it or set JAVA_HOME")
    if not MASTER_URL.fullmatch(master):
        fail(f"--master {master}: not a Spark master URL (local[N], spark://host:port, yarn, k8s://...)")
    if _is_local(inp) and not Path(inp).exists() and not glob.glob(inp):
        fail(f"{inp}: no such file or folder")
    if _is_local(out) and Path(out).exists():
        fail(f"{out}: already exists; Spark writes a new output, choose another path")


def _run(job, inp: str, out: str, master: str, json_out: bool, message) -> None:
    """Start a session, run `job(spark)` (a summary dict), stop; print the summary as JSON or `message(summary)`."""
    from storymatch.spark import session

    _check(inp, out, master)
    with working(f"starting Spark ({master})") as spinner, child_stderr_above_spinner():
        try:
            spark = session(master)
        except Exception as e:  # py4j/JVM errors: a bad master URL, no free port, too little memory
            lines = [ln for ln in str(e).splitlines() if ln.strip()]
            spinner.stop()
            fail(f"cannot start Spark with --master {master}: {lines[0] if lines else type(e).__name__}")
    spark.sparkContext.setLogLevel("ERROR")
    try:
        with working(f"running on Spark ({master})"):
            summary = job(spark)
    except StorymatchError as e:
        fail(str(e))
    finally:
        spark.stop()
    if json_out:
        print_json(summary)
    else:
        err_console.print(message(summary), highlight=False, markup=False)


# What each job prints when it ends (the --json summary has the same counts).
def reuse_message(r: dict, out: str) -> str:
    return (f"{plural(r['articles'], 'article')} ({plural(r['bad'], 'bad record')}, listed in {out}/bad) in "
            f"{r['seconds']:.1f} s ({r['articles_per_second']:,.1f} articles/s): "
            f"{plural(r['candidate_pairs'], 'candidate pair')}, {plural(r['reuse_pairs'], 'pair')} sharing text, with "
            f"{plural(r['passages'], 'passage')}, in {out}/pairs")


def compare_message(r: dict, out: str) -> str:
    return (f"{plural(r['pairs'], 'pair')} compared ({plural(r['errors'], 'bad line')}, written as error records) in "
            f"{r['seconds']:.1f} s -> {out}")


def stories_message(r: dict, out: str) -> str:
    return (f"{plural(r['articles'], 'article')} placed ({plural(r['bad'], 'bad record')}, listed in {out}/bad; "
            f"{plural(r['duplicates'], 'repeated id')}, the first kept) in {r['seconds']:.1f} s: "
            f"{plural(r['stories'], 'story', 'stories')}, {r['multi_article_stories']:,} with more than one article, "
            f"{plural(r['reuse_edges'], 'reuse pair')} inside them -> {out}")


def embed_message(r: dict, out: str) -> str:
    return (f"{plural(r['articles'], 'vector')} ({r['tier']}, {plural(r['bad'], 'bad record')}) in "
            f"{r['seconds']:.1f} s -> {out}")


@spark_app.command("reuse")
def reuse(input: str = typer.Argument(..., help="Passim-style JSONL corpus: a file, .gz, folder or glob "
                                                "(id, text, title, date, source, ...)."),
          out: str = typer.Option(..., "--out", help="Output folder (created): pairs/, bad/, summary.json."),
          master: str = MASTER_OPT, partitions: Optional[int] = PARTITIONS_OPT,
          fmt: str = typer.Option("jsonl", "--format", help="Output format of pairs/: jsonl or parquet."),
          max_bucket: int = typer.Option(2000, "--max-bucket", min=2,
                                         help="Ignore LSH band keys shared by more articles (boilerplate)."),
          json_out: bool = typer.Option(False, "--json", help="Print the run summary as JSON.")) -> None:
    """Every pair of articles that shares text, with the passages they share: candidate pairs from sentences that
    hash alike (MinHash-LSH), each then aligned as `storymatch align` does."""
    from dataclasses import asdict

    from storymatch.spark import reuse_pairs

    if fmt not in ("jsonl", "parquet"):
        fail(f"--format {fmt}: choose jsonl or parquet")

    def job(spark) -> dict:
        run = reuse_pairs(spark, input, out, partitions=partitions, fmt=fmt, max_bucket=max_bucket)
        return {**asdict(run), "articles_per_second": round(run.rate, 2)}

    _run(job, input, out, master, json_out, lambda r: reuse_message(r, out))


@spark_app.command("compare")
def compare(pairs: str = typer.Argument(..., help="JSONL of pairs: {\"id\", \"a\": {text, title, date, ...}, "
                                                 "\"b\": {...}} or SemEval-style text1/text2 records."),
            out: str = typer.Option(..., "--out",
                                    help="Results: a .jsonl file, or a folder of part files for any other name."),
            master: str = MASTER_OPT, partitions: Optional[int] = PARTITIONS_OPT,
            model: Optional[str] = typer.Option(None, "--model",
                                                help="Embedding backend for every pair: minilm, use-multilingual, "
                                                     "or a sentence-transformers model name/path. "
                                                     "Default: chosen from each pair's languages."),
            backend: Optional[str] = typer.Option(None, "--backend", hidden=True,
                                                  help="Old name of --model, kept for one release."),
            json_out: bool = typer.Option(False, "--json", help="Print the run summary as JSON.")) -> None:
    """Compare every pair of a file as `storymatch compare` does; one result a line, the JSON that
    `storymatch compare --json` prints."""
    from storymatch.spark import compare_pairs

    _run(lambda spark: compare_pairs(spark, pairs, out, partitions=partitions, backend=model or backend),
         pairs, out, master, json_out,
         lambda r: compare_message(r, out))


@spark_app.command("embed")
def embed(input: str = typer.Argument(..., help="Passim-style JSONL corpus."),
          out: str = typer.Option(..., "--out", help="Parquet output folder: id, vector."),
          tier: str = typer.Option("fast", "--tier", help="Vector tier: fast, quality, lead, hybrid."),
          master: str = MASTER_OPT, partitions: Optional[int] = PARTITIONS_OPT,
          json_out: bool = typer.Option(False, "--json", help="Print the run summary as JSON.")) -> None:
    """One vector per article, as `storymatch ingest --tier` makes them for finding articles on the same story;
    written as Parquet (id, vector)."""
    from storymatch.spark import embed_corpus

    _run(lambda spark: embed_corpus(spark, input, out, tier=tier, partitions=partitions),
         input, out, master, json_out,
         lambda r: embed_message(r, out))


@spark_app.command("stories")
def stories(input: str = typer.Argument(..., help="Passim-style corpus: JSONL (a file, .gz, folder or glob) or "
                                                  "Parquet (id, text, title, date, source, ...)."),
            out: str = typer.Option(..., "--out", help="Output folder (created): articles/, stories/, reuse/, bad/, "
                                                       "state/, summary.json."),
            previous: Optional[str] = typer.Option(None, "--previous",
                                                   help="The OUT of an earlier run: add INPUT's articles to its "
                                                        "stories without judging its pairs again."),
            master: str = MASTER_OPT, partitions: Optional[int] = PARTITIONS_OPT,
            fmt: str = typer.Option("jsonl", "--format", help="Output format: jsonl or parquet."),
            window: float = typer.Option(7.0, "--window", min=0,
                                         help="Days a story stays open after its latest article (as cluster)."),
            json_out: bool = typer.Option(False, "--json", help="Print the run summary as JSON.")) -> None:
    """The stories of a corpus, the ones `storymatch cluster` makes on one machine, with the reuse inside each."""
    from dataclasses import asdict

    from storymatch.corpus.clusterer import ClusterParams
    from storymatch.spark import stories as run_stories

    if fmt not in ("jsonl", "parquet"):
        fail(f"--format {fmt}: choose jsonl or parquet")
    if previous is not None and _is_local(previous) and not (Path(previous) / "state" / "meta.json").is_file():
        fail(f"--previous {previous}: not the output of `storymatch spark stories` (no state/meta.json)")

    def job(spark) -> dict:
        run = run_stories(spark, input, out, previous=previous, partitions=partitions, fmt=fmt,
                          params=ClusterParams(window_days=window))
        return {**asdict(run), "articles_per_second": round(run.rate, 2)}

    _run(job, input, out, master, json_out, lambda r: stories_message(r, out))
