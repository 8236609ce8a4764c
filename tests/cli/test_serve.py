"""`storymatch serve` through the real entry point: a busy port is one line before any model loads, and the
socket bound for that check is the one the server then answers on."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

CLI = [sys.executable, "-m", "storymatch"]


def test_a_busy_port_is_one_line_before_the_models_load():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        r = subprocess.run([*CLI, "serve", "--port", str(port)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [f"storymatch: error: port {port} on 127.0.0.1 is already in use "
                                             "(another storymatch serve?): stop that server, or choose another "
                                             "port with --port"]
    assert "loading models" not in r.stdout and "Traceback" not in r.stderr
    # it loaded every model first (a minute cold) and then printed uvicorn's "[Errno 98]"; now it is the
    # start of the command alone
    assert time.monotonic() - started < 60


@pytest.mark.slow
def test_serve_answers_on_the_port_it_checked(tmp_path):
    import httpx

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    proc = subprocess.Popen([*CLI, "serve", "--port", str(port), "--store", str(tmp_path / "store")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    try:
        deadline = time.monotonic() + 600  # start-up loads the models
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).json()
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert health["models_loaded"] and health["store"]
        assert httpx.get(f"http://127.0.0.1:{port}/api/store", timeout=30).json() == {"articles": 0, "tier": None}
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=60)
    assert f"serving on http://127.0.0.1:{port}/" in " ".join(out.split())
