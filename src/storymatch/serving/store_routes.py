"""The corpus endpoints of `storymatch serve --store DIR`: ingest, articles, search, trace, stories, report.

Each request opens the store itself (SQLite connections belong to one thread) and runs
under one store-wide limiter, so the single-writer store never sees two writers and a
report never reads a half-written batch. Answers are the `to_dict()` of the corpus
modules, i.e. what the matching `--json` commands print.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from storymatch.corpus.candidates import query_article
from storymatch.corpus.ingestion import ingest_records
from storymatch.corpus.provenance import trace
from storymatch.corpus.related import search
from storymatch.corpus.reuse_report import report as reuse_report
from storymatch.corpus.store import Store, Stored
from storymatch.corpus.stories import story_assignments
from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.serving.error_handlers import ERRORS
from storymatch.serving.models import ArticleIn, IngestBatch, QueryRequest, upload_files_schema
from storymatch.serving.requests import content_type, is_json, read_form, read_json, read_upload, run_analysis

bearer = HTTPBearer(auto_error=False, description="Required by write endpoints when the server has a --token.")

# Where the corpus endpoints live: a server started without --store answers there with why (FastAPI's bare
# {"error": "Not Found"} told a user nothing), and every route add_store_routes adds is under one of them.
STORE_PATHS = ("/api/store", "/api/ingest", "/api/articles", "/api/search", "/api/trace", "/api/stories",
               "/api/report")
NO_STORE = ("this server was started without a store: the corpus endpoints (ingest, articles, search, trace, "
            "stories, report) need `storymatch serve --store DIR`")


def add_no_store_routes(app: FastAPI) -> None:
    async def no_store() -> None:
        raise HTTPException(404, NO_STORE)

    for path in STORE_PATHS:
        for route in (path, path + "/{rest:path}"):
            app.add_api_route(route, no_store, methods=["GET", "POST"], include_in_schema=False)


def add_store_routes(app: FastAPI, folder: Path, token: str | None) -> None:
    with Store(folder, create=True) as st:  # a bad folder or a damaged store fails at start-up, in one line
        st.verify_pages()
    limiter = anyio.CapacityLimiter(1)
    report_cache: dict[str, Any] = {}

    def require_token(cred: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if token is None:
            return
        if cred is None or not hmac.compare_digest(cred.credentials.encode(), token.encode()):
            raise HTTPException(401, "this endpoint needs the server's token: send 'Authorization: Bearer <token>'",
                                headers={"WWW-Authenticate": "Bearer"})

    async def on_store(request: Request, fn) -> JSONResponse:
        def with_store():
            with Store(folder) as st:
                return fn(st)

        return await run_analysis(request, with_store, limiter)

    @app.get("/api/store", summary="What the open store holds")
    async def store_info(request: Request):
        return await on_store(request, lambda st: {"articles": st.count(), "tier": st.get_meta("tier")})

    @app.post("/api/ingest", summary="Add articles to the store (JSON list or uploaded files)",
              dependencies=[Depends(require_token)], response_model=None,
              responses={401: ERRORS[422] | {"description": "Missing or wrong token"}, **ERRORS},
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": {"$ref": "#/components/schemas/IngestRequest"}},
                  "multipart/form-data": {"schema": upload_files_schema()}}}})
    async def ingest_endpoint(request: Request):
        ctype = content_type(request)
        if is_json(ctype):
            req = await read_json(request, IngestBatch)
            located: list[tuple[str, Any]] = [(f"request:articles[{i}]", sent_article(a, f"articles[{i}]", request))
                                              for i, a in enumerate(req.articles)]
        elif ctype == "multipart/form-data":
            form = await read_form(request, max_files=100, max_fields=100)
            files = form.getlist("files")
            if not files:
                raise InputError("files", "missing: upload one or more article files as the form field 'files'")
            located = []
            for i, f in enumerate(files):
                try:
                    art = await read_upload(f, f"files[{i}]", request.app.state.max_chars, keep_bad_date=True)
                    located.append((f"upload:{art.source}", art))
                except InputError as e:  # a bad file is reported, the others are still stored
                    located.append((f"upload:files[{i}]", e))
        else:
            raise HTTPException(415, "send the articles as application/json or multipart/form-data")
        report_cache.clear()
        return await on_store(request, lambda st: ingest_located(st, located))

    @app.get("/api/articles", summary="Stored articles in publication order")
    async def articles(request: Request, offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500)):
        def page(st: Store):
            items = []
            for i, s in enumerate(st.iter_articles(chronological=True)):
                if i >= offset + limit:
                    break
                if i >= offset:
                    items.append(s.article.summary())
            return {"total": st.count(), "offset": offset, "articles": items}

        return await on_store(request, page)

    @app.get("/api/articles/{article_id}", summary="One stored article, with its text")
    async def article(request: Request, article_id: str):
        def one(st: Store):
            art = stored(st, article_id).article
            return {**art.summary(), "text": art.text}

        return await on_store(request, one)

    @app.get("/api/search/{article_id}", summary="Stored articles related to a stored one (`storymatch search --json`)")
    async def search_stored(request: Request, article_id: str, limit: int = Query(10, ge=1, le=50),
                            full: bool = Query(False, description="Compare each hit in full (its SemEval scores "
                                                                  "and evidence): seconds a hit the first time.")):
        return await on_store(request, lambda st: run_search(st, stored(st, article_id), limit, full))

    @app.post("/api/search", summary="Stored articles related to a posted article", response_model=None)
    async def search_posted(request: Request, body: QueryRequest):
        art = body.article.to_article("article", request.app.state.max_chars)
        return await on_store(request, lambda st: run_search(st, query_article(st, art), body.limit, body.full))

    @app.get("/api/trace/{article_id}", summary="Provenance map of a stored article (`storymatch trace --json`)")
    async def trace_stored(request: Request, article_id: str):
        return await on_store(request, lambda st: run_trace(st, stored(st, article_id)))

    @app.post("/api/trace", summary="Provenance map of a posted article against the store", response_model=None)
    async def trace_posted(request: Request, body: QueryRequest):
        art = body.article.to_article("article", request.app.state.max_chars)
        return await on_store(request, lambda st: run_trace(st, query_article(st, art)))

    @app.get("/api/stories", summary="Stories of the store, each with its articles in time order")
    async def stories(request: Request, min_size: int = Query(2, ge=1), limit: int = Query(100, ge=1, le=1000)):
        return await on_store(request, lambda st: {"stories": story_list(st, min_size)[:limit]})

    @app.get("/api/stories/{story_id}", summary="One story: its articles in time order and who reused whom")
    async def story(request: Request, story_id: str):
        def detail(st: Store):
            found = next((s for s in story_list(st, 1) if s["id"] == story_id), None)
            if found is None:
                raise HTTPException(404, f"no story {story_id[:60]!r} in the store")
            ids = {a["id"] for a in found["articles"]}
            edges = [e for e in cached_report(st)["edges"] if e["source"] in ids and e["reuser"] in ids]
            return {**found, "edges": edges}

        return await on_store(request, detail)

    @app.get("/api/report", summary="Corpus-wide reuse report (`storymatch report --json`)")
    async def report(request: Request, top: int = Query(20, ge=1, le=500)):
        return await on_store(request,
                              lambda st: {**cached_report(st), "passages": cached_report(st)["passages"][:top]})

    def cached_report(st: Store) -> dict[str, Any]:
        """The reuse report, recomputed only when the store has changed (it aligns many pairs)."""
        if report_cache.get("count") != st.count():
            report_cache.update(count=st.count(), report=reuse_report(st, top_passages=500).to_dict())
        return report_cache["report"]


def sent_article(article: Any, name: str, request: Request) -> Article | InputError:
    """One article of an ingest request, or its error: as in `storymatch ingest`, a bad one costs only itself."""
    if not isinstance(article, dict):
        return InputError(name, 'not a JSON object (an article is {"text": ..., "title": ..., ...})')
    try:
        return ArticleIn.model_validate(article).to_article(name, request.app.state.max_chars)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "article"
        more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
        return InputError(name, f"{where}: {first.get('msg', 'invalid')}{more}")
    except InputError as e:
        return e


def stored(st: Store, article_id: str) -> Stored:
    found = st.get(article_id)
    if found is None:
        raise HTTPException(404, f"no article with id {article_id[:60]!r} in the store")
    return found


def run_search(st: Store, query: Stored, limit: int, full: bool = False) -> dict[str, Any]:
    hits = search(st, query, limit=limit, full=full)
    return {"article": query.article.summary(), "results": [h.to_dict() for h in hits]}


def run_trace(st: Store, query: Stored) -> dict[str, Any]:
    return {**trace(st, query).to_dict(), "text": query.article.text}


def story_list(st: Store, min_size: int) -> list[dict[str, Any]]:
    """Stories (clustering the store first when it has grown), largest first, articles oldest first."""
    story_of = story_assignments(st)
    members: dict[str, list[dict[str, Any]]] = {}
    for s in st.iter_articles(chronological=True):
        assert s.article.id is not None  # Article.__post_init__ always sets an id
        members.setdefault(story_of.get(s.article.id, s.article.id), []).append(s.article.summary())
    out = [{"id": sid, "size": len(arts), "first": arts[0], "articles": arts}
           for sid, arts in members.items() if len(arts) >= min_size]
    return sorted(out, key=lambda s: (-s["size"], s["first"].get("date") or "", s["id"]))


def ingest_located(st: Store, located: list[tuple[str, Any]]) -> dict[str, Any]:
    """Store Articles a client sent, as `storymatch ingest` stores records read from files."""
    stats = ingest_records(located, st, report=False)
    return {"read": stats.read, "added": stats.added, "existing": stats.existing, "bad": stats.bad,
            "errors": stats.errors, "articles": st.count(), "tier": stats.tier}
