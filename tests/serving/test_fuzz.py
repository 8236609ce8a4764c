"""Schemathesis fuzzing of the app's own OpenAPI schema: whatever a client sends, never a 5xx.

Each operation gets generated bodies (JSON and multipart where both are accepted), including
edge cases from the schema's limits; the number of requests sent is printed at the end.
"""

from __future__ import annotations

import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from storymatch.serving.app import create_app

# Real models (or Spark, or a browser) and their timings: the full suite runs this, `-m "not slow"` does not.
pytestmark = pytest.mark.slow

# warm=False: the schema loader does not run the lifespan; models load on the first request.
APP = create_app(warm=False, max_bytes=200_000)
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
# The corpus endpoints, on a store of their own (no token, so that ingest is fuzzed too).
STORE_DIR = tempfile.TemporaryDirectory(prefix="storymatch-fuzz-store-")
STORE_APP = create_app(store_dir=STORE_DIR.name, warm=False, max_bytes=200_000)
STORE_SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", STORE_APP).include(
    path_regex="^/api/(store|ingest|articles|search|trace|stories|report)")
SENT = {"requests": 0, "5xx": 0}


@pytest.fixture(scope="module")
def seeded_store(seed_a, seed_b):
    """The example pair in the fuzzed store, so search, trace and stories have something to find."""
    from storymatch.corpus.ingestion import ingest_records
    from storymatch.corpus.store import Store
    from storymatch.inputs.article import Article

    with Store(STORE_DIR.name) as st:
        ingest_records([("a", Article(seed_a, date="2017-05-19")), ("b", Article(seed_b, date="2017-05-18"))], st,
                       report=False)
    return STORE_DIR.name


@SCHEMA.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case):
    check(case)


@STORE_SCHEMA.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_store_no_server_errors(case, seeded_store):
    check(case)


def check(case) -> None:
    SENT["requests"] += 1
    try:
        response = case.call()
    except Exception:  # the app raised: the client would have seen a 500
        SENT["5xx"] += 1
        raise
    if response.status_code >= 500:
        SENT["5xx"] += 1
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:  # every error answers with one line of JSON
        assert "\n" not in response.json()["error"]


def test_fuzz_report(capsys):
    """Runs after the fuzzing above (pytest keeps file order): the count, and no server error."""
    if not SENT["requests"]:
        pytest.skip("the fuzzing tests were not run (deselected)")
    line = f"fuzz: {SENT['requests']} requests, {SENT['5xx']} server errors"
    with capsys.disabled():
        print("\n" + line)
    assert SENT["requests"] >= 100 and SENT["5xx"] == 0
