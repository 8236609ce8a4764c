"""`storymatch eval pan DIR`: PAN text-alignment measures of storymatch's aligner."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from storymatch.alignment.types import AlignParams
from storymatch.cli.align import align_options
from storymatch.cli.app import eval_app
from storymatch.cli.common import console, fail, plural, print_json
from storymatch.cli.progress import progress_bar
from storymatch.errors import InputError
from storymatch.evaluation import pan, plagdet


def _load(path: Path) -> list[pan.PanPair]:
    if path.is_file() and path.suffix == ".jsonl":
        return list(pan.read_jsonl(path))
    if path.is_dir():
        return pan.read_layout(path)
    if path.exists():
        raise InputError(str(path), "neither a PAN corpus directory nor a .jsonl file of pairs")
    raise InputError(str(path), "no such file or directory")


def _print(result: dict, path: str) -> None:
    console.print(f"[bold]PAN text alignment[/bold] on {path}: {plural(result['pairs'], 'pair')}, "
                  f"{plural(result['cases'], 'case')}, {plural(result['detections'], 'detection')}, "
                  f"{result['pairs_per_s']:.1f} pairs/s", highlight=False)
    table = Table("obfuscation", "pairs", "plagdet", "prec", "recall", "gran", "pair level")
    rows = [("overall", {**result, "pairs": result["pairs_scored"]})] + list(result["by_obfuscation"].items())
    for name, r in rows:
        if "plagdet" in r:
            table.add_row(name, str(r["pairs"]), *(f"{r[k]:.4f}" if r[k] is not None else "n/a"
                                                   for k in ("plagdet", "precision", "recall", "granularity")), "")
        elif "found" in r:
            table.add_row(name, str(r["pairs"]), "", "", "", "", f"found {r['found']:.1%}")
        else:
            table.add_row(name, str(r["pairs"]), "", "", "", "", f"false claims {r['wrongly_claimed']:.1%}")
    console.print(table)
    console.print("[dim]overall: every pair with character-level truth, as PAN scores a corpus.[/dim]")


@eval_app.command("pan")
@align_options
def eval_pan(
    path: Annotated[Path, typer.Argument(help="PAN corpus directory (pairs, src/, susp/, truth/) "
                                              "or a .jsonl of pairs.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the measures as JSON.")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", help="Also write detections in PAN's XML format here.")]
    = None,
    params: Optional[AlignParams] = None,
) -> None:
    """Precision, recall, granularity and plagdet (PAN's character-level definitions), overall and per obfuscation."""
    try:
        pairs = _load(path)
    except InputError as e:
        fail(str(e))
    if not pairs:
        fail(f"{path}: no pairs to evaluate")
    if out is not None and out.exists() and not out.is_dir():
        fail(f"{out}: exists and is not a directory")
    detections = []
    start = time.perf_counter()
    columns = (TextColumn("aligning"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with progress_bar(*columns) as progress:
        task = progress.add_task("pairs", total=len(pairs))
        for pair in pairs:
            found = pan.detect(pair, params)
            detections.append(found)
            if out is not None:
                pan.write_detections(out, pair, found)
            progress.advance(task)
    seconds = time.perf_counter() - start
    result = plagdet.report(pairs, detections)
    result["seconds"] = round(seconds, 2)
    result["pairs_per_s"] = round(len(pairs) / seconds, 2) if seconds else None
    if json_out:
        print_json(result)
    else:
        _print(result, str(path))
        if out is not None:
            console.print(f"Detections written to {out}/ (one <susp>-<src>.xml per pair).", highlight=False)
