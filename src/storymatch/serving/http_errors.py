"""The HTTP layer's own answers in the API's JSON error form.

A request too malformed to reach the app (a garbage request line, bad chunk sizes, two or negative Content-Lengths,
a header over h11's size limit) is answered by uvicorn's h11 protocol itself, before any ASGI app sees it: with a
bare text/plain "Invalid HTTP request received.". This protocol answers the same 400 as one line of JSON naming
what h11 found, so every error the server gives, from the socket up, reads the same. `storymatch serve` runs
uvicorn with it.
"""

from __future__ import annotations

import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from storymatch.errors import printable


class JsonErrorsH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, its 400 for a malformed request answered as JSON."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reason: str | None = None
        receive_event = self.conn.next_event

        def next_event() -> Any:  # h11's own words on what was wrong: uvicorn passes on only a fixed phrase
            try:
                return receive_event()
            except h11.RemoteProtocolError as e:
                self._reason = str(e)
                raise

        self.conn.next_event = next_event  # type: ignore[method-assign]

    def send_400_response(self, msg: str) -> None:
        what = printable(self._reason or msg.rstrip("."))[:200]
        body = json.dumps({"error": f"malformed HTTP request ({what}); answered by the server's HTTP layer, "
                                    "before the app"}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        try:
            for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"), h11.Data(data=body),
                          h11.EndOfMessage()):
                self.transport.write(self.conn.send(event))
        except h11.LocalProtocolError:  # a response had begun: nothing more can be said on this connection
            pass
        self.transport.close()
