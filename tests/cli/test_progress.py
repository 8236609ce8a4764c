"""Signs of life: a spinner on stderr that follows the library's log records, and nothing with --quiet or when
stderr is not a terminal (checked in process with a terminal console, and through the real entry point in a pty)."""

from __future__ import annotations

import io
import logging
import os
import pty
import re
import select
import subprocess
import sys

import pytest
from rich.console import Console

from storymatch.cli import progress

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def terminal(monkeypatch):
    """stderr as a terminal, into a buffer."""
    buffer = io.StringIO()
    monkeypatch.setattr(progress, "err_console", Console(file=buffer, force_terminal=True, width=100))
    progress.reset()
    yield buffer
    progress.reset()


def test_spinner_follows_the_library_log(terminal):
    log = logging.getLogger("storymatch")
    with progress.working("compare"):
        log.info("loading %s", "all-MiniLM-L6-v2")
        log.warning("the cache folder is read-only")
    out = ESCAPES.sub("", terminal.getvalue())
    assert "compare: loading all-MiniLM-L6-v2" in out
    assert "storymatch: warning: the cache folder is read-only" in out
    assert not log.handlers and log.level == logging.NOTSET  # left as it was


def test_the_librarys_records_are_not_printed_again_between_the_frames(terminal):
    """A library that calls logging.basicConfig (a root handler on stderr) made every step print as a line of
    its own among the spinner's frames: "INFO:storymatch:aligning shared text"."""
    root_out = io.StringIO()
    root_handler = logging.StreamHandler(root_out)
    logging.getLogger().addHandler(root_handler)
    try:
        log = logging.getLogger("storymatch")
        with progress.working("compare"):
            log.info("aligning shared text")
            log.warning("the cache folder is read-only")
        assert root_out.getvalue() == ""
        assert "compare: aligning shared text" in ESCAPES.sub("", terminal.getvalue())
        assert log.propagate  # left as it was: outside a spinner the records go where the user's logging says
        log.warning("after the spinner")
        assert "after the spinner" in root_out.getvalue()
    finally:
        logging.getLogger().removeHandler(root_handler)


def test_a_child_process_writes_whole_lines_above_the_spinner(terminal):
    """Spark's JVM inherits stderr: its first line landed inside the spinner's line. In the block, what a child
    writes on stderr is printed line by line through the console, and Java's module notice is left out."""
    import time

    before = os.fstat(2)
    with progress.working("starting Spark (local[2])"), progress.child_stderr_above_spinner():
        subprocess.run(["sh", "-c", "echo 'WARNING: Using incubator modules: jdk.incubator.vector' >&2; "
                                    "echo 'a line of its own' >&2"], check=True)
        deadline = time.monotonic() + 10
        while "a line of its own" not in terminal.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
    after = os.fstat(2)
    assert (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino)  # this process's stderr is back
    out = ESCAPES.sub("", terminal.getvalue())
    assert "incubator" not in out
    assert re.search(r"(^|\n)a line of its own\n", out.replace("\r", "\n")), out


def test_quiet_draws_nothing(terminal):
    progress.set_quiet(True)
    with progress.working("compare"):
        logging.getLogger("storymatch").info("loading a model")
    bar = progress.progress_bar()
    with bar:
        bar.add_task("x", total=3)
    assert terminal.getvalue() == ""


def test_not_a_terminal_draws_nothing(monkeypatch):
    buffer = io.StringIO()
    monkeypatch.setattr(progress, "err_console", Console(file=buffer, force_terminal=False))
    progress.reset()
    assert not progress.shown()
    with progress.working("compare"):
        logging.getLogger("storymatch").info("loading a model")
    assert buffer.getvalue() == ""


def in_pty(*args: str, timeout: float = 300) -> tuple[str, str, int]:
    """Run the CLI with stderr on a pseudo-terminal (stdout a pipe); its stderr without escape codes, stdout,
    and the exit status."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "storymatch", *args], stdout=subprocess.PIPE, stderr=slave,
                            cwd=ROOT, env={**os.environ, "COLUMNS": "100"})
    os.close(slave)
    err = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            err += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    out = proc.stdout.read().decode() if proc.stdout else ""
    proc.wait(timeout)
    return ESCAPES.sub("", err.decode("utf-8", "replace")), out, proc.returncode


@pytest.mark.slow
def test_compare_says_what_it_is_doing_on_a_terminal_and_nothing_with_quiet():
    err, out, code = in_pty("compare", "examples/seed-a.txt", "examples/seed-b.txt", "--json")
    assert code == 0 and out.startswith("{")
    assert "compare: " in err and ("analysing" in err or "loading" in err or "aligning" in err), err
    err, out, code = in_pty("compare", "examples/seed-a.txt", "examples/seed-b.txt", "--json", "--quiet")
    assert code == 0 and out.startswith("{") and err == ""


@pytest.mark.slow
def test_not_a_terminal_gets_no_spinner():
    r = subprocess.run([sys.executable, "-m", "storymatch", "compare", "examples/seed-a.txt", "examples/seed-b.txt",
                        "--json"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0 and r.stderr == ""
