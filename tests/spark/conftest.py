"""The local Spark session the job tests share: one per test module (module scope), stopped at its end."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def spark():
    from storymatch.spark import session  # pyspark only where a test asks for a session

    s = session("local[2]", app_name="storymatch-tests", shuffle_partitions=2)
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()
