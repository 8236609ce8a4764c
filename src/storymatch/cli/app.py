"""The typer applications every command module registers on: `storymatch`, and its `eval` and `train` groups."""

from __future__ import annotations

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Tell whether news articles report the same story, how similar they are, "
                       "and what text one reused.")
eval_app = typer.Typer(no_args_is_help=True, help="Measure storymatch on public benchmarks.")
train_app = typer.Typer(no_args_is_help=True, help="Fit storymatch's learned models.")
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")
