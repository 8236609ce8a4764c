"""Helpers shared by the command modules: one console, JSON output, input errors."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def error_line(message: str) -> None:
    """The one line every user-facing error is printed as."""
    from rich.markup import escape

    err_console.print(f"[red]storymatch: error:[/red] {escape(str(message))}", highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> None:
    """One clear line on stderr and a non-zero exit; never a traceback."""
    error_line(message)
    raise typer.Exit(code)
