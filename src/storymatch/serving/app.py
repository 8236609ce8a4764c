"""storymatch over HTTP, and the side-by-side web page: a thin layer over the library.

`create_app()` returns a FastAPI app whose /api/compare and /api/align answer with exactly
the JSON `storymatch compare --json` / `align --json` print (the results' `.to_dict()`).
Models load once, in the lifespan, not per request. Every problem with a request is a
4xx with {"error": "<one line>"}; no endpoint opens a path the client names (uploads are
parsed from their bytes, the filename only names them in messages).
"""

from __future__ import annotations

import logging
import re
from contextlib import asynccontextmanager
from pathlib import Path, PurePosixPath
from typing import Any, Callable, TypeVar

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.json_schema import models_json_schema
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from storymatch.alignment.aligner import align
from storymatch.alignment.types import Alignment
from storymatch.comparison.pipeline import compare
from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.inputs.files import FILE_KINDS, parse_article
from storymatch.serving.bodylimit import BodyLimit
from storymatch.serving.models import (
    AlignRequest,
    ArticleIn,
    Backend,
    CompareRequest,
    ComparisonOut,
    ErrorOut,
    IngestRequest,
    ParsedArticle,
    parsed_article,
    upload_schema,
)

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

DEFAULT_MAX_BYTES = 2_000_000
WEB_DIR = Path(__file__).parent / "web"
ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorOut, "description": "Request body over the size limit"},
    415: {"model": ErrorOut, "description": "Neither JSON nor multipart"},
    422: {"model": ErrorOut, "description": "An input storymatch cannot read"},
}
# Errors raised while analysing a pair that passed validation: the input triggered them, so the
# client gets a 422 naming the pair; the traceback is logged so the bug stays visible.
ANALYSIS_ERRORS = (ValueError, TypeError, IndexError, KeyError, ArithmeticError, RecursionError)
_WARM_A = "Officials in Paris said on Monday that the new bridge over the Seine will open in May."
_WARM_B = "The new bridge over the Seine will open in May, officials in Paris said on Monday."


def warm_models() -> None:
    """Load the embedders and spaCy once, by running the real pipeline on a tiny pair."""
    from storymatch.embedding.base import MINILM, USE_MULTILINGUAL
    from storymatch.embedding.registry import get_embedder

    for name in (MINILM, USE_MULTILINGUAL):
        get_embedder(name)
    compare(Article(text=_WARM_A), Article(text=_WARM_B))


def create_app(store_dir: str | Path | None = None, token: str | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES, *, warm: bool = True, analysis_threads: int = 2) -> FastAPI:
    """The app. `store_dir` opens a corpus store; `token` guards write endpoints (Bearer)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm:
            from storymatch.embedding.backends import share_cores

            share_cores(analysis_threads)
            await anyio.to_thread.run_sync(warm_models)
        app.state.ready = True
        yield

    app = FastAPI(title="storymatch", version=_version(), lifespan=lifespan,
                  description="Whether two news articles report the same story, how similar they are "
                              "(SemEval-2022 Task 8 scale: 1 = very similar, 4 = very dissimilar), "
                              "and what text one reused from the other.")
    app.state.ready = False
    app.state.limiter = anyio.CapacityLimiter(analysis_threads)
    app.state.store_dir = Path(store_dir) if store_dir else None
    app.state.token = token
    app.state.max_bytes = max_bytes
    app.add_middleware(BodyLimit, max_bytes=max_bytes)
    _add_error_handlers(app)
    _add_analysis_routes(app)
    _add_page(app)
    if store_dir is not None:
        from storymatch.serving.store_routes import add_store_routes

        add_store_routes(app, Path(store_dir), token)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("storymatch")
    except PackageNotFoundError:
        return "0"


# --- errors ----------------------------------------------------------------------------------

def error_response(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": one_line(message), **extra}, status_code=status)


def one_line(message: str, limit: int = 300) -> str:
    s = re.sub(r"\s+", " ", str(message)).strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in errors]


def _validation_message(errors: list[dict[str, Any]]) -> str:
    if not errors:
        return "invalid request"
    first = errors[0]
    where = ".".join(p for p in first["loc"] if p != "body") or "body"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        errors = _field_errors(list(exc.errors()))
        return error_response(422, _validation_message(errors), errors=errors)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        resp = error_response(exc.status_code, str(exc.detail))
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError):
        return error_response(422, str(exc))

    @app.exception_handler(UnicodeError)
    async def _unicode(request: Request, exc: UnicodeError):
        # Only client text reaches an encoder here (e.g. a lone surrogate escaped in an uploaded JSON file).
        return error_response(422, f"the request holds text that is not valid Unicode ({one_line(exc, 120)})")

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):
        log.exception("internal error on %s %s", request.method, request.url.path)
        return error_response(500, f"internal error ({type(exc).__name__}); the server log has the details")


# --- compare and align -----------------------------------------------------------------------

async def run_analysis(request: Request, fn: Callable[[], Any], limiter: anyio.CapacityLimiter | None = None
                       ) -> JSONResponse:
    """Run a CPU-bound library call (returning JSON data) off the event loop, a bounded number at a time."""

    def call():
        try:
            return fn()
        except InputError:
            raise
        except ANALYSIS_ERRORS as e:
            log.warning("analysis failed on a valid request", exc_info=True)
            raise InputError("request", f"cannot analyse this pair ({type(e).__name__}: {one_line(e, 120)})") from e

    data = await anyio.to_thread.run_sync(call, limiter=limiter or request.app.state.limiter)
    return JSONResponse(data)


async def read_pair(request: Request, model: type[AlignRequest]) -> tuple[Article, Article, dict[str, Any]]:
    """Two Articles from a JSON body or a multipart upload; extra options as a dict."""
    ctype = content_type(request)
    if is_json(ctype):
        req = await read_json(request, model)
        return req.a.to_article("a"), req.b.to_article("b"), {"backend": getattr(req, "backend", None)}
    if ctype == "multipart/form-data":
        return await _read_upload_pair(request, model)
    raise HTTPException(415, "send the two articles as application/json or multipart/form-data")


def content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def is_json(ctype: str) -> bool:
    return ctype == "application/json" or ctype.endswith("+json")


async def read_json(request: Request, model: type[M]) -> M:
    """The body validated as `model`; a validation problem is the usual one-line 422."""
    body = await request.body()
    try:
        return model.model_validate_json(body)
    except ValidationError as e:
        raise RequestValidationError(e.errors()) from None


async def _read_upload_pair(request: Request, model: type[AlignRequest]):
    form = await read_form(request, max_files=2, max_fields=8)
    arts = []
    for side in ("a", "b"):
        field = form.get(side)
        if field is None:
            raise InputError(side, "missing: upload a file (or a text field) for both a and b")
        art = await read_upload(field, side)
        title, date = form.get(f"{side}_title"), form.get(f"{side}_date")
        try:
            overrides = ArticleIn(text=art.text, title=_str(title) or art.title, source=art.source,
                                  date=_str(date) or (art.date.isoformat() if art.date else None))
        except ValidationError as e:
            raise RequestValidationError([{**err, "loc": (side, *err["loc"])} for err in e.errors()]) from None
        merged = overrides.to_article(art.source or side)
        merged.language, merged.url, merged.meta = art.language, art.url, art.meta
        arts.append(merged)
    options: dict[str, Any] = {}
    if "backend" in model.model_fields and _str(form.get("backend")):
        try:
            options["backend"] = TypeAdapter(Backend).validate_python(_str(form.get("backend")))
        except ValidationError as e:
            raise RequestValidationError([{**err, "loc": ("backend",)} for err in e.errors()]) from None
    return arts[0], arts[1], options


async def read_form(request: Request, **limits: int):
    try:
        return await request.form(max_part_size=request.app.state.max_bytes, **limits)
    except HTTPException:
        raise
    except Exception as e:  # malformed multipart: the client's bytes, so a 4xx
        raise HTTPException(400, f"unreadable multipart body ({one_line(e, 100)})") from None


def _str(v: Any) -> str | None:
    return v.strip() or None if isinstance(v, str) else None


def upload_name(filename: str | None, side: str) -> str:
    """The uploaded file's base name, only ever used to label it, never opened."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)[:200]
    return name or side


async def read_upload(field: Any, side: str) -> Article:
    """A form field (a file, or plain text) to an Article, parsed from the bytes alone."""
    if isinstance(field, UploadFile):
        name = upload_name(field.filename, side)
        data = await field.read()
        kind = FILE_KINDS.get(PurePosixPath(name).suffix.lower())
    else:
        name, data, kind = side, str(field).encode("utf-8"), "txt"
    return await anyio.to_thread.run_sync(lambda: parse_article(data, name, kind))


def _add_analysis_routes(app: FastAPI) -> None:
    def body_doc(model: type[BaseModel], with_backend: bool) -> dict[str, Any]:
        return {"requestBody": {"required": True, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}},
            "multipart/form-data": {"schema": upload_schema(with_backend)},
        }}}

    @app.get("/api/health", summary="Liveness, and whether the models are loaded")
    async def health(request: Request) -> dict[str, Any]:
        return {"status": "ok", "version": app.version, "models_loaded": bool(request.app.state.ready),
                "store": str(request.app.state.store_dir) if request.app.state.store_dir else None}

    @app.post("/api/compare", summary="Compare two articles (same JSON as `storymatch compare --json`)",
              response_model=None, responses={200: {"model": ComparisonOut}, **ERRORS},
              openapi_extra=body_doc(CompareRequest, True))
    async def compare_endpoint(request: Request) -> JSONResponse:
        a, b, options = await read_pair(request, CompareRequest)
        return await run_analysis(request, lambda: compare(a, b, backend=options.get("backend")).to_dict())

    @app.post("/api/align", summary="Align reused text (same JSON as `storymatch align --json`)",
              response_model=None, responses={200: {"model": Alignment}, **ERRORS},
              openapi_extra=body_doc(AlignRequest, False))
    async def align_endpoint(request: Request) -> JSONResponse:
        a, b, _ = await read_pair(request, AlignRequest)
        return await run_analysis(request, lambda: align(a, b).to_dict())

    @app.post("/api/parse", summary="Read one uploaded file as storymatch would (text, title, date)",
              response_model=None, responses={200: {"model": ParsedArticle}, **ERRORS},
              openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                  "type": "object", "required": ["file"],
                  "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
    async def parse_endpoint(request: Request) -> JSONResponse:
        if content_type(request) != "multipart/form-data":
            raise HTTPException(415, "upload the file as multipart/form-data, field 'file'")
        form = await read_form(request, max_files=1, max_fields=2)
        if form.get("file") is None:
            raise InputError("file", "missing: upload the article as the form field 'file'")
        return JSONResponse(parsed_article(await read_upload(form.get("file"), "file")))


# --- the page and the schema -----------------------------------------------------------------

def _add_page(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html")


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus the request models the hand-parsed bodies refer to."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    models = [CompareRequest, AlignRequest] + ([IngestRequest] if app.state.store_dir else [])
    _, defs = models_json_schema([(m, "validation") for m in models],
                                 ref_template="#/components/schemas/{model}")
    schema.setdefault("components", {}).setdefault("schemas", {}).update(defs.get("$defs", {}))
    app.openapi_schema = schema
    return schema
