"""`storymatch align A B`: the passages A reused from B (or B from A), side by side."""

from __future__ import annotations

import functools
import inspect
import typing
from typing import Annotated, Any, Callable, Optional

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from storymatch.alignment.aligner import align, pair_json
from storymatch.alignment.edits import diff_marks
from storymatch.alignment.types import Alignment, AlignParams
from storymatch.cli.app import app
from storymatch.cli.common import STDIN_ONCE, console, fail, max_chars_option, plural, print_json
from storymatch.cli.progress import working
from storymatch.embedding.base import MINILM, USE_MULTILINGUAL
from storymatch.errors import InputError
from storymatch.inputs.files import load_article

_D = AlignParams()
# The AlignParams a user can set from the command line, as (field, typer option); shared by `align`
# and `eval pan` through `align_options`, so both commands spell and document them alike.
_OPTIONS: list[tuple[str, Any, Any]] = [
    ("ngram", int, typer.Option("--ngram", min=1, max=8, help="Words per seed n-gram.")),
    ("gap", int, typer.Option("--gap", min=0, help="Most unmatched words inside one passage.")),
    ("min_words", int, typer.Option("--min-words", min=1, help="Fewest matched words in a passage.")),
    ("min_distinctive", int, typer.Option("--min-distinctive", min=0,
                                          help="Fewest matched words that are not stopwords or stock phrases.")),
    ("min_chars", int, typer.Option("--min-chars", min=1, help="Shortest passage in characters.")),
    ("min_similarity", float, typer.Option("--min-similarity", min=0.0, max=1.0,
                                           help="Lowest similarity of a passage's two sides.")),
    ("merge_gap", int, typer.Option("--merge-gap", min=0,
                                    help="Most words between passages merged when the gap text is alike.")),
    ("paraphrase_model", Optional[str], typer.Option(
        "--paraphrase-model", help="Embedding backend (minilm, use-multilingual) that adds sentence-level "
                                   "paraphrases; off by default.")),
    ("translation_model", Optional[str], typer.Option(
        "--translation-model", help="Multilingual encoder that finds translated sentences when the articles are "
                                    "in two languages (use-multilingual, the default), or 'none'.")),
]


def align_options(fn: Callable) -> Callable:
    """Give a command the AlignParams options; it receives them as one `params: AlignParams` argument."""
    sig = inspect.signature(fn)
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=getattr(_D, name),
                               annotation=Annotated[kind, opt]) for name, kind, opt in _OPTIONS]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name, _, _ in _OPTIONS}
        model = values["paraphrase_model"]
        if model is not None and model not in (MINILM, USE_MULTILINGUAL):
            fail(f"--paraphrase-model: unknown backend {model!r} (use minilm or use-multilingual)")
        translator = values["translation_model"]
        if translator is not None and translator not in (USE_MULTILINGUAL, "none"):
            fail(f"--translation-model: unknown backend {translator!r} (use use-multilingual or none)")
        values["translation_model"] = None if translator == "none" else translator
        return fn(*args, params=AlignParams(**values), **kwargs)

    hints = typing.get_type_hints(fn, include_extras=True)  # the real Annotated[...] behind string annotations
    kept = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in sig.parameters.values()
            if p.name != "params"]
    # typeshed gives functions no __signature__, but inspect.signature (and so typer) reads it
    wrapper.__signature__ = sig.replace(parameters=kept + extra)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in kept + extra}
    return wrapper


def _marked(text: str, marks: list[tuple[int, int]], style: str) -> Text:
    out = Text(text)
    for s, e in marks:
        out.stylize(style, s, e)
    return out


def render(result: Alignment, name_a: str, name_b: str) -> None:
    """Human view: summary line, then each passage with A and B side by side, edits highlighted."""
    src = {"a": f"A ({name_a})", "b": f"B ({name_b})"}.get(result.likely_source or "", "undecided")
    found = plural(len(result.passages), "shared passage")
    console.print(f"[bold]{found}[/bold] · coverage A {result.coverage_a:.0%} · "
                  f"coverage B {result.coverage_b:.0%} · likely source: [bold]{src}[/bold]", highlight=False)
    console.print(f"[dim]{result.source_reason}[/dim]", highlight=False)
    for k, p in enumerate(result.passages, 1):
        # a translation differs in every word: marking them all would say nothing
        marks_a, marks_b = diff_marks(p.a_text, p.b_text) if p.kind != "translation" else ([], [])
        table = Table(show_header=True, expand=True, box=None, padding=(0, 1))
        table.add_column(f"A {p.a_start}-{p.a_end}", ratio=1)
        table.add_column(f"B {p.b_start}-{p.b_end}", ratio=1)
        if p.kind == "translation":  # sentence by sentence: each translation beside its original
            for b_sentence, a_sentence in p.substitutions:
                table.add_row(a_sentence, b_sentence)
            swaps = f"  ·  {plural(len(p.substitutions), 'sentence')}"
        else:
            table.add_row(_marked(p.a_text, marks_a, "bold yellow"), _marked(p.b_text, marks_b, "bold red"))
            swaps = "  ·  swaps: " + ", ".join(f"{b!r} → {a!r}" for b, a in p.substitutions) if p.substitutions else ""
        title = f"#{k} {p.kind} · similarity {p.similarity:.2f}{swaps}"
        console.print(Panel(table, title=title, title_align="left"), highlight=False)
    if any(p.kind != "translation" for p in result.passages):
        console.print("[dim]Marked: words of A that differ (yellow), words of B that differ (red).[/dim]")


@app.command("align")
@align_options
def align_command(
    a: Annotated[str, typer.Argument(help="First article (.txt, .json, .html, or - for stdin).")],
    b: Annotated[str, typer.Argument(help="Second article.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the alignment as JSON.")] = False,
    title_a: Annotated[Optional[str], typer.Option("--title-a", help="Title of A.")] = None,
    title_b: Annotated[Optional[str], typer.Option("--title-b", help="Title of B.")] = None,
    date_a: Annotated[Optional[str], typer.Option("--date-a", help="Publication date of A.")] = None,
    date_b: Annotated[Optional[str], typer.Option("--date-b", help="Publication date of B.")] = None,
    max_chars: Annotated[Optional[int], max_chars_option(annotated=True)] = None,
    params: Optional[AlignParams] = None,
) -> None:
    """Find the passages A and B share (verbatim, edited or paraphrased), the word swaps, and the likely source."""
    if a == "-" and b == "-":
        fail(STDIN_ONCE)
    with working("align"):
        try:
            art_a = load_article(a, title=title_a, date=date_a, max_chars=max_chars)
            art_b = load_article(b, title=title_b, date=date_b, max_chars=max_chars)
        except InputError as e:
            fail(str(e))
        result = align(art_a, art_b, params)
    if json_out:
        print_json(pair_json(art_a, art_b, result))
        return
    render(result, f"{art_a.source or a}, {art_a.language or 'language unknown'}",
           f"{art_b.source or b}, {art_b.language or 'language unknown'}")
