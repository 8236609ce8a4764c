"""`spark stories` with a driver allowed 1 MB of results: its own module, so that its session (with that limit) is
the only one running; a module's shared session would be handed back by getOrCreate, limit unset, and stopped."""

from __future__ import annotations

import json
import shutil

import pytest

pytest.importorskip("pyspark")
if not shutil.which("java"):
    pytest.skip("java is not installed (Spark needs it)", allow_module_level=True)

from storymatch.spark import read_output, session  # noqa: E402
from storymatch.spark import stories as spark_stories  # noqa: E402

from .test_spark_stories import fixture_lines, write  # noqa: E402

pytestmark = pytest.mark.slow


def test_the_driver_never_holds_the_corpus(tmp_path):
    # Any result over 1 MB sent to the driver fails the job (1 MB is the least Spark allows). The corpus is 3.5 MB
    # (the fixture corpus four times over, each record carrying 35 KB of notes, as scraped records carry markup):
    # neither it, nor its views, pairs or stories ever reach the driver.
    lines = fixture_lines()
    notes = "Archived page furniture. " * 1400
    big = [json.dumps({**json.loads(ln), "id": f"{json.loads(ln)['id']}-{k}", "notes": notes})
           for k in range(4) for ln in lines]
    corpus = write(tmp_path / "big.jsonl", big)
    assert corpus.stat().st_size > 3_000_000
    s = session("local[2]", app_name="storymatch-small-driver", shuffle_partitions=4,
                conf={"spark.driver.maxResultSize": "1m"})
    try:
        # a session already running would be handed back without the limit (getOrCreate): this module has no other
        assert s.sparkContext.getConf().get("spark.driver.maxResultSize") == "1m"
        run = spark_stories(s, corpus, tmp_path / "out", partitions=4)
    finally:
        s.stop()
    assert run.articles == len(big) and run.stories >= 1
    assert len(read_output(tmp_path / "out" / "articles")) == len(big)
