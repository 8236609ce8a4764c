"""`storymatch serve`: the HTTP API and the side-by-side page."""

from __future__ import annotations

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
) -> None:
    """Serve the API (/api/..., docs at /docs) and the side-by-side page at /."""
    import uvicorn

    from storymatch.errors import StoreError
    from storymatch.serving.app import create_app

    try:
        api = create_app(store_dir=store, token=token, max_bytes=max_bytes, max_chars=max_chars,
                         max_inflight=max_requests)
    except StoreError as e:
        fail(str(e))
    console.print(f"storymatch: loading models, then serving on http://{host}:{port}/  (API docs at /docs)",
                  highlight=False)
    uvicorn.run(api, host=host, port=port, log_level="info")
