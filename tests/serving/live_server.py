"""A real uvicorn server for the tests that need the HTTP layer (a browser, raw sockets): on a free loopback port,
in a thread of the test's process."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(app, **config: Any) -> Iterator[int]:
    """`app` served by uvicorn (`config`: more of uvicorn.Config's options) until the block ends; yields the port."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 600  # start-up loads the models
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.1)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(30)
