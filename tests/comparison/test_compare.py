"""compare() end to end on real articles: the example pair, unrelated news, reworded and translated reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from storymatch import compare, load_article
from storymatch.scoring.base import DIMENSIONS
from storymatch.scoring.rules import RuleScorer

# Real models (or Spark, or a browser) and their timings: the full suite runs this, `-m "not slow"` does not.
pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


@pytest.fixture(scope="module")
def example(seed_a_path, seed_b_path):
    return compare(load_article(seed_a_path), load_article(seed_b_path))


def test_example_pair_is_the_same_story(example):
    assert example.same_story is True
    assert example.probability > 0.5
    assert example.scores["overall"] <= 2.0
    assert example.scores["geography"] <= 1.5
    assert example.scores["time"] <= 2.0
    assert all(1.0 <= example.scores[d] <= 4.0 for d in DIMENSIONS)
    assert example.backend == "minilm"


def test_example_evidence_names_the_story(example):
    ev = example.evidence
    named = " ".join(ev.shared_entities + [p.name for p in ev.shared_places]).lower()
    assert "syria" in named
    assert "tanf" in named
    assert "russia" in named
    assert "afp" in named
    assert "coalition" in ev.shared_terms
    tanf = [p for p in ev.shared_places if "tanf" in p.name.lower()]
    assert tanf and tanf[0].country == "SY"
    assert any("A convoy going down the road" in q.a for q in ev.shared_quotes)
    assert any(p.similarity > 0.95 and "Coalition officials said Russian forces" in p.a for p in ev.sentence_pairs)


def test_json_contract(seed_a_path, seed_b_path):
    proc = subprocess.run([sys.executable, "-m", "storymatch", "compare", str(seed_a_path), str(seed_b_path), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert set(d) >= {"a", "b", "same_story", "probability", "scores", "evidence", "reuse", "backend"}
    assert set(d["a"]) >= {"source", "title", "language", "chars", "date"}
    assert set(d["scores"]) == set(DIMENSIONS)
    assert set(d["evidence"]) >= {"shared_entities", "only_a", "only_b", "shared_places", "shared_dates",
                                  "shared_numbers", "shared_quotes", "sentence_pairs"}
    assert set(d["reuse"]) >= {"passages", "coverage_a", "coverage_b", "likely_source"}
    assert d["a"]["chars"] == len(Path(seed_a_path).read_text(encoding="utf-8"))


def test_unrelated_articles_are_different_stories():
    c = compare(load_article(FIXTURES / "football.txt"), load_article(FIXTURES / "rates.txt"))
    assert c.same_story is False
    assert c.scores["overall"] >= 3.0
    assert c.probability < 0.5


def test_example_against_unrelated_news(seed_a_path):
    c = compare(load_article(seed_a_path), load_article(FIXTURES / "quake-wire.txt"))
    assert c.same_story is False and c.scores["overall"] >= 3.0


def test_same_event_in_different_words():
    c = compare(load_article(FIXTURES / "quake-wire.txt"), load_article(FIXTURES / "quake-local.txt"))
    assert c.same_story is True
    assert c.scores["overall"] <= 2.0
    assert c.reuse.coverage_a < 0.2  # told independently: little shared text
    assert any("Hualien" in e for e in c.evidence.shared_entities + [p.name for p in c.evidence.shared_places])


def test_german_and_english_report_of_one_event(seed_b_path):
    c = compare(load_article(FIXTURES / "syria-de.txt"), load_article(seed_b_path))
    assert c.a.language == "de" and c.b.language == "en"
    assert c.backend == "use-multilingual"
    assert c.same_story is True


def test_rule_scorer_orders_pairs_sensibly(example):
    """The transparent fallback agrees with the verdicts too."""
    rules = RuleScorer()
    same = rules.score(example.features)
    c = compare(load_article(FIXTURES / "football.txt"), load_article(FIXTURES / "rates.txt"))
    diff = rules.score(c.features)
    assert same.same_story and not diff.same_story
    assert same.scores["overall"] < diff.scores["overall"]


def test_unknown_model_is_one_line_exit_2(seed_a_path, seed_b_path, tmp_path):
    missing = tmp_path / "no-such-model"
    proc = subprocess.run([sys.executable, "-m", "storymatch", "compare", str(seed_a_path), str(seed_b_path),
                           "--model", str(missing)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(missing) in lines[0] and "Traceback" not in proc.stderr
    # in words, not the exception class it ended with ("... [OSError]")
    assert "no such model: --model takes minilm, use-multilingual, or the folder of a sentence-transformers model" \
        in lines[0] and "Error]" not in lines[0]
    proc = subprocess.run([sys.executable, "-m", "storymatch", "compare", str(seed_a_path), str(seed_b_path),
                           "--model", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "this folder holds no sentence-transformers model" in proc.stderr


def test_short_note_is_not_taken_for_another_language(tmp_path, seed_b_path):
    """`printf 'Hello world.\\n' > note.md; storymatch compare note.md seed-b.txt` detected Vietnamese and switched the
    backend to USE-multilingual; the guess is now unknown and the pair stays English."""
    note = tmp_path / "note.md"
    note.write_text("Hello world.\n", encoding="utf-8")
    c = compare(load_article(note), load_article(seed_b_path))
    assert c.a.language is None and c.b.language == "en"
    assert c.backend == "minilm"


def test_translated_passages_are_shown_not_scored(seed_b_path):
    """compare's reuse holds the translated sentences; the scorer's reuse features leave them out (it was fitted
    on pairs whose cross-lingual ones never had a passage)."""
    c = compare(load_article(FIXTURES / "seed-b-de.txt"), load_article(seed_b_path))
    assert any(p.kind == "translation" for p in c.reuse.passages)
    assert c.features["reuse_passages"] == sum(p.kind != "translation" for p in c.reuse.passages)
