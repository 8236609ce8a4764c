"""`storymatch eval cluster`: a labelled file clustered without its labels, and refused without them."""

import json
import subprocess
import sys


def _labelled_file(shared_dir, path, n=45, relabel=None):
    rows = [json.loads(line) for line in (shared_dir / "clustering" / "basil.jsonl").open(encoding="utf-8")]
    rows = sorted(rows, key=lambda r: r["story"])[:n]  # 15 whole events
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            if relabel:
                r = {**r, "story": relabel(r["story"]), "story_title": "x"}
            fh.write(json.dumps(r) + "\n")
    return path


def test_eval_cluster_scores_a_labelled_file_without_reading_its_labels(shared_dir, tmp_path):
    from typer.testing import CliRunner

    from storymatch.cli import app

    runner = CliRunner()
    plain = _labelled_file(shared_dir, tmp_path / "plain.jsonl")
    res = runner.invoke(app, ["eval", "cluster", str(plain), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout[res.stdout.index("{"):])
    assert {"articles", "stories_gold", "stories_found", "bcubed_f1", "bcubed_precision", "bcubed_recall",
            "pairwise_f1", "ari", "nmi"} <= set(out)
    assert (out["articles"], out["stories_gold"]) == (45, 15)
    assert out["bcubed_f1"] >= 0.9
    # every article in one gold story: the stories found must not change, only the scores
    merged = _labelled_file(shared_dir, tmp_path / "merged.jsonl", relabel=lambda s: "all")
    res2 = runner.invoke(app, ["eval", "cluster", str(merged), "--json"])
    out2 = json.loads(res2.stdout[res2.stdout.index("{"):])
    assert out2["stories_found"] == out["stories_found"] and out2["stories_gold"] == 1


def test_eval_cluster_refuses_a_record_without_a_label(tmp_path):
    bad = tmp_path / "unlabelled.jsonl"
    bad.write_text(json.dumps({"id": "1", "text": "Storm hits the coast.", "story": "a"}) + "\n"
                   + json.dumps({"id": "2", "text": "Storm batters coast towns."}) + "\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-c", "from storymatch.cli import main; main()", "eval", "cluster", str(bad)],
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert "unlabelled.jsonl:2" in res.stderr and "story" in res.stderr
    assert "Traceback" not in res.stderr


def test_the_table_names_its_measures_in_words():
    """Rows `bcubed_f1`, `stories_gold` and a header "TF-IDF + average linkage (0.775)" that never said what
    0.775 is: the rows in words, the baseline's cut explained under the table."""
    import io

    from rich.console import Console

    from storymatch.cli.eval_cluster import MEASURES, NOTE, results_table

    out = {k: 0.5 if k not in ("articles", "stories_gold", "stories_found") else 10 for k in MEASURES}
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system=None)
    console.print(results_table("basil.jsonl", out, dict(out)))
    console.print(NOTE)
    text = " ".join(buffer.getvalue().split())
    assert not [key for key in MEASURES if "_" in key and key in text]  # no bcubed_f1, stories_gold ...
    rows = [line.split("│")[1].strip() for line in buffer.getvalue().splitlines() if line.count("│") >= 3]
    assert rows == list(MEASURES.values())  # ari and nmi too, in words
    assert "B-cubed F1" in text and "stories in the labels" in text and "adjusted Rand index" in text
    assert "baseline: TF-IDF + average linkage" in text and "(0.775)" not in text
    assert "cosine distance of 0.775" in text
