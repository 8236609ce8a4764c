"""How the server answers when something goes wrong: always a status and one line of JSON, never a traceback.

The library's user-facing errors (storymatch.errors) map to 4xx and 503: the client can act on them. Anything
else is a bug in storymatch: it is logged with its traceback and answered with a 500 that names no path.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from storymatch.errors import InputError, ModelUnavailable, StoreDamaged, StoreError, StoreUnusable
from storymatch.serving.models import ErrorOut

log = logging.getLogger("storymatch.serving")

ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorOut, "description": "Request body over the size limit"},
    415: {"model": ErrorOut, "description": "Neither JSON nor multipart"},
    422: {"model": ErrorOut, "description": "An input storymatch cannot read"},
    503: {"model": ErrorOut, "description": "A model storymatch needs is not installed, or the store is damaged"},
}


def error_response(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": one_line(message), **extra}, status_code=status)


def one_line(message: object, limit: int = 300) -> str:
    s = re.sub(r"\s+", " ", str(message)).strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"


def without_paths(message: str, store_dir: object) -> str:
    """The message with the server's store folder (and any file under it) named "the store": clients never
    learn where the server keeps its files."""
    if store_dir is None:
        return message
    folder = str(store_dir)
    for form in sorted({folder, str(Path(folder).resolve())}, key=len, reverse=True):
        message = re.sub(re.escape(form) + r"[^\s:;,'\"]*", "the store", message)
    return message


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in errors]


def _validation_message(errors: list[dict[str, Any]]) -> str:
    if not errors:
        return "invalid request"
    first = errors[0]
    where = ".".join(p for p in first["loc"] if p != "body") or "body"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def add_error_handlers(app: FastAPI) -> None:
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

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: ClientDisconnect):
        # The client left before sending its whole body: nothing went wrong here and nobody is left to answer,
        # so one line in the log (a traceback per dropped connection would let any client flood it).
        log.warning("client disconnected before sending its whole request: %s %s", request.method, request.url.path)
        return error_response(400, "client disconnected before sending its whole request")

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError):
        return error_response(422, str(exc))

    @app.exception_handler(StoreUnusable)
    async def _unusable(request: Request, exc: StoreUnusable):
        # 503, not 409 or 500: the request is fine and storymatch has no bug; the service cannot answer until its
        # operator repairs (or replaces) the store. The line names the problem, never the store's path.
        what = "is damaged" if isinstance(exc, StoreDamaged) else "cannot be used"
        return error_response(503, f"the server's store {what}: {exc.problem}; {exc.advice()}")

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError):
        return error_response(409, without_paths(str(exc), request.app.state.store_dir))

    @app.exception_handler(ModelUnavailable)
    async def _model(request: Request, exc: ModelUnavailable):
        return error_response(503, str(exc))

    @app.exception_handler(UnicodeError)
    async def _unicode(request: Request, exc: UnicodeError):
        # Only client text reaches an encoder here (e.g. a lone surrogate escaped in an uploaded JSON file).
        return error_response(422, f"the request holds text that is not valid Unicode ({one_line(exc, 120)})")

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):
        log.exception("internal error on %s %s", request.method, request.url.path)
        return error_response(500, f"internal error ({type(exc).__name__}); the server log has the details")
