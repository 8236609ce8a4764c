"""`storymatch serve`: the HTTP API and the side-by-side page."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Optional

import typer

from storymatch.cli.app import app
from storymatch.cli.common import console, fail, max_chars_option


@app.command()
def serve(
    store: Path | None = typer.Option(None, "--store", help="Corpus store folder (created if absent): "
                                                            "adds ingest, search, trace, stories, report."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    token: str | None = typer.Option(None, "--token", envvar="STORYMATCH_TOKEN", show_default=False,
                                     help="Bearer token required by write endpoints (ingest); "
                                          "or set STORYMATCH_TOKEN."),
    max_bytes: int = typer.Option(2_000_000, "--max-bytes", min=1, help="Largest request body accepted, in bytes."),
    max_chars: Optional[int] = max_chars_option(),
    max_requests: int = typer.Option(256, "--max-requests", min=1,
                                     help="Requests held at once (waiting or running); more get 503 with "
                                          "Retry-After."),
    body_timeout: float = typer.Option(15.0, "--body-timeout", min=0.1,
                                       help="Seconds a request body may take to arrive whole; then 408."),
) -> None:
    """Serve the API (/api/..., docs at /docs) and the side-by-side page at /."""
    import uvicorn

    from storymatch.errors import StoreError
    from storymatch.serving.app import create_app
    from storymatch.serving.http_errors import JsonErrorsH11Protocol

    sock = _listen(host, port)  # before the models load (a minute on a cold start), not after
    try:
        api = create_app(store_dir=store, token=token, max_bytes=max_bytes, max_chars=max_chars,
                         max_inflight=max_requests, body_timeout=body_timeout)
    except StoreError as e:
        sock.close()
        fail(str(e))
    console.print(f"storymatch: loading models, then serving on http://{host}:{port}/  (API docs at /docs)",
                  highlight=False)
    # the h11 protocol with JSON 400s for requests too malformed to reach the app (serving/http_errors.py)
    uvicorn.Server(uvicorn.Config(api, host=host, port=port, log_level="info", http=JsonErrorsH11Protocol)
                   ).run(sockets=[sock])


def _listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound now: a port already in use is one line before anything loads (uvicorn binds
    only after its start-up, which loads the models, and then printed `[Errno 98] ... address already in use`).
    Bound as uvicorn binds its own (SO_REUSEADDR, so a port left in TIME_WAIT by the last run is free), and
    handed to it, so no other process can take the port in between."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        fail(f"--host {host}: not an address or a name this machine can resolve")
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            fail(f"port {port} on {host} is already in use (another storymatch serve?): stop that server, or "
                 "choose another port with --port")
        if e.errno == errno.EADDRNOTAVAIL:
            fail(f"--host {host}: not an address of this machine")
        if e.errno == errno.EACCES:
            fail(f"port {port}: this user may not listen on it (ports below 1024 need privileges); choose another "
                 "with --port")
        fail(f"cannot listen on {host}:{port}: {e.strerror or e}")
    sock.set_inheritable(True)
    return sock
