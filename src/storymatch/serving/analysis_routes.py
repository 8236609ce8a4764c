"""The analysis endpoints: /api/compare, /api/align, /api/parse and /api/health.

/api/compare and /api/align answer with exactly the JSON `storymatch compare --json` / `align --json` print
(the results' `.to_dict()`).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from storymatch.alignment.aligner import LANGUAGE_SAMPLE, align, pair_json
from storymatch.alignment.types import AlignParams
from storymatch.comparison.pipeline import compare
from storymatch.embedding.base import MINILM, USE_MULTILINGUAL
from storymatch.embedding.registry import choose_backend, get_embedder
from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.serving.error_handlers import ERRORS
from storymatch.serving.models import (
    AlignmentOut,
    AlignRequest,
    CompareRequest,
    ComparisonOut,
    ParsedArticle,
    parsed_article,
    upload_schema,
)
from storymatch.serving.requests import content_type, read_form, read_pair, read_upload, run_analysis
from storymatch.text.language import quick_language

_WARM_A = "Officials in Paris said on Monday that the new bridge over the Seine will open in May."
_WARM_B = "The new bridge over the Seine will open in May, officials in Paris said on Monday."


def warm_models() -> None:
    """Load the embedders and spaCy once, by running the real pipeline on a tiny pair."""
    for name in (MINILM, USE_MULTILINGUAL):
        get_embedder(name)
    compare(Article(text=_WARM_A), Article(text=_WARM_B))


def paraphrase_params(a: Article, b: Article, backend: str | None) -> AlignParams:
    """The aligner with its paraphrase level on, through the model the pair's languages call for (MiniLM for
    English, USE-multilingual otherwise), or through the backend the client forced."""
    languages = [x.language or quick_language(x.text[:LANGUAGE_SAMPLE]) for x in (a, b)]
    return AlignParams(paraphrase_model=choose_backend(languages, backend))


def add_analysis_routes(app: FastAPI) -> None:
    def body_doc(model: type[BaseModel], with_backend: bool) -> dict[str, Any]:
        return {"requestBody": {"required": True, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}},
            "multipart/form-data": {"schema": upload_schema(with_backend)},
        }}}

    @app.get("/api/health", summary="Liveness, and whether the models are loaded")
    async def health(request: Request) -> dict[str, Any]:
        # whether a store is open, never where: the server's paths are nobody's business over HTTP
        return {"status": "ok", "version": app.version, "models_loaded": bool(request.app.state.ready),
                "store": request.app.state.store_dir is not None}

    # HEAD too: a load balancer's probe (it got a bare 405); the same answer, which the server sends without a body
    app.head("/api/health", include_in_schema=False)(health)

    @app.post("/api/compare", summary="Compare two articles (same JSON as `storymatch compare --json`)",
              response_model=None, responses={200: {"model": ComparisonOut}, **ERRORS},
              openapi_extra=body_doc(CompareRequest, True))
    async def compare_endpoint(request: Request) -> JSONResponse:
        a, b, options = await read_pair(request, CompareRequest)
        backend = options.get("backend")
        return await run_analysis(request, lambda: compare(
            a, b, backend=backend,
            align_params=paraphrase_params(a, b, backend) if options.get("paraphrase") else None).to_dict())

    @app.post("/api/align", summary="Align reused text (same JSON as `storymatch align --json`)",
              response_model=None, responses={200: {"model": AlignmentOut}, **ERRORS},
              openapi_extra=body_doc(AlignRequest, False))
    async def align_endpoint(request: Request) -> JSONResponse:
        a, b, _ = await read_pair(request, AlignRequest)
        return await run_analysis(request, lambda: pair_json(a, b, align(a, b)))

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
        return JSONResponse(parsed_article(await read_upload(form.get("file"), "file", request.app.state.max_chars)))
