"""Reading requests: two articles (or one) from a JSON body or a multipart upload, and running the work.

Uploaded files are parsed from their bytes alone; a filename only labels a file in messages and is never
opened. Library calls run in worker threads under a limiter, so the event loop stays free and at most a
bounded number of analyses run at once.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, Callable, TypeVar

import anyio
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.inputs.files import FILE_KINDS, parse_article
from storymatch.inputs.records import MAX_JSON_DEPTH, json_depth_over
from storymatch.serving.error_handlers import one_line
from storymatch.serving.models import AlignRequest, ArticleIn, Backend

M = TypeVar("M", bound=BaseModel)


async def run_analysis(request: Request, fn: Callable[[], Any], limiter: anyio.CapacityLimiter | None = None
                       ) -> JSONResponse:
    """Run a CPU-bound library call (returning JSON data) off the event loop, a bounded number at a time."""

    data = await anyio.to_thread.run_sync(fn, limiter=limiter or request.app.state.limiter)
    return JSONResponse(data)


async def read_pair(request: Request, model: type[AlignRequest]) -> tuple[Article, Article, dict[str, Any]]:
    """Two Articles from a JSON body or a multipart upload; extra options as a dict."""
    ctype = content_type(request)
    if is_json(ctype):
        req = await read_json(request, model)
        limit = request.app.state.max_chars
        return req.a.to_article("a", limit), req.b.to_article("b", limit), {"backend": getattr(req, "backend", None),
                                                              "paraphrase": getattr(req, "paraphrase", False)}
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
    if json_depth_over(body.decode("utf-8", "replace")):
        raise InputError("body", f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
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
        art = await read_upload(field, side, request.app.state.max_chars)
        title, date = form.get(f"{side}_title"), form.get(f"{side}_date")
        try:
            overrides = ArticleIn(text=art.text, title=_str(title) or art.title, source=art.source,
                                  date=_str(date) or (art.date.isoformat() if art.date else None))
        except ValidationError as e:
            raise RequestValidationError([{**err, "loc": (side, *err["loc"])} for err in e.errors()]) from None
        merged = overrides.to_article(art.source or side, request.app.state.max_chars)
        merged.language, merged.url, merged.meta = art.language, art.url, art.meta
        arts.append(merged)
    options: dict[str, Any] = {}
    if "backend" in model.model_fields and _str(form.get("backend")):
        try:
            options["backend"] = TypeAdapter(Backend).validate_python(_str(form.get("backend")))
        except ValidationError as e:
            raise RequestValidationError([{**err, "loc": ("backend",)} for err in e.errors()]) from None
    if "paraphrase" in model.model_fields and _str(form.get("paraphrase")):
        try:
            options["paraphrase"] = TypeAdapter(bool).validate_python(_str(form.get("paraphrase")))
        except ValidationError as e:
            raise RequestValidationError([{**err, "loc": ("paraphrase",)} for err in e.errors()]) from None
    return arts[0], arts[1], options


async def read_form(request: Request, **limits: int):
    try:
        return await request.form(max_part_size=request.app.state.max_bytes, **limits)
    except (HTTPException, ClientDisconnect):
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


async def read_upload(field: Any, side: str, max_chars: int | None = None, keep_bad_date: bool = False) -> Article:
    """A form field (a file, or plain text) to an Article, parsed from the bytes alone, under the same text
    limit and record rules as a JSON body (`keep_bad_date`: ingest keeps an article whose date is unreadable)."""
    if isinstance(field, UploadFile):
        name = upload_name(field.filename, side)
        data = await field.read()
        kind = FILE_KINDS.get(PurePosixPath(name).suffix.lower())
    else:
        name, data, kind = side, str(field).encode("utf-8"), "txt"
    return await anyio.to_thread.run_sync(
        lambda: parse_article(data, name, kind, max_chars=max_chars, keep_bad_date=keep_bad_date))
