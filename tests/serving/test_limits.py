"""The server under hostile input (issue 17): the text limit on multipart as on JSON, ingest included; deeply nested
JSON in bodies and uploads; a bad article of an ingest costing only itself; /api/health without paths; the
in-flight cap; a client leaving mid-body logged as one line."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from fastapi.testclient import TestClient

from storymatch.serving.app import create_app
from storymatch.serving.bodylimit import InFlightLimit

TOKEN = "t0k"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEEP = "[" * 200_000 + "]" * 200_000


@pytest.fixture(scope="module")
def client(tmp_path_factory, fake_embedder):
    folder = tmp_path_factory.mktemp("limits") / "store"
    # a small text limit, so that an over-limit article is small enough for the 2 MB body cap and quick to send
    with TestClient(create_app(store_dir=folder, token=TOKEN, max_chars=5_000)) as c:
        c.folder = folder  # type: ignore[attr-defined]
        yield c


def test_health_names_no_path(client):
    body = client.get("/api/health").json()
    assert body["store"] is True and str(client.folder) not in json.dumps(body)  # type: ignore[attr-defined]


def test_multipart_ingest_is_under_the_same_text_limit_as_json(client, seed_b):
    long = ("word " * 1_200).encode()  # 6,000 characters: over the server's 5,000
    before = client.get("/api/store").json()["articles"]
    files = [("files", ("long.txt", long, "text/plain")), ("files", ("seed-b.txt", seed_b.encode(), "text/plain"))]
    resp = client.post("/api/ingest", files=files, headers=AUTH)
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert out["added"] == 1 and out["bad"] == 1
    assert "long.txt" in out["errors"][0] and "over the 5,000-character limit" in out["errors"][0]
    assert client.get("/api/store").json()["articles"] == before + 1
    # the same article as JSON: the same limit, the same one line, and the good article beside it still stored
    resp = client.post("/api/ingest", json={"articles": [{"text": long.decode()}, {"text": "A short note, fine."}]},
                       headers=AUTH)
    assert resp.status_code == 200 and resp.json()["bad"] == 1 and resp.json()["added"] == 1
    assert "over the 5,000-character limit" in resp.json()["errors"][0]


def test_over_limit_compare_is_422_json_and_multipart(client, seed_b):
    long = "word " * 1_200
    resp = client.post("/api/compare", json={"a": {"text": long}, "b": {"text": seed_b[:4000]}})
    assert resp.status_code == 422 and "over the 5,000-character limit" in resp.json()["error"]
    resp = client.post("/api/compare", files={"a": ("a.txt", long.encode()), "b": ("b.txt", seed_b[:4000].encode())})
    assert resp.status_code == 422 and "over the 5,000-character limit" in resp.json()["error"]


@pytest.mark.parametrize("path", ["/api/compare", "/api/align"])
def test_deep_json_upload_is_a_4xx_line(client, path, seed_b):
    """Uploading `['*200000 + ']'*200000` as A answered 500 or reset the connection."""
    resp = client.post(path, files={"a": ("n.json", DEEP.encode(), "application/json"),
                                    "b": ("b.txt", seed_b[:4000].encode())})
    assert resp.status_code == 422 and "nested" in resp.json()["error"] and "Traceback" not in resp.text
    resp = client.post(path, content=('{"a": ' + DEEP + "}").encode(), headers={"content-type": "application/json"})
    assert 400 <= resp.status_code < 500 and "nested" in resp.json()["error"]


def test_bad_record_rule_is_the_files_rule(client, seed_b):
    """One date rule: 'Smarch 45' is refused by the API as by the CLI; 'EN-us' is English everywhere."""
    resp = client.post("/api/compare", json={"a": {"text": seed_b[:3000], "date": "Smarch 45"},
                                             "b": {"text": seed_b[:3000]}})
    assert resp.status_code == 422 and resp.json()["error"] == "a: cannot read the date 'Smarch 45'"
    resp = client.post("/api/compare", json={"a": {"text": seed_b[:3000], "language": "7"},
                                             "b": {"text": seed_b[:3000]}})
    assert resp.status_code == 422 and "not a language code" in resp.json()["error"]


def test_inflight_cap_answers_503_with_retry_after():
    """Beyond the cap a request is answered at once (503, Retry-After) instead of queueing without bound."""
    gate = asyncio.Event()

    async def slow_app(scope, receive, send):
        await gate.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limit = InFlightLimit(slow_app, max_inflight=2)

    async def call(path: str = "/api/compare"):
        sent: list[dict] = []

        async def send(message):
            sent.append(message)

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        await limit({"type": "http", "path": path}, receive, send)
        return sent

    async def scenario():
        held = [asyncio.create_task(call()) for _ in range(2)]
        await asyncio.sleep(0.01)
        over = await call()
        health = asyncio.create_task(call("/api/health"))  # never refused: it would wait like the others
        gate.set()
        done = await asyncio.gather(*held, health)
        return over, done

    over, done = asyncio.run(scenario())
    start = over[0]
    assert start["status"] == 503 and (b"retry-after", b"5") in start["headers"]
    assert "busy" in json.loads(over[1]["body"])["error"]
    assert all(d[0]["status"] == 200 for d in done) and limit.inflight == 0


def test_client_disconnect_is_one_log_line(client, caplog):
    """A client leaving mid-body was logged as an internal error with two tracebacks."""
    from starlette.requests import ClientDisconnect

    app = client.app

    async def scenario():
        messages = iter([{"type": "http.request", "body": b'{"a": {"te', "more_body": True},
                         {"type": "http.disconnect"}])

        async def receive():
            return next(messages)

        sent: list[dict] = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/api/compare", "raw_path": b"/api/compare",
                 "query_string": b"", "headers": [(b"content-type", b"application/json"),
                                                  (b"content-length", b"1000")],
                 "http_version": "1.1", "scheme": "http", "server": ("127.0.0.1", 80), "client": ("x", 1),
                 "root_path": "", "app": app}
        await app(scope, receive, send)
        return sent

    with caplog.at_level(logging.INFO, logger="storymatch"):
        try:
            asyncio.run(scenario())
        except ClientDisconnect:  # pragma: no cover - what the old code let escape
            pytest.fail("ClientDisconnect escaped the app")
    lines = [r for r in caplog.records if r.name.startswith("storymatch")]
    assert len(lines) == 1 and lines[0].exc_info is None
    assert lines[0].getMessage() == "client disconnected before sending its whole request: POST /api/compare"
