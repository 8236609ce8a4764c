"""Signs of life on stderr while the CLI waits: a spinner saying what the library is doing, and progress bars.

Anything that may take more than about a second (loading models on a cold start, a search that compares ten
candidates, a Spark session starting) shows a spinner; the library reports its steps through
`logging.getLogger("storymatch")` at INFO ("loading all-MiniLM-L6-v2 ...", "aligning shared text") and the
spinner's text follows them, so the library itself never prints. Both are off with `--quiet` and when stderr is
not a terminal (a pipe or a log file gets no animation frames); stdout, which carries the results and the JSON,
is never touched.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import os
import threading
import typing
from typing import Annotated, Any, Callable, Iterator

import typer
from rich.markup import escape
from rich.progress import Progress, ProgressColumn

from storymatch.cli.common import clip, err_console

LOGGER = "storymatch"
_quiet = False


def set_quiet(quiet: bool) -> None:
    """`--quiet`: no spinner and no progress bar for the rest of this run."""
    global _quiet
    _quiet = _quiet or quiet


def reset() -> None:
    """Back to the default (for a process that runs several commands, such as the tests)."""
    global _quiet
    _quiet = False


def shown() -> bool:
    """Are spinners and bars drawn? Only on a terminal, and not with --quiet."""
    return not _quiet and err_console.is_terminal


class _Status(logging.Handler):
    """The library's INFO records as the spinner's text; warnings printed above it, as lines of their own."""

    def __init__(self, status: Any, label: str):
        super().__init__(logging.INFO)
        self.status, self.label = status, label

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            err_console.print(f"storymatch: {record.levelname.lower()}: {message}", highlight=False, markup=False)
        else:  # one line, however long the names in it: a wrapped status line redraws badly
            self.status.update(escape(clip(f"{self.label}: {message}", max(20, err_console.width - 4))))


class Spinner:
    """A running spinner (or nothing, where spinners are not shown); `stop()` ends it early, e.g. for a bar."""

    def __init__(self, status: Any = None, handler: logging.Handler | None = None, level: int = logging.NOTSET,
                 propagate: bool = True):
        self._status, self._handler, self._level, self._propagate = status, handler, level, propagate

    def stop(self) -> None:
        if self._handler is not None:
            logger = logging.getLogger(LOGGER)
            logger.removeHandler(self._handler)
            logger.setLevel(self._level)
            logger.propagate = self._propagate
            self._handler = None
        if self._status is not None:
            self._status.stop()
            self._status = None


@contextlib.contextmanager
def working(label: str) -> Iterator[Spinner]:
    """A spinner on stderr reading "label: <what the library is doing now>", gone when the block ends."""
    if not shown():
        yield Spinner()
        return
    logger = logging.getLogger(LOGGER)
    status = err_console.status(escape(label), spinner="dots")
    handler = _Status(status, label)
    spinner = Spinner(status, handler, logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    # the spinner shows these records; passed on to the root logger, they were printed again between its frames
    # ("INFO:storymatch:aligning shared text") wherever a library had set the root up (logging.basicConfig)
    logger.propagate = False
    status.start()
    try:
        yield spinner
    finally:
        spinner.stop()


# Java's notice of the vector module Spark's launcher adds, printed by the JVM before any logging configuration
# applies: nothing a user can act on.
JVM_NOTICES = ("WARNING: Using incubator modules:",)


@contextlib.contextmanager
def child_stderr_above_spinner() -> Iterator[None]:
    """Processes started in this block (Spark's JVM) write their stderr as whole lines above the spinner.

    They inherit file descriptor 2; written straight to the terminal, the JVM's first line landed in the middle of
    the spinner's line ("⠋ starting Spark (local[2])WARNING: Using incubator modules ..."). Here descriptor 2 is a
    pipe while the block runs (children keep it for their lifetime), the console keeps drawing on the terminal,
    and a thread prints each line the children write through the console, which puts it above the spinner;
    Java's module notice is left out. Where no spinner is drawn, nothing changes.
    """
    console = err_console
    try:
        on_fd2 = console.file.fileno() == 2
    except (AttributeError, OSError, ValueError):  # a console writing to a buffer (tests)
        on_fd2 = False
    if not shown():
        yield
        return
    saved = os.dup(2)
    read_end, write_end = os.pipe()
    old_file = console.file
    terminal = os.fdopen(os.dup(saved), "w", buffering=1, encoding="utf-8", errors="replace") if on_fd2 else None
    if terminal is not None:
        console.file = terminal

    def forward() -> None:
        with os.fdopen(read_end, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if line.strip() and not line.startswith(JVM_NOTICES):
                    err_console.print(line.rstrip("\n"), markup=False, highlight=False, soft_wrap=True)

    threading.Thread(target=forward, name="child-stderr", daemon=True).start()
    os.dup2(write_end, 2)
    os.close(write_end)
    try:
        yield
    finally:
        os.dup2(saved, 2)  # this process's own stderr is the terminal again; the children keep the pipe
        os.close(saved)
        if terminal is not None:
            console.file = old_file
            terminal.close()


def progress_bar(*columns: str | ProgressColumn) -> Progress:
    """A transient progress bar on stderr, drawn only where spinners are (see `shown`)."""
    return Progress(*columns, console=err_console, transient=True, disable=not shown())


QUIET_HELP = "No spinner or progress bar on stderr (they are also off when stderr is not a terminal)."


def with_quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The command `fn` with a `--quiet` option of its own, so it can follow the command as users type it."""
    sig = inspect.signature(fn)
    hints = typing.get_type_hints(fn, include_extras=True)  # the real types behind string annotations
    kept = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in sig.parameters.values()]
    quiet = inspect.Parameter("quiet", inspect.Parameter.KEYWORD_ONLY, default=False,
                              annotation=Annotated[bool, typer.Option("--quiet", "-q", help=QUIET_HELP)])

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        set_quiet(kwargs.pop("quiet", False))
        return fn(*args, **kwargs)

    # typeshed gives functions no __signature__, but inspect.signature (and so typer) reads it
    wrapper.__signature__ = sig.replace(parameters=kept + [quiet])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in kept + [quiet]}
    return wrapper


def add_quiet(app: typer.Typer) -> None:
    """`--quiet` on every command of `app` and of its groups."""
    for info in app.registered_commands:
        if info.callback is not None:
            info.callback = with_quiet(info.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            add_quiet(group.typer_instance)
