"""`storymatch eval cluster`: story clustering against a labelled file (evaluation/story_clustering.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from storymatch.cli.app import eval_app
from storymatch.cli.common import console, fail, print_json
from storymatch.cli.corpus import RateColumn
from storymatch.cli.progress import progress_bar
from storymatch.evaluation.story_clustering import BASELINE_THRESHOLD, cluster_labelled, read_labelled


def _progress() -> Progress:
    return progress_bar(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                        TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn())


@eval_app.command("cluster")
def eval_cluster(
    file: Path = typer.Argument(..., help="Labelled JSONL: id, text, title, date, source, story per line."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    tier: str = typer.Option("fast", "--tier", help="Embedding tier: fast, quality, lead, hybrid."),
    threshold: Optional[float] = typer.Option(None, help="Least same-story probability to join a story "
                                                         "(default: the verifier's, 0.5)."),
    window_days: Optional[float] = typer.Option(7.0, "--window-days", help="Days a story stays open; 0 for no window."),
    baseline: bool = typer.Option(True, "--baseline/--no-baseline",
                                  help="Also run TF-IDF + average linkage on the same articles."),
) -> None:
    """Cluster a labelled file into stories without its labels; print B-cubed, pairwise F1, ARI, NMI, beside the
    TF-IDF + average-linkage baseline on the same articles."""
    if not file.exists():
        fail(f"{file}: no such file")
    articles, gold = read_labelled(file)
    with _progress() as bar:
        ingesting = bar.add_task("ingest", total=len(articles))
        clustering = bar.add_task("cluster", total=len(articles))
        run = cluster_labelled(articles, gold, tier=tier, threshold=threshold, window_days=window_days,
                               on_ingest=lambda s: bar.update(ingesting, completed=s.read),
                               on_cluster=lambda k: bar.advance(clustering, k), baseline=baseline)
    measures = ("articles", "stories_gold", "stories_found", "bcubed_f1", "bcubed_precision", "bcubed_recall",
                "pairwise_f1", "ari", "nmi")
    out = {k: getattr(run.scores, k) for k in measures}
    base = {k: getattr(run.baseline, k) for k in measures} if run.baseline else None
    if json_out:
        print_json({**out, "tier": run.tier, "threshold": run.params.threshold, "window_days": run.params.window_days,
                    "baseline": ({**base, "method": "tfidf+average-linkage", "threshold": BASELINE_THRESHOLD}
                                 if base else None)})
        return
    console.print(results_table(f"{file.name}: {run.tier} tier, verified links, window {run.params.window_days} days",
                                out, base))
    console.print(f"[dim]{NOTE}[/dim]", highlight=False)


# What each measure is, for a reader who does not know the clustering literature; --json keeps the keys.
MEASURES = {
    "articles": "articles",
    "stories_gold": "stories in the labels",
    "stories_found": "stories found",
    "bcubed_f1": "B-cubed F1",
    "bcubed_precision": "B-cubed precision",
    "bcubed_recall": "B-cubed recall",
    "pairwise_f1": "pairwise F1",
    "ari": "adjusted Rand index",
    "nmi": "normalised mutual information",
}
NOTE = ("B-cubed, per article: precision = the share of its found story that is its labelled story, recall = the share "
        "of its labelled story found with it; pairwise F1 does the same over pairs of articles. All 0 to 1, higher "
        "is better (the adjusted Rand index is 0 for chance and can go below). The baseline groups articles whose "
        f"TF-IDF vectors are close (average linkage, joined up to a cosine distance of {BASELINE_THRESHOLD}), the "
        "textbook method, on the same articles.")


def results_table(title: str, out: dict, base: dict | None) -> Table:
    table = Table(title=title, show_header=True)
    table.add_column("measure")
    table.add_column("storymatch", justify="right")
    if base:
        table.add_column("baseline: TF-IDF + average linkage", justify="right")
    for k, v in out.items():
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v)]
        if base:
            b = base[k]
            cells.append(f"{b:.3f}" if isinstance(b, float) else str(b))
        table.add_row(MEASURES.get(k, k), *cells)
    return table
