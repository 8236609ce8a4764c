"""PAN measures by their definitions, the PAN layout, and `storymatch eval pan` on the shared sample."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from storymatch.cli import app
from storymatch.errors import InputError
from storymatch.evaluation import pan
from storymatch.evaluation.pan import Case
from storymatch.evaluation.plagdet import plagdet
from storymatch.evaluation.plagdet import report as plagdet_report

runner = CliRunner()
CASE = Case(100, 200, 1000, 200, "none")


def test_perfect_detection_scores_one():
    s = plagdet([[CASE]], [[Case(100, 200, 1000, 200)]])
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)


def test_half_detection_halves_recall_only():
    # Detects the first half of the case on both sides: 200 of 400 case characters.
    s = plagdet([[CASE]], [[Case(100, 100, 1000, 100)]])
    assert s.precision == 1.0 and s.recall == pytest.approx(0.5)
    assert s.plagdet == pytest.approx(2 / 3)


def test_split_detection_costs_granularity():
    s = plagdet([[CASE]], [[Case(100, 100, 1000, 100), Case(200, 100, 1100, 100)]])
    assert s.recall == pytest.approx(1.0) and s.granularity == 2.0
    assert s.plagdet == pytest.approx(1 / math.log2(3))


def test_detection_must_overlap_both_documents():
    # Right place in the suspicious text, wrong place in the source: detects nothing.
    s = plagdet([[CASE]], [[Case(100, 200, 5000, 200)]])
    assert s.recall == 0.0 and s.precision == 0.0 and s.plagdet == 0.0


def test_false_detection_on_a_pair_without_reuse_lowers_precision():
    s = plagdet([[CASE], []], [[Case(100, 200, 1000, 200)], [Case(0, 50, 0, 50)]])
    assert s.recall == 1.0 and s.precision == pytest.approx(0.5)


def test_no_detections_at_all():
    assert plagdet([[CASE]], [[]]).plagdet == 0.0
    assert plagdet([[]], [[]]).plagdet == 1.0


def test_detections_round_trip_through_pan_xml(tmp_path):
    pair = pan.PanPair("suspicious-document00001.txt", "source-document00002.txt", "x" * 500, "y" * 500, [], "none")
    dets = [Case(10, 20, 30, 40), Case(100, 50, 0, 50)]
    path = pan.write_detections(tmp_path, pair, dets)
    assert path.name == "suspicious-document00001-source-document00002.xml"
    assert pan.read_truth(path) == dets


def test_layout_errors_are_one_line(tmp_path):
    with pytest.raises(InputError, match="no 'pairs' file"):
        pan.read_layout(tmp_path)
    (tmp_path / "pairs").write_text("only-one-name.txt\n")
    with pytest.raises(InputError, match="line 1"):
        pan.read_layout(tmp_path)
    r = runner.invoke(app, ["eval", "pan", str(tmp_path / "missing")])
    assert r.exit_code == 2 and "no such file" in r.output and "Traceback" not in r.output


def test_eval_pan_sample_reaches_target(shared_dir, tmp_path):
    out = tmp_path / "det"
    r = runner.invoke(app, ["eval", "pan", str(shared_dir / "reuse" / "pan_sample"), "--json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert {"plagdet", "precision", "recall", "granularity", "pairs", "by_obfuscation"} <= set(res)
    assert res["pairs"] == 60
    assert res["plagdet"] >= 0.90
    assert res["by_obfuscation"]["no-plagiarism"]["wrongly_claimed"] <= 0.1
    assert len(list(out.glob("*.xml"))) == 60
    # The written detections score the same when read back as PAN's evaluator would.
    pairs = pan.read_layout(shared_dir / "reuse" / "pan_sample")
    dets = [pan.read_truth(out / f"{p.key}.xml") for p in pairs]
    assert plagdet_report(pairs, dets)["plagdet"] == res["plagdet"]


def test_eval_pan_dev_jsonl_reports_pair_level_shares(shared_dir):
    r = runner.invoke(app, ["eval", "pan", str(shared_dir / "reuse" / "pan_dev.jsonl"), "--json"])
    assert r.exit_code == 0, r.output
    by = json.loads(r.stdout)["by_obfuscation"]
    assert by["none"]["plagdet"] > 0.85
    assert by["negative"]["wrongly_claimed"] < 0.05
    for kind in ("random", "translation", "summary"):
        assert 0.0 <= by[kind]["found"] <= 1.0 and by[kind]["pairs"] > 0
    assert by["random"]["found"] > 0.8
