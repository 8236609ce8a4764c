"""Behaviour pinned byte for byte: the example pair's compare and align JSON, the fixture corpus's trace,
cluster and report JSON, through the real `storymatch` command, against files recorded before a change.

A change meant to alter one of these outputs re-records it (tests/golden/README.md has the commands) and says
why in its commit; any other change must leave every byte as it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storymatch.cli import app

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).parent / "fixtures" / "corpus"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run():
    """The CLI in this process, as a user on a default install runs it (no setting: no large English model)."""
    from typer.testing import CliRunner

    runner = CliRunner()
    mp = pytest.MonkeyPatch()
    mp.delenv("STORYMATCH_ENGLISH_LARGE", raising=False)
    mp.delenv("STORYMATCH_MODEL", raising=False)
    mp.chdir(ROOT)  # the JSON names an article by the path it was given, as recorded: examples/seed-a.txt

    def invoke(*args: str) -> str:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    yield invoke
    mp.undo()


@pytest.fixture(scope="module")
def corpus_store(run, tmp_path_factory):
    store = tmp_path_factory.mktemp("golden") / "store"
    run("ingest", str(CORPUS), "--store", str(store), "--json")
    yield store
    shutil.rmtree(store, ignore_errors=True)


def expected(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


def test_compare_json_unchanged(run):
    assert run("compare", "examples/seed-a.txt", "examples/seed-b.txt", "--json") == expected("compare.json")


def test_align_json_unchanged(run):
    assert run("align", "examples/seed-a.txt", "examples/seed-b.txt", "--json") == expected("align.json")


@pytest.mark.parametrize("command, name", [
    (("trace", "seed-a"), "trace-seed-a.json"),
    (("cluster",), "cluster.json"),
    (("report",), "report.json"),
])
def test_corpus_json_unchanged(run, corpus_store, command, name):
    assert run(*command, "--store", str(corpus_store), "--json") == expected(name)
