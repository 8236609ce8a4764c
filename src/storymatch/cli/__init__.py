"""The `storymatch` command: a thin layer over the library.

`app.py` holds the typer applications; each command module registers its commands on them when imported
here. `main()` turns the library's user-facing errors (storymatch.errors) into one line and exit status 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import importlib
import sys

from storymatch.cli.app import app
from storymatch.cli.common import error_line
from storymatch.errors import StorymatchError

__all__ = ["app", "main"]

# The command modules, in the order `storymatch --help` lists their commands (typer keeps registration order).
COMMAND_MODULES = ("compare", "align", "eval_pan", "semeval", "corpus", "eval_cluster", "serve", "spark")
for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}")


def main() -> None:
    try:
        app()
    except StorymatchError as e:
        error_line(str(e))
        sys.exit(2)
