"""`storymatch --help` and every command's help, through the real entry point: no Python type names, no braces,
a description for every option, one name for the embedding model, and `--version`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version

import pytest

from storymatch.cli import command

CLI = [sys.executable, "-m", "storymatch"]


def _commands(cmd, path=()):
    for name, sub in sorted((getattr(cmd, "commands", None) or {}).items()):
        yield path + (name,), sub
        yield from _commands(sub, path + (name,))


COMMANDS = [path for path, sub in _commands(command()) if not getattr(sub, "commands", None)]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "120"})


# Every --help in one process: the real entry point (`storymatch.cli.main`, sys.argv as the console script sets it)
# called once a command, so the fast tier pays one import instead of one per command (10.7 s of it before).
_ALL_HELPS = """
import contextlib, io, json, sys
from storymatch.cli import main
out = []
for path in json.loads(sys.argv[1]):
    sys.argv = ["storymatch", *path, "--help"]
    stdout, stderr, code = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    out.append([code, stdout.getvalue(), stderr.getvalue()])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def helps() -> dict[tuple[str, ...], subprocess.CompletedProcess]:
    """Every command's --help, through the real entry point, in one process."""
    paths = [(), *COMMANDS]
    done = subprocess.run([sys.executable, "-c", _ALL_HELPS, json.dumps(paths)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "COLUMNS": "120"})
    assert done.returncode == 0, done.stderr
    return {path: subprocess.CompletedProcess(["storymatch", *path, "--help"], code, out, err)
            for path, (code, out, err) in zip(paths, json.loads(done.stdout))}


@pytest.mark.parametrize("path", [(), *COMMANDS], ids=lambda p: " ".join(p) or "storymatch")
def test_help_names_placeholders_not_types(helps, path):
    r = helps[path]
    assert r.returncode == 0, r.stderr
    for leak in ("<bool>", "<str>", "<int", "<float", "<path>", "list[", "{a}", "{b}", "{"):
        if leak == "{" and path[-1:] == ("compare",) and path[:1] == ("spark",):
            continue  # spark compare's argument help quotes a JSON record
        assert leak not in r.stdout, f"{' '.join(path)} --help shows {leak!r}:\n{r.stdout}"
    assert r.stdout.lstrip().startswith("Usage: storymatch")


def test_compare_usage_names_its_arguments(helps):
    usage = helps[("compare",)].stdout.strip().splitlines()[0].strip()
    assert usage == "Usage: storymatch compare [OPTIONS] A B"


def test_every_option_and_argument_says_what_it_is_for():
    undocumented = [f"{' '.join(path)} {p.name}" for path, sub in _commands(command())
                    for p in getattr(sub, "params", []) if not getattr(p, "hidden", False) and not p.help]
    assert undocumented == []


def test_one_name_for_the_embedding_model(helps):
    """`--model` in compare, search and spark compare; search's and spark's old `--backend` still works, unlisted."""
    for path in (("compare",), ("search",), ("spark", "compare")):
        text = helps[path].stdout
        assert "--model" in text and "--backend" not in text, path
    root = command()
    for path in (("search",), ("spark", "compare")):
        sub = root
        for name in path:
            sub = sub.commands[name]
        hidden = [p for p in sub.params if "--backend" in getattr(p, "opts", [])]
        assert hidden and hidden[0].hidden


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"storymatch {version('storymatch')}"


def test_serve_port_is_described(helps):
    assert "Port to listen on" in helps[("serve",)].stdout


def test_quiet_is_an_option_of_every_command():
    for path in COMMANDS:
        sub = command()
        for name in path:
            sub = sub.commands[name]
        assert any("--quiet" in getattr(p, "opts", []) for p in sub.params), path


def _flat(text: str) -> str:
    """A help page as one line of words: the box's borders and line breaks gone."""
    return " ".join(text.replace("│", " ").split())


def test_help_shows_bracketed_text_as_written(helps):
    """Help is plain text, not rich markup: `pip install 'storymatch[english-large]'` lost its `[english-large]`
    as a style tag. Every bracketed word of every help text (`[spark]`, `local[N]`, ...) shows."""
    root = command()
    checked = 0
    for path in [(), *COMMANDS]:
        sub = root
        for name in path:
            sub = sub.commands[name]
        texts = [sub.help or ""] + [p.help or "" for p in sub.params if not getattr(p, "hidden", False)]
        shown = _flat(helps[path].stdout)
        for text in texts:
            for bracketed in re.findall(r"\[[^\]\s]+\]", text.replace("\\", "")):
                assert bracketed in shown, f"{' '.join(path)} --help lost {bracketed!r}"
                checked += 1
    assert checked >= 3
    assert "pip install --no-deps -r requirements/english-large.txt" in _flat(helps[("compare",)].stdout)


def test_cluster_threshold_is_the_verifiers_probability(helps):
    text = _flat(helps[("cluster",)].stdout)
    assert "same-story probability" in text and "Cosine" not in text
    from click.testing import CliRunner

    r = CliRunner().invoke(command(), ["cluster", "--store", "/nonexistent", "--threshold", "-0.5"])
    assert r.exit_code == 2 and "--threshold" in r.output  # a probability: below 0 is refused before anything runs


def test_help_speaks_of_commands_not_functions(helps):
    """Spark's help said "compare() on every pair", "align()", "(the compare contract)": words from the code. Help
    names what a user runs (`storymatch compare`), never a Python call."""
    for path in [(), *COMMANDS]:
        text = _flat(helps[path].stdout)
        assert not re.search(r"\w\(\)", text), f"{' '.join(path)} --help: {text}"
        assert "contract" not in text, path
    assert "as `storymatch compare` does" in _flat(helps[("spark", "compare")].stdout)
