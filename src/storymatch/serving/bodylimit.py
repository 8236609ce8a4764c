"""Caps on what requests can hold the server to, answered in the API's JSON error form: body size, and how many
requests are in flight at once.

Hand-written because Starlette's own RequestBodyLimitMiddleware exists only in its newest
releases and answers in plain text; this one works with any Starlette the project allows.

Memory is bounded by the two together: at most `max_inflight` requests are held, each with a body of at most
`max_bytes`, and only the analysis limiter's few run at a time; a request over the cap gets 503 with
Retry-After at once instead of queueing without end.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """Refuse bodies over `max_bytes`: at once from Content-Length, else while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Raised inside the route that reads the body; the app's HTTPException
                    # handler turns it into the JSON 413.
                    raise HTTPException(413, message_for(self.max_bytes))
            return message

        await self.app(scope, limited, send)


def message_for(max_bytes: int) -> str:
    return f"request body is over the {max_bytes:,}-byte limit (the server's --max-bytes)"


def _content_length(scope: Scope) -> int | None:
    for k, v in scope.get("headers", []):
        if k == b"content-length":
            try:
                return int(v)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, max_bytes: int) -> None:
    body = json.dumps({"error": message_for(max_bytes)}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


# Requests held at once (waiting or running); a queue longer than this only grows latency and memory.
DEFAULT_MAX_INFLIGHT = 256
RETRY_AFTER_S = 5
# Answered even when the server is full: a load balancer asking whether it is alive must hear yes.
_ALWAYS = ("/api/health",)


class InFlightLimit:
    """Answer 503 (Retry-After) to HTTP requests beyond `max_inflight` held at once, so a burst of clients cannot
    make the server buffer bodies and results without bound."""

    def __init__(self, app: ASGIApp, max_inflight: int = DEFAULT_MAX_INFLIGHT) -> None:
        self.app = app
        self.max_inflight = max_inflight
        self.inflight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in _ALWAYS:
            await self.app(scope, receive, send)
            return
        if self.inflight >= self.max_inflight:
            body = json.dumps({"error": f"the server is busy ({self.max_inflight} requests in progress); "
                                        f"retry in {RETRY_AFTER_S} s"}).encode()
            await send({"type": "http.response.start", "status": 503,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode()),
                                    (b"retry-after", str(RETRY_AFTER_S).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        self.inflight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.inflight -= 1
