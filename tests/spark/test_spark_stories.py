"""`spark stories` in local mode: the stories one machine's `cluster` makes, on the fixture corpus and on the shared
clustering sets; a second day added to the first's stories; bad input (the small driver: test_spark_small_driver.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyspark")
if not shutil.which("java"):
    pytest.skip("java is not installed (Spark needs it)", allow_module_level=True)

from storymatch.corpus.clusterer import StoryClusterer, stream_order  # noqa: E402
from storymatch.corpus.ingestion import ingest  # noqa: E402
from storymatch.corpus.store import Store  # noqa: E402
from storymatch.corpus.stories import cluster, store_items  # noqa: E402
from storymatch.evaluation.clustering_scores import bcubed  # noqa: E402
from storymatch.spark import read_output  # noqa: E402
from storymatch.spark import stories as spark_stories  # noqa: E402

pytestmark = pytest.mark.slow  # Spark, and the sentence models for the headline vectors

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CLI = [sys.executable, "-c", "from storymatch.cli import main; main()"]


def fixture_lines() -> list[str]:
    """The fixture corpus as JSONL: the example pair and its week (dated), then the unrelated articles (undated)."""
    lines = [json.dumps(json.loads(f.read_text(encoding="utf-8")))
             for f in sorted((FIXTURES / "corpus").glob("*.json"))]
    lines += [ln for ln in (FIXTURES / "corpus" / "week.jsonl").read_text(encoding="utf-8").splitlines() if ln.strip()]
    lines += [json.dumps({"id": f.stem, "text": f.read_text(encoding="utf-8")})
              for f in sorted((FIXTURES / "articles").glob("*.txt")) + [FIXTURES / "corpus" / "markets.txt"]]
    return lines


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def one_machine(corpus: Path, store_dir: Path) -> dict[str, str]:
    """Article id -> story id from `ingest` + `cluster` of the same file: what the Spark job must equal."""
    with Store(store_dir, create=True) as store:
        ingest([corpus], store)
        return {a: s.id for s in cluster(store) for a in s.articles}


def from_spark(out: Path) -> dict[str, str]:
    return {r["id"]: r["story"] for r in read_output(out / "articles")}


def agreement(a: dict[str, str], b: dict[str, str]) -> float:
    ids = sorted(a)
    assert sorted(b) == ids
    return bcubed([a[i] for i in ids], [b[i] for i in ids])[2]


def test_the_fixture_corpus_gets_one_machines_stories(spark, tmp_path):
    corpus = write(tmp_path / "corpus.jsonl", fixture_lines() + ["{not json"])
    run = spark_stories(spark, corpus, tmp_path / "out")
    expected = one_machine(corpus, tmp_path / "store")
    assert from_spark(tmp_path / "out") == expected  # the same stories, with the same ids
    assert (run.bad, run.articles, run.records) == (1, len(expected), len(expected) + 1)
    records = {s["id"]: s for s in read_output(tmp_path / "out" / "stories")}
    at_tanf = records[expected["seed-b"]]
    assert at_tanf["first"] == "seed-b" and at_tanf["size"] == len(at_tanf["articles"]) >= 5
    assert at_tanf["first_date"] <= at_tanf["last_date"]
    # the fixture's German, Japanese, Chinese and Thai reports of the strike are in it too: a story across languages
    assert {"syria-de", "zh-wire"} <= set(at_tanf["articles"]) and {"de", "en", "zh"} <= set(at_tanf["languages"])
    reuse = read_output(tmp_path / "out" / "reuse")
    assert {(r["a_id"], r["b_id"]) for r in reuse} >= {("seed-a", "seed-b")}
    assert all(expected[r["a_id"]] == expected[r["b_id"]] == r["story"] for r in reuse)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert {"views", "candidates and verification", "story decision", "writing"} <= set(summary["stages"])


@pytest.mark.parametrize("name,limit", [("basil", None), ("ecbplus_even_topics", None), ("mmds2025_sg_dev", None),
                                        ("uci_newsagg_head", 600), ("googlenews_ts", 600)])
def test_each_shared_clustering_set_gets_one_machines_stories(spark, shared_dir, tmp_path, name, limit):
    lines = (shared_dir / "clustering" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(ln) for ln in lines if ln.strip()][:limit]
    for r in rows:  # the gold labels stay out of what is clustered
        r.pop("story", None), r.pop("story_title", None), r.pop("topic", None)
    corpus = write(tmp_path / "corpus.jsonl", [json.dumps(r) for r in rows])
    spark_stories(spark, corpus, tmp_path / "out")
    mine, theirs = from_spark(tmp_path / "out"), one_machine(corpus, tmp_path / "store")
    # exact equality is what the design gives; floating point in two BLAS calls may swap a near-tied candidate
    assert agreement(theirs, mine) >= 0.99
    same = sum(mine[i] == theirs[i] for i in mine) / len(mine)
    print(f"{name}: {len(mine)} articles, B-cubed F1 between Spark and one machine "
          f"{agreement(theirs, mine):.4f}, same story id for {same:.1%}")


def test_a_second_day_joins_the_first_days_stories_as_a_stream_would(spark, tmp_path):
    lines = fixture_lines()
    first, second = lines[:6], lines[6:]
    day1, day2 = write(tmp_path / "day1.jsonl", first), write(tmp_path / "day2.jsonl", second)
    spark_stories(spark, day1, tmp_path / "out1")
    run = spark_stories(spark, day2, tmp_path / "out2", previous=tmp_path / "out1")
    both = write(tmp_path / "both.jsonl", lines)
    with Store(tmp_path / "store", create=True) as store:
        ingest([both], store)
        _, items = store_items(store)
    by_id = {it.id: it for it in items}
    ids1 = [json.loads(ln)["id"] for ln in first]
    ids2 = [json.loads(ln)["id"] for ln in second]
    stream = StoryClusterer()  # the first day clustered, then the second day fed to the same clusterer
    for part in (ids1, ids2):
        views = [by_id[i] for i in part]
        for k in stream_order(views):
            stream.add(views[k])
    expected = {a: s.id for s in stream.stories() for a in s.articles}
    assert from_spark(tmp_path / "out2") == expected
    assert run.articles == len(ids2) and run.total_articles == len(ids1) + len(ids2)
    # the first day's pairs were not verified again: every candidate pair has a second-day article
    assert run.candidate_pairs <= len(ids2) * 60


def test_bad_input(spark, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    base = fixture_lines()
    write(folder / "a.jsonl", base[:8])
    # a repeated id in another file (the first one is kept) and a record without a date
    repeat = json.dumps({**json.loads(base[0]), "text": "another text under a known id"})
    write(folder / "b.jsonl", [repeat, json.dumps({"id": "undated", "text": json.loads(base[1])["text"]})])
    run = spark_stories(spark, folder, tmp_path / "out")
    assert run.duplicates == 1 and run.undated == 1 and run.articles == 9
    rows = {r["id"]: r for r in read_output(tmp_path / "out" / "articles")}
    assert rows["undated"]["date"] is None and rows["undated"]["story"]
    # an empty input: empty outputs and a summary, nothing else
    empty = write(tmp_path / "empty.jsonl", [])
    run = spark_stories(spark, empty, tmp_path / "empty-out")
    assert (run.articles, run.stories) == (0, 0) and read_output(tmp_path / "empty-out" / "stories") == []
    # an interrupted run left its partial output: a rerun into the same OUT starts afresh
    partial = tmp_path / "again.partial"
    partial.mkdir()
    (partial / "junk").write_text("left by a killed run")
    spark_stories(spark, folder, tmp_path / "again")
    assert not partial.exists() and from_spark(tmp_path / "again") == from_spark(tmp_path / "out")


def test_a_story_crossing_languages(spark, tmp_path, seed_b):
    german = (FIXTURES / "articles" / "syria-de.txt").read_text(encoding="utf-8")
    rates = (FIXTURES / "articles" / "rates.txt").read_text(encoding="utf-8")
    corpus = write(tmp_path / "mixed.jsonl", [json.dumps(r) for r in (
        {"id": "en", "text": seed_b, "date": "2017-05-18"}, {"id": "de", "text": german, "date": "2017-05-19"},
        {"id": "rates", "text": rates, "date": "2017-05-18"})])
    spark_stories(spark, corpus, tmp_path / "out")
    found = from_spark(tmp_path / "out")
    assert found["en"] == found["de"] != found["rates"]
    story = next(s for s in read_output(tmp_path / "out" / "stories") if s["id"] == found["en"])
    assert story["languages"] == ["de", "en"]


def test_the_command_line(tmp_path):
    corpus = write(tmp_path / "corpus.jsonl", fixture_lines())
    out = tmp_path / "out"
    done = subprocess.run([*CLI, "spark", "stories", str(corpus), "--out", str(out), "--json"], capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["articles"] == len(fixture_lines()) and summary["stories"] >= 1
    again = subprocess.run([*CLI, "spark", "stories", str(corpus), "--out", str(out)], capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 2 and "already exists" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    bad = subprocess.run([*CLI, "spark", "stories", str(corpus), "--out", str(tmp_path / "o2"), "--previous",
                          str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "not the output of" in bad.stderr
