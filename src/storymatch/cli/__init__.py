"""The `storymatch` command: a thin layer over the library.

Each submodule registers its commands on `app` (or the `eval`/`train` groups);
this package only wires them together and turns `InputError` into one line and exit 2.
"""

from __future__ import annotations

import importlib
import sys

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Tell whether news articles report the same story, how similar they are, and what text one reused.")
eval_app = typer.Typer(no_args_is_help=True, help="Measure storymatch on public benchmarks.")
train_app = typer.Typer(no_args_is_help=True, help="Fit storymatch's learned models.")
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")

# Command modules; each registers itself on import. A module that is absent is skipped
# so the package stays usable while a command is being built.
COMMAND_MODULES = ["compare", "align", "eval_pan", "semeval", "corpus", "eval_cluster", "serve", "spark"]
for _name in COMMAND_MODULES:
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{_name}":
            raise


def main() -> None:
    from storymatch.cli.common import error_line
    from storymatch.errors import InputError

    try:
        app()
    except InputError as e:
        error_line(str(e))
        sys.exit(2)
