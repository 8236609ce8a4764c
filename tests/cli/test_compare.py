"""`storymatch compare` through its real entry point: the report names every model, explains its bars, cuts
passages between words; stdin is read once; a short note stays English; the large English model only on request."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from storymatch.embedding import mpnet

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "storymatch"]


def run(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "STORYMATCH_ENGLISH_LARGE"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, cwd=ROOT, input=stdin,
                          env={**environ, "COLUMNS": "100", **env})


def test_stdin_twice_is_one_clear_line(seed_a):
    """`cat x | storymatch compare - -` said "<stdin>: file is empty" about the second read."""
    for command in ("compare", "align"):
        r = run(command, "-", "-", stdin=seed_a)
        assert r.returncode == 2
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "stdin can be read only once" in lines[0] and "empty" not in lines[0]


@pytest.fixture(scope="module")
def report() -> str:
    r = run("compare", "examples/seed-a.txt", "examples/seed-b.txt")
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.slow
def test_report_names_every_model(report):
    assert "embeddings: all-MiniLM-L6-v2 (ONNX Runtime, int8 weights)" in report
    assert "names: spaCy en_core_web_sm" in report
    assert "language: lingua" in report
    assert "scores: learned (shipped, storymatch/models/scorer.json.gz" in report
    assert "verdict: same-story verifier (storymatch/models/verifier.json.gz" in " ".join(report.split())
    assert "SAME STORY  (probability that they report the same story: 0.94)" in report
    assert "English headlines" not in report  # not asked for, so not used, so not named


@pytest.mark.slow
def test_report_explains_its_bars(report):
    assert "The longer the bar, the more similar" in report
    assert "1 = very similar" in report and "4 = very dissimilar" in report


@pytest.mark.slow
def test_passages_are_cut_between_words_with_an_ellipsis(report):
    """"…dissuade the pro-regime movemen" was cut mid-word; a shown passage is whole or ends "word…"."""
    seed_a = (ROOT / "examples" / "seed-a.txt").read_text(encoding="utf-8")
    words = set(re.findall(r"[\w'’-]+", seed_a))
    flat = " ".join(report.split())  # the passages' column wraps; its lines are read in order
    assert "dissuade the pro-regime movement south.”" in flat  # short enough to show whole
    cuts = [re.findall(r"[\w'’-]+", m.group(1))[-1] for m in re.finditer(r"(\S+)…", flat)]
    assert cuts, "the 200-character passage is shown cut"
    assert all(word in words for word in cuts), cuts


@pytest.mark.slow
def test_json_names_the_models_and_the_short_note_stays_english(tmp_path):
    """`printf 'Hello world.\\n' > note.md; storymatch compare note.md examples/seed-b.txt` switched to
    USE-multilingual (Vietnamese); now the language is unknown, compared as English, and the JSON says so."""
    note = tmp_path / "note.md"
    note.write_text("Hello world.\n", encoding="utf-8")
    r = run("compare", str(note), "examples/seed-b.txt", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["backend"] == "minilm" and d["a"]["language"] is None
    models = d["models"]
    assert models["embeddings"] == {"backend": "minilm", "model": "sentence-transformers/all-MiniLM-L6-v2",
                                    "runtime": "ONNX Runtime, int8 weights"}
    assert models["language"]["a"].startswith("unknown") and "compared as English" in models["language"]["a"]
    assert models["language"]["b"] == "lingua"
    assert models["headline"] is None and models["translation"] is None and models["paraphrase"] is None
    assert models["entities"]["b"].startswith("spaCy en_core_web_sm")


@pytest.mark.slow
@pytest.mark.skipif(not mpnet.installed(), reason="requirements/english-large.txt not installed")
def test_large_english_model_only_when_asked():
    """The test extra installs the large English model; the same command must still compute what a default
    install does, and name the model when asked for it (option or setting)."""
    plain = json.loads(run("compare", "examples/seed-a.txt", "examples/seed-b.txt", "--json").stdout)
    golden = json.loads((ROOT / "tests" / "golden" / "compare.json").read_text(encoding="utf-8"))
    assert plain["probability"] == golden["probability"] and plain["models"]["headline"] is None
    asked = json.loads(run("compare", "examples/seed-a.txt", "examples/seed-b.txt", "--json",
                           "--english-large").stdout)
    assert asked["models"]["headline"]["model"] == "sentence-transformers/all-mpnet-base-v2"
    assert "english_headline_cos" in asked["features"] and "english_headline_cos" not in plain["features"]
    by_setting = json.loads(run("compare", "examples/seed-a.txt", "examples/seed-b.txt", "--json",
                                STORYMATCH_ENGLISH_LARGE="1").stdout)
    assert by_setting["models"]["headline"] == asked["models"]["headline"]
    assert by_setting["probability"] == asked["probability"]
