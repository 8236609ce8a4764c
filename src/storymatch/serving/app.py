"""storymatch over HTTP, and the side-by-side web page: a thin layer over the library.

`create_app()` assembles the FastAPI app from its parts: the analysis endpoints (analysis_routes), the corpus
endpoints when a store is given (store_routes), the error answers (error_handlers), the body-size cap
(bodylimit) and the page (web/). Models load once, in the lifespan, not per request.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic.json_schema import models_json_schema

from storymatch.config import settings
from storymatch.embedding.backends import share_cores
from storymatch.serving.analysis_routes import add_analysis_routes, warm_models
from storymatch.serving.bodylimit import DEFAULT_BODY_TIMEOUT_S, DEFAULT_MAX_INFLIGHT, BodyLimit, InFlightLimit
from storymatch.serving.error_handlers import add_error_handlers
from storymatch.serving.models import AlignRequest, CompareRequest, IngestRequest
from storymatch.serving.store_routes import add_no_store_routes, add_store_routes

DEFAULT_MAX_BYTES = 2_000_000
WEB_DIR = Path(__file__).parent / "web"


def create_app(store_dir: str | Path | None = None, token: str | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES, *, warm: bool = True, analysis_threads: int = 2,
               max_chars: int | None = None, max_inflight: int = DEFAULT_MAX_INFLIGHT,
               body_timeout: float = DEFAULT_BODY_TIMEOUT_S) -> FastAPI:
    """The app. `store_dir` opens a corpus store; `token` guards write endpoints (Bearer); `max_chars` is the
    text limit of every article sent, JSON or uploaded (default: the setting, as for the CLI and ingest);
    `max_inflight` requests are held at once, more get 503 with Retry-After; a body not whole `body_timeout`
    seconds after its request came gets 408."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm:
            share_cores(analysis_threads)
            await anyio.to_thread.run_sync(warm_models)
        app.state.ready = True
        yield

    # /docs from the package, not a CDN (blank offline, where this tool is meant to run): see _add_docs
    app = FastAPI(title="storymatch", version=_version(), lifespan=lifespan, docs_url=None, redoc_url=None,
                  swagger_ui_oauth2_redirect_url=None,
                  description="Whether two news articles report the same story, how similar they are "
                              "(SemEval-2022 Task 8 scale: 1 = very similar, 4 = very dissimilar), "
                              "and what text one reused from the other.")
    app.state.ready = False
    app.state.limiter = anyio.CapacityLimiter(analysis_threads)
    app.state.store_dir = Path(store_dir) if store_dir else None
    app.state.token = token
    app.state.max_bytes = max_bytes
    app.state.max_chars = max_chars or settings().max_chars
    app.add_middleware(BodyLimit, max_bytes=max_bytes, body_timeout=body_timeout)
    app.add_middleware(InFlightLimit, max_inflight=max_inflight)  # added last: the outermost, checked first
    add_error_handlers(app)
    add_analysis_routes(app)
    _add_page(app)
    if store_dir is not None:
        add_store_routes(app, Path(store_dir), token)
    else:
        add_no_store_routes(app)
    _add_docs(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _version() -> str:
    try:
        return version("storymatch")
    except PackageNotFoundError:
        return "0"


def _add_page(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html")

    # browsers ask for /favicon.ico whatever the page links; without it every visit logs a 404 in the console
    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        return FileResponse(WEB_DIR / "favicon.svg", media_type="image/svg+xml")


def _add_docs(app: FastAPI) -> None:
    """Swagger UI at /docs with its script and style served from the package `fastapi-swagger` ships them in.

    FastAPI's own /docs loads them from a CDN, a blank page offline. fastapi-swagger's `patch_fastapi` serves the
    same files through a deprecated importlib call and absolute URLs; its files are mounted here as they are,
    and the page is FastAPI's, pointed at them. ReDoc has no such package and is off (docs_url/redoc_url None).
    """
    from importlib.resources import files

    swagger = files("fastapi_swagger") / "resources"
    app.mount("/swagger", StaticFiles(directory=str(swagger)), name="swagger")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="storymatch API",
                                   swagger_js_url="/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus the request models the hand-parsed bodies refer to."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    models = [CompareRequest, AlignRequest] + ([IngestRequest] if app.state.store_dir else [])
    _, defs = models_json_schema([(m, "validation") for m in models],
                                 ref_template="#/components/schemas/{model}")
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(defs.get("$defs", {}))
    # the text limit is this server's (--max-chars), checked by the record rule, so the schema states it here
    if "ArticleIn" in schemas:
        schemas["ArticleIn"]["properties"]["text"]["maxLength"] = app.state.max_chars
    app.openapi_schema = schema
    return schema
