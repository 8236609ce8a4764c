"""The Spark session storymatch's jobs run in: local by default, any master URL otherwise.

A local session is one process on this machine, so it binds to loopback: Spark otherwise picks the machine's
external address ("Your hostname resolves to a loopback address ...; using 192.0.2.2 instead") and listens on it.
Its log is errors only (log4j2.properties next to this file) instead of Spark's default WARN profile, which
printed four lines of advice before every run. On a cluster both are left to the cluster's own configuration.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

LOOPBACK = "127.0.0.1"
LOG_CONFIG = Path(__file__).with_name("log4j2.properties")
_LOCAL = re.compile(r"local(\[.*\])?")


def local_conf(master: str, conf: dict[str, str] | None = None) -> dict[str, str]:
    """The settings a local master gets unless `conf` sets them: loopback addresses and the quiet log.

    For any other master, nothing: a cluster's driver must be reachable from its executors, and the cluster
    has its own logging.
    """
    if not _LOCAL.fullmatch(master):
        return {}
    given = conf or {}
    out = {"spark.driver.host": LOOPBACK, "spark.driver.bindAddress": LOOPBACK}
    # the log configuration has to reach the driver's JVM as it starts: pyspark passes every setting to
    # spark-submit, which puts the driver's Java options on that JVM's command line
    options = given.get("spark.driver.extraJavaOptions", "")
    if "log4j2.configurationFile" not in options:
        out["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()} {options}".strip()
    return {k: v for k, v in out.items() if k not in given or k == "spark.driver.extraJavaOptions"}


def session(master: str = "local[2]", *, app_name: str = "storymatch", shuffle_partitions: int = 8,
            conf: dict[str, str] | None = None):
    """A SparkSession whose Python workers run this interpreter (and so this storymatch).

    The UI is off and shuffles are small by default: right for local runs and tests;
    on a cluster pass `conf` (or use spark-submit, which overrides the master).
    """
    from pyspark.sql import SparkSession  # pyspark starts a JVM: only for Spark runs

    builder = (SparkSession.builder.master(master).appName(app_name)
               # the workers run this interpreter (and so this storymatch), set as Spark configuration
               # rather than through PYSPARK_PYTHON, which the library never writes
               .config("spark.pyspark.python", sys.executable)
               .config("spark.pyspark.driver.python", sys.executable)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
               .config("spark.python.worker.reuse", "true"))
    for k, v in {**(conf or {}), **local_conf(master, conf)}.items():
        builder = builder.config(k, v)
    return builder.getOrCreate()
