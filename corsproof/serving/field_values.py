"""Refuse requests whose CORS headers carry control characters, before any site sees them.

RFC 9110 §5.5: a field value has no control characters but HTAB, and a recipient may reject one
that does. good's policies echo the CORS request headers (Starlette's CORSMiddleware reflects the
Origin and the requested headers), so a control character there would go back out in a response
header. Browsers never send one in these: an Origin is serialized, the others list tokens. Other
headers may carry them (a page may set Content-Language to "\x01"; WPT's cases do), so only these
are checked. Such a request gets a 400 that names the header, as every other bad input does.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

_CONTROL = frozenset(range(32)) - {9} | {127}
ECHOED = frozenset({b"origin", b"access-control-request-method", b"access-control-request-headers"})


def _bad_header(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name.lower() in ECHOED and any(byte in _CONTROL for byte in value):
            return bytes(name).decode("latin-1")
    return None


class RejectControlCharacters:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        bad = _bad_header(scope) if scope["type"] == "http" else None
        if bad is None:
            await self.app(scope, receive, send)
            return
        answer = PlainTextResponse(f"Bad request: the {bad} header carries a control character", status_code=400)
        await answer(scope, receive, send)
