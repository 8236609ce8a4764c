"""The `storymatch` command: a thin layer over the library.

`app.py` holds the typer applications; each command module registers its commands on them when imported
here; every command then gets `--quiet` (progress.add_quiet) and help without type names (help.tidy).
`main()` turns the library's user-facing errors (storymatch.errors) into one line and exit status 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import importlib
import sys
from typing import Any

import typer

from storymatch.cli.app import app
from storymatch.cli.common import error_line
from storymatch.cli.help import tidy
from storymatch.cli.progress import add_quiet
from storymatch.errors import StorymatchError
from storymatch.inputs.files import shown_name

__all__ = ["app", "command", "main", "user_error"]

# The command modules, in the order `storymatch --help` lists their commands (typer keeps registration order).
COMMAND_MODULES = ("compare", "align", "eval_pan", "semeval", "corpus", "eval_cluster", "serve", "spark")
for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}")
add_quiet(app)


def command() -> Any:
    """The click command `storymatch` runs: the typer app with its help tidied."""
    return tidy(typer.main.get_command(app))


def user_error(e: BaseException) -> str | None:
    """The one line an exception is shown as, when it is the user's to act on (None: a bug, shown as a traceback):
    storymatch's own errors, and what the operating system says of a named file (a name too long for the file
    system, a full disk, no access), which no command can do anything about but say."""
    if isinstance(e, StorymatchError):
        return str(e)
    if isinstance(e, OSError) and e.strerror and (e.filename is not None or e.errno in (errno.ENOSPC, errno.EDQUOT)):
        where = f"{shown_name(e.filename)}: " if e.filename is not None else ""
        return f"{where}{e.strerror}"
    return None


def main() -> None:
    try:
        command()(prog_name="storymatch")
    except (StorymatchError, OSError) as e:
        line = user_error(e)
        if line is None:
            raise
        error_line(line)
        sys.exit(2)
