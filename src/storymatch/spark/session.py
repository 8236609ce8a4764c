"""The Spark session storymatch's jobs run in: local by default, any master URL otherwise."""

from __future__ import annotations

import sys


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
    for k, v in (conf or {}).items():
        builder = builder.config(k, v)
    return builder.getOrCreate()
