"""Caps on what requests can hold the server to, answered in the API's JSON error form: body size, the time a body
may take to arrive, and how many requests are in flight at once.

Hand-written because Starlette's own RequestBodyLimitMiddleware exists only in its newest
releases and answers in plain text; this one works with any Starlette the project allows.

Memory is bounded by the two together: at most `max_inflight` requests are held, each with a body of at most
`max_bytes`, and only the analysis limiter's few run at a time; a request over the cap gets 503 with
Retry-After at once instead of queueing without end.
"""

from __future__ import annotations

import json

import anyio
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A body must arrive whole within this many seconds of the request: 300 connections each sending half a body and
# then waiting held every slot of the in-flight cap, and a real compare got 503 after 60 s (issue 28). 2 MB (the
# body cap) takes under 2 s at 10 Mbit/s.
DEFAULT_BODY_TIMEOUT_S = 15.0


class BodyLimit:
    """Refuse bodies over `max_bytes` (at once from Content-Length, else while streaming) and bodies that have not
    arrived whole `body_timeout` seconds after the request came (408)."""

    def __init__(self, app: ASGIApp, max_bytes: int, body_timeout: float = DEFAULT_BODY_TIMEOUT_S) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        seen = 0
        whole = False
        deadline = anyio.current_time() + self.body_timeout

        async def limited() -> Message:
            nonlocal seen, whole
            if whole:  # the body is in: what follows is the wait for a disconnect, which has no deadline
                return await receive()
            with anyio.move_on_after(max(0.0, deadline - anyio.current_time())):
                message = await receive()
                if message["type"] == "http.request":
                    whole = not message.get("more_body", False)
                    seen += len(message.get("body", b""))
                    if seen > self.max_bytes:
                        # Raised inside the route that reads the body; the app's HTTPException handler turns it
                        # into the JSON 413.
                        raise HTTPException(413, message_for(self.max_bytes))
                return message
            raise HTTPException(408, f"the request body did not arrive within {self.body_timeout:g} s")

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
    make the server buffer bodies and results without bound.

    A request with a body is counted from when its body is whole: one still arriving holds only its connection
    (and BodyLimit's deadline ends it), so a flood of slow bodies cannot take the slots real requests need."""

    def __init__(self, app: ASGIApp, max_inflight: int = DEFAULT_MAX_INFLIGHT) -> None:
        self.app = app
        self.max_inflight = max_inflight
        self.inflight = 0

    def busy_message(self) -> str:
        return f"the server is busy ({self.max_inflight} requests in progress); retry in {RETRY_AFTER_S} s"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in _ALWAYS:
            await self.app(scope, receive, send)
            return
        held = False

        def take() -> bool:
            nonlocal held
            if self.inflight >= self.max_inflight:
                return False
            self.inflight += 1
            held = True
            return True

        counted = receive
        if not _has_body(scope):
            if not take():
                body = json.dumps({"error": self.busy_message()}).encode()
                await send({"type": "http.response.start", "status": 503,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode()),
                                        (b"retry-after", str(RETRY_AFTER_S).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        else:
            async def counted() -> Message:
                message = await receive()
                if message["type"] == "http.request" and not message.get("more_body", False) and not held:
                    if not take():
                        raise HTTPException(503, self.busy_message(), headers={"Retry-After": str(RETRY_AFTER_S)})
                return message
        try:
            await self.app(scope, counted, send)
        finally:
            if held:
                self.inflight -= 1


def _has_body(scope: Scope) -> bool:
    """Whether the request says a body follows (a Content-Length above 0, or chunked)."""
    for k, v in scope.get("headers", []):
        if k == b"transfer-encoding":
            return True
        if k == b"content-length":
            return v.strip() not in (b"0", b"")
    return False
