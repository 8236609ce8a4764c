"""Schemathesis fuzzing of the app's own OpenAPI schema: whatever a client sends, never a 5xx.

Each operation gets generated bodies (JSON and multipart where both are accepted), including
edge cases from the schema's limits; the number of requests sent is printed at the end.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from storymatch.server import create_app

# warm=False: the schema loader does not run the lifespan; models load on the first request.
APP = create_app(warm=False, max_bytes=200_000)
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
SENT = {"requests": 0, "5xx": 0}


@SCHEMA.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case):
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
