"""The corpus commands' output: search as a table with labelled columns explained once, trace's header without
gaps, report's counts and passages, ingest refusing another tier without drawing a bar."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from storymatch.cli import corpus

from .test_progress import in_pty

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_CORPUS = ROOT / "tests" / "fixtures" / "corpus"
CLI = [sys.executable, "-m", "storymatch"]


def hit(hit_id: str, relation: str, probability: float, overall: float, shared: float, **extra) -> dict:
    """A search hit as Hit.to_dict() gives it (only the fields the table reads, plus extras)."""
    return {"id": hit_id, "relation": relation, "probability": probability, "scores": {"overall": overall},
            "reuse": {"coverage_query": shared, "passages": 1 if shared else 0},
            "article": {"id": hit_id, "date": "2017-05-19", "title": f"A long headline about {hit_id} " * 3},
            **extra}


HITS = [hit("seed-a", "reuser", 0.98, 1.24, 0.16), hit("northern-wire-0518", "same story", 0.72, 2.01, 0.0),
        hit("moscow-courier-0519", "same story", 0.72, 2.24, 0.0), hit("levant-post-0519", "related", 0.72, 2.3, 0)]


def rendered(results: list[dict], width: int = 80) -> list[str]:
    buffer = io.StringIO()
    old = corpus.console
    corpus.console = Console(file=buffer, width=width, color_system=None)
    try:
        corpus.render_hits("seed-b", results)
    finally:
        corpus.console = old
    return buffer.getvalue().splitlines()


def test_search_table_has_labelled_columns_one_line_a_hit_at_80_columns():
    lines = rendered(HITS)
    header = lines[1].split()
    assert header[:7] == ["#", "article", "date", "relation", "p(same)", "overall", "shared"]
    rows = lines[2:2 + len(HITS)]
    assert all(len(line) <= 80 for line in lines)
    assert [r.split()[0] for r in rows] == ["1", "2", "3", "4"]  # rank, not an unlabelled score
    assert "seed-a" in rows[0] and "0.98" in rows[0] and "1.24" in rows[0] and "16%" in rows[0]
    # three hits share p(same)=0.72 (the calibration is a step function): their overall scores tell them apart
    overall = [re.search(r"(\d\.\d\d)\s+\d+%", r).group(1) for r in rows[1:]]
    assert len(set(overall)) == 3


def test_search_explains_its_columns_and_relations_once():
    text = " ".join(" ".join(rendered(HITS)).split())
    assert text.count("p(same): probability") == 1
    assert "calibrated in steps" in text
    assert "shared: share of seed-b's text" in text
    assert "reuser = a later article that took text from seed-b" in text
    assert "same story = tells seed-b's story" in text and "related = " in text
    assert "source =" not in text  # only the relations the table shows


def test_search_table_shows_what_a_hit_carries():
    """Rendered from to_dict() defensively: a story column when hits name their store story, blanks for what
    a hit lacks, a relation this version does not know shown as it is."""
    results = [hit("seed-a", "reuser", 0.98, 1.24, 0.16, story={"id": "s-f3f276dce522"}),
               {"id": "bare", "relation": "in story"}]
    lines = rendered(results, width=100)
    assert "story" in lines[1].split()
    assert "s-f3f276dce522" in lines[2]
    assert lines[3].split()[:3] == ["2", "bare", "undated"] and "in story" in lines[3]


def test_no_hits_is_one_line():
    assert rendered([]) == ["seed-b: 0 related articles, best first"]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli-corpus") / "store"
    r = subprocess.run([*CLI, "ingest", str(FIXTURE_CORPUS), "--store", str(folder)], capture_output=True,
                       text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return folder


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "COLUMNS": "80"})


@pytest.mark.slow
def test_ingest_refuses_another_tier_before_drawing_a_bar(store):
    err, out, code = in_pty("ingest", str(FIXTURE_CORPUS), "--store", str(store), "--tier", "hybrid")
    assert code == 2
    assert "this store's vectors are tier 'fast', not 'hybrid'" in err
    assert "━" not in err and "ETA" not in err  # no progress bar before the refusal


@pytest.mark.slow
def test_search_through_the_command_fits_80_columns(store):
    r = run("search", "seed-b", "--store", str(store))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[1].split()[:4] == ["#", "article", "date", "relation"]
    assert all(len(line) <= 80 for line in lines)
    assert lines[2].split()[1] == "seed-a"  # the patchwork that copied the wire comes first


@pytest.mark.slow
def test_a_hit_opened_with_compare_store_shows_its_scores_in_the_next_search(tmp_path):
    """search lists hits without SemEval scores (no sentence is embedded); `compare Q HIT --store` opens one, on what
    the store keeps, and the next search shows that hit's overall score; --full scores every hit."""
    store = tmp_path / "store"
    assert run("ingest", str(FIXTURE_CORPUS), "--store", str(store), "--quiet").returncode == 0
    quick = run("search", "seed-b", "--store", str(store), "--json")
    assert quick.returncode == 0, quick.stderr
    hits = json.loads(quick.stdout)["results"]
    assert hits[0]["id"] == "seed-a" and hits[0]["scores"] is None and hits[0]["compare"] is None
    opened = run("compare", "seed-b", "seed-a", "--store", str(store), "--json")
    assert opened.returncode == 0, opened.stderr
    pair = json.loads(opened.stdout)
    assert pair["a"]["id"] == "seed-b" and pair["b"]["id"] == "seed-a"
    assert pair["probability"] == hits[0]["probability"]  # one verdict in search and compare
    again = json.loads(run("search", "seed-b", "--store", str(store), "--json").stdout)["results"]
    assert again[0]["scores"] == pair["scores"] and all(h["scores"] is None for h in again[1:])
    full = json.loads(run("search", "seed-b", "--store", str(store), "--json", "--full").stdout)["results"]
    assert all(h["scores"] for h in full)
    assert [(h["id"], h["probability"], h["relation"]) for h in full] == [(h["id"], h["probability"], h["relation"])
                                                                           for h in hits]
    refused = run("compare", "seed-b", "seed-a", "--store", str(store), "--scorer", "rules")
    assert refused.returncode != 0 and "--scorer: not with --store" in refused.stderr


@pytest.mark.slow
def test_trace_of_an_undated_file_has_no_stray_gaps(store, tmp_path):
    """`trace fresh.txt` printed "fresh.txt : 1 of 3" with a space where the missing date would be."""
    fresh = tmp_path / "fresh.txt"
    fresh.write_text("Coalition officials said Russian forces had apparently unsuccessfully tried to dissuade the "
                     "pro-regime movement south. Something else entirely happened here. And one more line.\n",
                     encoding="utf-8")
    r = run("trace", str(fresh), "--store", str(store))
    assert r.returncode == 0, r.stderr
    head = " ".join(r.stdout.split("<-")[0].split())  # the header, however the terminal wrapped it
    assert f"({fresh}): 1 of 3 sentences taken from earlier articles" in head and " :" not in head


@pytest.mark.slow
def test_report_counts_read_right_and_passages_end_between_words(store):
    r = run("report", "--store", str(store))
    assert r.returncode == 0, r.stderr
    assert "1 sentences" not in r.stdout and "1 stories" not in r.stdout
    assert all(len(line) <= 80 for line in r.stdout.splitlines())
    cut = [line for line in r.stdout.splitlines() if line.rstrip().endswith("…")]
    assert cut and all(line.rstrip()[-2].isalpha() for line in cut)  # "...had…", never "...the pro-regi…"
    # in words a reader knows: no "chars of reuser" over the shares, no slice notation seed-b[1361:1479]
    text = " ".join(r.stdout.split())
    assert "of reuser" not in text and "[1361:1479]" not in text
    assert "sentences characters share" in text and "share: that much of the reuser's whole text" in text
    assert "reused by 2 articles · seed-b, characters 1,361–1,479:" in text


def test_search_explains_its_story_column():
    """The story column's ids (`s-f3f276dce522`) were not explained under the table."""
    results = [hit("seed-a", "reuser", 0.98, 1.24, 0.16, story={"id": "s-f3f276dce522"}, same_story=True),
               hit("digest-0522", "reuser", 0.06, 2.9, 0.06, story={"id": "s-3286c2846dec"}, same_story=False)]
    text = " ".join(" ".join(rendered(results, width=100)).split())
    assert "story: the story the store's clustering put it in (`storymatch cluster`)" in text
    assert "s-f3f276dce522 is seed-b's story" in text
    assert "story:" not in " ".join(" ".join(rendered(HITS)).split())  # no story column, no note
