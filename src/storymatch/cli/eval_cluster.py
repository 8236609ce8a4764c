"""`storymatch eval cluster`: story clustering against a labelled file.

The file goes through the same path as a user's corpus: `ingest` into a
temporary store with the chosen tier, then the online clusterer over the
store's vectors in date order. The gold `story` (and `story_title`) are taken
out of each record before ingest, so nothing downstream can see them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from storymatch.cli.app import eval_app
from storymatch.cli.common import console, err_console, fail, print_json

GOLD_KEYS = ("story", "story_title")


def read_labelled(path: Path):
    """(articles, gold story of each article id) from a labelled JSONL/CSV/...; bad records end the run."""
    from storymatch.errors import InputError
    from storymatch.inputs.readers import read_corpus

    articles, gold = [], {}
    for where, rec in read_corpus([path]):
        if isinstance(rec, InputError):
            raise rec
        label = rec.meta.get("story")
        if label in (None, ""):
            raise InputError(where, "no `story` label; eval cluster needs one per record")
        for key in GOLD_KEYS:
            rec.meta.pop(key, None)
        if rec.id in gold:
            continue  # a repeated id is one article to the store as well
        gold[rec.id] = str(label)
        articles.append((where, rec))
    if not articles:
        raise InputError(str(path), "no labelled records")
    return articles, gold


def _progress() -> Progress:
    from storymatch.cli.corpus import RateColumn

    return Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                    TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=err_console,
                    transient=True)


@eval_app.command("cluster")
def eval_cluster(
    file: Path = typer.Argument(..., help="Labelled JSONL: id, text, title, date, source, story per line."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    tier: str = typer.Option("fast", "--tier", help="Embedding tier: fast, quality, lead, hybrid."),
    threshold: Optional[float] = typer.Option(None, help="Join threshold (default: the tier's)."),
    window_days: Optional[float] = typer.Option(7.0, "--window-days", help="Days a story stays open; 0 for no window."),
) -> None:
    """Cluster a labelled file into stories without its labels; print B-cubed, pairwise F1, ARI, NMI."""
    from storymatch.corpus.clusterer import cluster_stream, labels_of, params_for
    from storymatch.corpus.ingestion import ingest_records
    from storymatch.corpus.store import Store
    from storymatch.corpus.stories import store_items
    from storymatch.evaluation.clustering_scores import score_clustering

    if not file.exists():
        fail(f"{file}: no such file")
    articles, gold = read_labelled(file)
    with tempfile.TemporaryDirectory(prefix="storymatch-eval-") as tmp, Store(Path(tmp), create=True) as store, \
            _progress() as bar:
        task = bar.add_task("ingest", total=len(articles))
        ingest_records(articles, store, tier=tier, report=False,
                       progress=lambda s: bar.update(task, completed=s.read))
        tier_name, items = store_items(store)
        params = params_for(tier_name, threshold=threshold, window_days=window_days or None)
        task = bar.add_task("cluster", total=len(items))
        stories = cluster_stream(items, params, progress=lambda k: bar.advance(task, k))
    ids = [it.id for it in items]
    scores = score_clustering([gold[i] for i in ids], labels_of(stories, ids))
    out = {k: getattr(scores, k) for k in ("articles", "stories_gold", "stories_found", "bcubed_f1",
                                           "bcubed_precision", "bcubed_recall", "pairwise_f1", "ari", "nmi")}
    if json_out:
        print_json({**out, "tier": tier_name, "threshold": params.threshold, "short_threshold": params.short_threshold,
                    "short_words": params.short_words, "window_days": params.window_days})
        return
    table = Table(title=f"{file.name}: {tier_name} tier, threshold {params.threshold} "
                        f"({params.short_threshold} under {params.short_words} words)", show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for k, v in out.items():
        table.add_row(k, f"{v:.3f}" if isinstance(v, float) else str(v))
    console.print(table)
