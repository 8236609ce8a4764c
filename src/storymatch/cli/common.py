"""Helpers shared by the command modules: one console, JSON output, input errors, and text cut for a line."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console

# The one text-size limit (config.settings().max_chars), raised for one run by every command that reads articles.
MAX_CHARS_HELP = ("Longest article text read, in characters (default 200,000, or STORYMATCH_MAX_CHARS); "
                  "longer ones are refused with one error line.")


def max_chars_option(annotated: bool = False) -> Any:
    """The --max-chars option; `annotated` for commands declared with Annotated (typer wants no default there)."""
    if annotated:
        return typer.Option("--max-chars", min=1, show_default=False, help=MAX_CHARS_HELP)
    return typer.Option(None, "--max-chars", min=1, show_default=False, help=MAX_CHARS_HELP)


STDIN_ONCE = "A and B are both '-', but stdin can be read only once: give one of them as a file"

console = Console()
err_console = Console(stderr=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def error_line(message: str) -> None:
    """The one line every user-facing error is printed as."""
    from rich.markup import escape

    from storymatch.errors import printable

    err_console.print(f"[red]storymatch: error:[/red] {escape(printable(message))}", highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> None:
    """One clear line on stderr and a non-zero exit; never a traceback."""
    error_line(message)
    raise typer.Exit(code)


def clip(text: str, width: int) -> str:
    """`text` on one line, at most `width` characters, cut at a word boundary with an ellipsis when cut.

    A passage cut mid-word ("...dissuade the pro-regime movemen") reads like a typo; a cut between words with
    "…" reads as a cut.
    """
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    cut = flat[:width - 1]
    space = cut.rfind(" ")
    if space >= width // 2:  # a word longer than half the room is cut inside, rather than leave the line bare
        cut = cut[:space]
    return cut.rstrip(" ,;:-–") + "…"


def plural(n: int, word: str, words: str | None = None) -> str:
    """"1 sentence", "3 sentences"."""
    return f"{n:,} {word if n == 1 else words or word + 's'}"
