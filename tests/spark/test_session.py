"""The Spark session: a local master binds to loopback and logs errors only; a cluster's settings are its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storymatch.spark.session import LOG_CONFIG, LOOPBACK, local_conf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_local_masters_bind_to_loopback_and_log_errors_only():
    for master in ("local", "local[2]", "local[*]", "local[4,2]"):
        conf = local_conf(master)
        assert conf["spark.driver.host"] == LOOPBACK and conf["spark.driver.bindAddress"] == LOOPBACK
        assert f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}" in conf["spark.driver.extraJavaOptions"]
    assert "rootLogger.level = error" in LOG_CONFIG.read_text(encoding="utf-8")


def test_a_cluster_keeps_its_own_settings():
    for master in ("spark://host:7077", "yarn", "k8s://https://api:6443"):
        assert local_conf(master) == {}


def test_the_user_s_settings_win_and_java_options_are_kept():
    conf = local_conf("local[2]", {"spark.driver.host": "10.0.0.5", "spark.driver.extraJavaOptions": "-Xss4m"})
    assert "spark.driver.host" not in conf and conf["spark.driver.bindAddress"] == LOOPBACK
    assert conf["spark.driver.extraJavaOptions"].endswith(" -Xss4m")
    own_log = local_conf("local[2]", {"spark.driver.extraJavaOptions": "-Dlog4j2.configurationFile=mine.xml"})
    assert "spark.driver.extraJavaOptions" not in own_log


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("java"), reason="java is not installed (Spark needs it)")
def test_a_local_run_prints_no_spark_warnings(tmp_path):
    """`storymatch spark reuse` in local mode printed the host-address warning ("using 192.0.2.2 instead"), the
    native-hadoop warning and the default log level's advice; now only what the user needs."""
    pytest.importorskip("pyspark")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "storymatch", "spark", "reuse",
                        str(FIXTURES / "corpus" / "week.jsonl"), "--out", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    for noise in ("WARN ", "Setting default log level", "log4j profile", "SPARK_LOCAL_IP", "instead (on interface"):
        assert noise not in r.stderr, r.stderr
    # what is left: the JVM's own notice of the vector module Spark's launcher adds (printed before any
    # configuration applies), and the run's summary
    lines = [line for line in r.stderr.splitlines() if line.strip() and not line.startswith("WARNING: Using incubator")]
    assert len(" ".join(lines).split(" articles ")) == 2 and "sharing text, with" in " ".join(lines), r.stderr


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("java"), reason="java is not installed (Spark needs it)")
def test_a_local_session_listens_on_loopback_only():
    pytest.importorskip("pyspark")
    from storymatch.spark.session import session

    spark = session("local[1]", app_name="storymatch-session-test", shuffle_partitions=1)
    try:
        conf = spark.sparkContext.getConf()
        assert conf.get("spark.driver.host") == LOOPBACK and conf.get("spark.driver.bindAddress") == LOOPBACK
        assert spark.sparkContext.parallelize(range(4)).sum() == 6
    finally:
        spark.stop()


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("java"), reason="java is not installed (Spark needs it)")
def test_on_a_terminal_the_jvm_does_not_break_the_spinner_line(tmp_path):
    """On a terminal, Java's "WARNING: Using incubator modules" was written into the spinner's line; now the
    JVM's lines go above the spinner, whole, and that notice is left out."""
    pytest.importorskip("pyspark")
    import importlib.util

    spec = importlib.util.spec_from_file_location("progress_tests", FIXTURES.parent / "cli" / "test_progress.py")
    assert spec and spec.loader
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    in_pty = helpers.in_pty  # the CLI with its stderr on a pseudo-terminal
    err, _, code = in_pty("spark", "embed", str(FIXTURES / "corpus" / "week.jsonl"), "--out", str(tmp_path / "v"))
    assert code == 0, err
    assert "incubator" not in err
    lines = [line for line in err.replace("\r", "\n").splitlines() if line.strip()]
    assert all("WARNING" not in line for line in lines if "Spark (local[2])" in line)
    assert any("vectors (fast, 1 bad record)" in line or "vectors (fast, 0 bad records)" in line for line in lines)
