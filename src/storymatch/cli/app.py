"""The typer applications every command module registers on: `storymatch`, and its `eval` and `train` groups.

The root takes `--version` and `--quiet` (which every command also takes, see progress.add_quiet).
"""

from __future__ import annotations

import typer

from storymatch.cli.progress import QUIET_HELP, reset, set_quiet

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Tell whether news articles report the same story, how similar they are, "
                       "and what text one reused.")
eval_app = typer.Typer(no_args_is_help=True, help="Measure storymatch on public benchmarks.")
train_app = typer.Typer(no_args_is_help=True, help="Fit storymatch's learned models.")
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("storymatch")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"storymatch {version()}")
        raise typer.Exit()


@app.callback()
def root(
    show_version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                      help="Print storymatch's version and exit."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
) -> None:
    """Tell whether news articles report the same story, how similar they are, and what text one reused."""
    reset()  # a new run (the tests run many in one process)
    set_quiet(quiet)
