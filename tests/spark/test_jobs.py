"""The Spark jobs in local mode on the fixture corpus: same pairs and same alignments as one machine."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pyspark")
if not shutil.which("java"):
    pytest.skip("java is not installed (Spark needs it)", allow_module_level=True)

from storymatch.alignment.aligner import align  # noqa: E402
from storymatch.alignment.types import AlignParams  # noqa: E402
from storymatch.errors import InputError  # noqa: E402
from storymatch.spark import compare_pairs, embed_corpus, read_output, record_article, reuse_pairs  # noqa: E402
from storymatch.text.spans import sentences, word_list  # noqa: E402

# Real models (or Spark, or a browser) and their timings: the full suite runs this, `-m "not slow"` does not.
pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CLI = [sys.executable, "-c", "from storymatch.cli import main; main()"]
BAD_LINES = ["{not json", json.dumps({"id": "no-text", "title": "a record without a body"})]


def ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    w = word_list(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The example pair and its week (dated), the unrelated article fixtures (undated), and two bad lines."""
    lines = [json.dumps(json.loads(f.read_text(encoding="utf-8")))
             for f in sorted((FIXTURES / "corpus").glob("*.json"))]
    lines += [ln for ln in (FIXTURES / "corpus" / "week.jsonl").read_text(encoding="utf-8").splitlines() if ln.strip()]
    lines += [json.dumps({"id": f.stem, "text": f.read_text(encoding="utf-8")})
              for f in sorted((FIXTURES / "articles").glob("*.txt")) + [FIXTURES / "corpus" / "markets.txt"]]
    lines.insert(5, BAD_LINES[0])
    lines.append(BAD_LINES[1])
    path = tmp_path_factory.mktemp("spark") / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def articles(corpus) -> dict:
    """The corpus read on one machine, record by record, as the Spark job reads it."""
    out = {}
    for i, line in enumerate(corpus.read_text(encoding="utf-8").splitlines(), 1):
        try:
            art = record_article(line, f"{corpus}:{i}")
        except InputError:
            continue
        out[art.id] = art
    return out


@pytest.fixture(scope="module")
def reuse(spark, corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("reuse") / "out"
    run = reuse_pairs(spark, corpus, out, partitions=3)
    return run, out, read_output(out / "pairs")


def test_example_pair_is_a_reuse_pair_with_the_copied_sentences(reuse, articles, seed_a, seed_b):
    _, _, rows = reuse
    pair = [r for r in rows if {r["a_id"], r["b_id"]} == {"seed-a", "seed-b"}]
    assert len(pair) == 1
    r = pair[0]
    # seed-a (19 May) is later than seed-b (18 May): it is A, the possible reuser, and seed-b its likely source.
    assert (r["a_id"], r["b_id"], r["source_id"]) == ("seed-a", "seed-b", "seed-b")
    for p in r["passages"]:
        assert seed_a[p["a_start"]:p["a_end"]] == p["a_text"]
        assert seed_b[p["b_start"]:p["b_end"]] == p["b_text"]
    # Copied sentences (all their 5-grams in seed-b, or a run of 8 words from it) lie inside a passage.
    b5, b8 = ngrams(seed_b, 5), ngrams(seed_b, 8)
    copied = [s for s in sentences(seed_a)
              if (len(word_list(s.text)) >= 5 and ngrams(s.text, 5) <= b5) or ngrams(s.text, 8) & b8]
    assert len(copied) >= 3
    for s in copied:
        assert any(p["a_start"] < s.end and p["a_end"] > s.start for p in r["passages"]), s.text
    assert any(["US", "USA"] in p["substitutions"] for p in r["passages"])


def test_pairs_and_alignments_equal_single_machine_align_over_all_pairs(reuse, articles):
    _, _, rows = reuse
    found = {frozenset((r["a_id"], r["b_id"])): r for r in rows}
    assert len(found) == len(rows)
    for x, y in itertools.combinations(sorted(articles), 2):
        r = found.get(frozenset((x, y)))
        if r is None:  # not reported: one machine finds no shared text either way round (a translation shares
            # none, so no LSH key finds it: Spark's reuse job, like the store's index, looks for shared text)
            no_translation = AlignParams(translation_model=None)
            assert not align(articles[x], articles[y], no_translation).passages, (x, y)
            assert not align(articles[y], articles[x], no_translation).passages, (x, y)
            continue
        a, b = articles[r["a_id"]], articles[r["b_id"]]
        if a.date and b.date and a.date != b.date:
            assert a.date > b.date  # A is the later article
        expected = align(a, b).to_dict()
        assert {k: r[k] for k in expected} == json.loads(json.dumps(expected))
    unrelated = {"football", "rates", "markets", "quake-local", "quake-wire", "syria-de", "iberia-weather-0519"}
    assert not [r for r in rows if {r["a_id"], r["b_id"]} & {"seed-a", "seed-b"} and {r["a_id"], r["b_id"]} & unrelated]


def test_bad_records_are_counted_and_named(reuse, corpus, articles):
    run, out, _ = reuse
    assert run.bad == 2 and run.articles == len(articles) and run.records == len(articles) + 2
    bad = [ln for f in sorted((out / "bad").glob("part-*")) for ln in f.read_text(encoding="utf-8").splitlines()]
    assert sorted(bad) == sorted([f"{corpus}:6: invalid JSON (Expecting property name enclosed in double quotes: "
                                  f"column 2)", f"{corpus}:{len(articles) + 2}: no text field (expected one of: "
                                                "text, maintext, body, content)"])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["reuse_pairs"] == run.reuse_pairs >= 1


def test_parquet_output_holds_the_same_records(spark, corpus, reuse, tmp_path):
    _, _, rows = reuse
    run = reuse_pairs(spark, corpus, tmp_path / "out", partitions=2, fmt="parquet")
    got = [r.asDict(recursive=True) for r in spark.read.parquet(str(tmp_path / "out" / "pairs")).collect()]
    key = lambda r: (r["a_id"], r["b_id"])  # noqa: E731
    assert run.reuse_pairs == len(rows) and sorted(got, key=key) == sorted(rows, key=key)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    run = reuse_pairs(spark, empty, tmp_path / "none", fmt="parquet")
    assert (run.records, run.articles, run.reuse_pairs) == (0, 0, 0)
    assert spark.read.parquet(str(tmp_path / "none" / "pairs")).count() == 0


def test_compare_pairs_equals_compare(spark, articles, tmp_path):
    from storymatch.comparison.pipeline import compare

    pairs = tmp_path / "pairs.jsonl"
    recs = [{"id": "seed", "a": {"text": articles["seed-a"].text, "date": "2017-05-19"},
             "b": {"text": articles["seed-b"].text, "date": "2017-05-18"}},
            {"id": "far", "a": {"text": articles["seed-a"].text}, "b": {"text": articles["football"].text}}]
    pairs.write_text("\n".join([json.dumps(r) for r in recs] + ["{oops"]) + "\n", encoding="utf-8")
    summary = compare_pairs(spark, pairs, tmp_path / "out.jsonl", partitions=1)  # one worker loads the models
    assert (summary["pairs"], summary["errors"]) == (2, 1)
    got = {r.get("id", "error"): r for r in read_output(tmp_path / "out.jsonl")}
    assert got["error"]["line"] == 3 and "invalid JSON" in got["error"]["error"]
    assert got["seed"]["same_story"] is True and got["far"]["same_story"] is False
    for rec in recs:
        from storymatch.inputs.records import article_from_record

        local = compare(article_from_record(rec["a"], "a"), article_from_record(rec["b"], "b")).to_dict()
        remote = got[rec["id"]]
        assert remote["reuse"] == json.loads(json.dumps(local["reuse"]))
        assert remote["backend"] == local["backend"]
        for k, v in local["scores"].items():
            assert remote["scores"][k] == pytest.approx(v, abs=1e-4)


def test_embed_corpus_fast_tier_equals_local_vectors(spark, corpus, articles, tmp_path):
    from storymatch.embedding.tiers import get_tier

    summary = embed_corpus(spark, corpus, tmp_path / "vec", tier="fast", partitions=2)
    assert (summary["articles"], summary["bad"], summary["tier"]) == (len(articles), 2, "fast")
    rows = {r["id"]: np.array(r["vector"]) for r in spark.read.parquet(str(tmp_path / "vec")).collect()}
    ids = sorted(articles)
    local = get_tier("fast").encode_articles([articles[i] for i in ids])
    assert sorted(rows) == ids
    assert np.allclose(np.stack([rows[i] for i in ids]), local, atol=1e-6)


def test_tiers_load_once_per_worker_process_not_per_partition(spark):
    def probe(_):
        import os

        from storymatch.spark.vectors import _tier

        yield os.getpid(), id(_tier("fast"))

    seen = spark.sparkContext.parallelize(range(12), 6).mapPartitions(probe).collect()
    assert len(seen) == 6
    assert len({pid for pid, _ in seen}) <= 2  # local[2]: two reused Python workers for six tasks
    assert all(len({obj for p, obj in seen if p == pid}) == 1 for pid, _ in seen)


def test_cli_refuses_missing_input_and_existing_output(corpus, tmp_path):
    r = subprocess.run(CLI + ["spark", "reuse", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "nope.jsonl: no such file or folder" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run(CLI + ["spark", "compare", str(corpus), "--out", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and "already exists" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run(CLI + ["spark", "embed", str(corpus), "--out", str(tmp_path / "v"), "--master", "local[2"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "not a Spark master URL" in r.stderr and "Traceback" not in r.stderr
