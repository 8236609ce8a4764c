"""`storymatch compare A B`: the verdict, the seven scores and the evidence for two articles."""

from __future__ import annotations

from typing import Optional

import typer
from rich.panel import Panel
from rich.table import Table

from storymatch.cli.app import app
from storymatch.cli.common import console, print_json
from storymatch.comparison.pipeline import compare
from storymatch.comparison.result import Comparison
from storymatch.inputs.files import load_article
from storymatch.scoring.base import DIMENSIONS
from storymatch.scoring.shipped import load_scorer


@app.command("compare")
def compare_cmd(
    a: str = typer.Argument(..., help="First article: .txt, .json, .html, or - for stdin."),
    b: str = typer.Argument(..., help="Second article."),
    title_a: Optional[str] = typer.Option(None, help="Title of A (a .txt has none)."),
    title_b: Optional[str] = typer.Option(None, help="Title of B."),
    date_a: Optional[str] = typer.Option(None, help="Publication date of A (e.g. 2017-05-19)."),
    date_b: Optional[str] = typer.Option(None, help="Publication date of B."),
    model: Optional[str] = typer.Option(None, "--model", help="Embedding backend: minilm, use-multilingual, or a "
                                                              "sentence-transformers model name/path. "
                                                              "Default: chosen from the languages."),
    scorer: Optional[str] = typer.Option(None, "--scorer",
                                         help="Scorer file (from `storymatch train semeval`), or 'rules'."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON result."),
) -> None:
    """Do A and B tell the same story? How similar are they, and what did one reuse from the other?"""
    art_a = load_article(a, title=title_a, date=date_a)
    art_b = load_article(b, title=title_b, date=date_b)
    result = compare(art_a, art_b, backend=model, scorer=load_scorer(scorer))
    if as_json:
        print_json(result.to_dict())
    else:
        render(result)


def _bar(score: float) -> str:
    """1 = very similar (full bar) ... 4 = very dissimilar (empty)."""
    filled = round((4.0 - score) / 3.0 * 20)
    return "[green]" + "█" * filled + "[/green][dim]" + "░" * (20 - filled) + "[/dim]"


def render(c: Comparison) -> None:
    verdict = "[bold green]SAME STORY[/bold green]" if c.same_story else "[bold red]DIFFERENT STORIES[/bold red]"
    head = (f"{verdict}  probability {c.probability:.2f}\n"
            f"A: {c.a.source or '-'}  ({c.a.language or 'language unknown'}, {len(c.a.text)} chars"
            f"{', ' + c.a.date.isoformat() if c.a.date else ''})\n"
            f"B: {c.b.source or '-'}  ({c.b.language or 'language unknown'}, {len(c.b.text)} chars"
            f"{', ' + c.b.date.isoformat() if c.b.date else ''})\n"
            f"[dim]embeddings: {c.backend} · scorer: {c.scorer}[/dim]")
    console.print(Panel(head, title="storymatch compare", expand=False))

    t = Table(title="Similarity (SemEval-2022 scale: 1 = very similar … 4 = very dissimilar)", title_justify="left")
    t.add_column("dimension")
    t.add_column("score", justify="right")
    t.add_column("")
    for d in DIMENSIONS:
        t.add_row(d, f"{c.scores[d]:.2f}", _bar(c.scores[d]))
    console.print(t)

    ev = c.evidence
    rows = [
        ("shared entities", ", ".join(ev.shared_entities)),
        ("only in A", ", ".join(ev.only_a)),
        ("only in B", ", ".join(ev.only_b)),
        ("shared places", ", ".join(f"{p.name} ({p.country})" for p in ev.shared_places)),
        ("shared dates", ", ".join(f"{d.label} ({d.a} / {d.b})" if d.a != d.b else d.label for d in ev.shared_dates)),
        ("shared numbers", ", ".join(ev.shared_numbers)),
    ]
    et = Table(title="Evidence", title_justify="left", show_header=False)
    et.add_column(style="bold")
    et.add_column(overflow="fold")
    for k, v in rows:
        et.add_row(k, v or "[dim]none[/dim]")
    for q in ev.shared_quotes:
        et.add_row("shared quote", f"“{q.a}”")
    console.print(et)

    if ev.sentence_pairs:
        st = Table(title="Matching sentences", title_justify="left")
        st.add_column("sim", justify="right")
        st.add_column("A", overflow="fold")
        st.add_column("B", overflow="fold")
        for pair in ev.sentence_pairs[:6]:
            st.add_row(f"{pair.similarity:.2f}", pair.a, pair.b)
        console.print(st)

    r = c.reuse
    passages = r.passages
    line = f"[bold]Reuse:[/bold] {len(passages)} passage(s); {r.coverage_a:.0%} of A and {r.coverage_b:.0%} of B"
    if r.likely_source:
        line += f"; likely source: [bold]{r.likely_source.upper()}[/bold]"
    console.print(line)
    if r.source_reason:
        console.print(f"[dim]{r.source_reason}[/dim]")
    for p in passages[:8]:
        swaps = ", ".join(f"{x} → {y}" for x, y in p.substitutions)
        console.print(f"  • \\[{p.kind}, {p.similarity:.2f}] A[{p.a_start}:{p.a_end}] “{p.a_text[:110]}”"
                      + (f"  [yellow]swaps: {swaps}[/yellow]" if swaps else ""))
    if len(passages) > 8:
        console.print(f"  [dim]… {len(passages) - 8} more: `storymatch align` shows them all[/dim]")
