"""Defences against cross-site request forgery, each a policy over good's data API.

csrf-origin-check  refuse unsafe cross-origin requests by their Fetch metadata, in the manner of
                   Go 1.25's net/http CrossOriginProtection: Sec-Fetch-Site must be same-origin
                   or none; without it, the Origin's host must be the Host; with neither, the
                   request is not from a browser and passes.
csrf-token         a state-changing request must carry a token bound to the session (an HMAC of
                   the session id), which only good's own pages can read, from /csrf-token/token.

The third defence, a SameSite=Lax or Strict session cookie, needs no code: good's login sets it
on request. A refused request gets 403 with a message saying why, and good carries out nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servers.origins import Origins
from servers.policies import Policy

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_FIELD = "csrf_token"
TOKEN_PATH = "/token"


def cross_origin_refusal(method: str, headers: Headers) -> str | None:
    """Why an unsafe request must be refused as cross-origin, or None to let it through."""
    if method in SAFE_METHODS:
        return None
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        if fetch_site in ("same-origin", "none"):
            return None
        return f"Sec-Fetch-Site is {fetch_site!r}"
    origin = headers.get("origin")
    if origin is None:
        return None  # neither header: not a browser, so not a forgery by one
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:
        return f"Origin {origin!r} is not a URL"
    if netloc == headers.get("host"):
        return None
    return f"Origin {origin!r} is not this site's"


def refuse(why: str) -> PlainTextResponse:
    return PlainTextResponse(f"Refused as cross-site request forgery: {why}", status_code=403)


class OriginCheck:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = (
            cross_origin_refusal(scope.get("method", ""), Headers(scope=scope)) if scope["type"] == "http" else None
        )
        if refusal is not None:
            await refuse(refusal)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class TokenCheck:
    """Unsafe requests need csrf_token (a form field, or the X-CSRF-Token header) to match the
    session's token. The body is read here and handed on unchanged to the app."""

    def __init__(self, app: ASGIApp, session_cookie: str) -> None:
        self.app = app
        self.session_cookie = session_cookie
        self.key = secrets.token_bytes(32)

    def token_for(self, session_id: str) -> str:
        return hmac.new(self.key, session_id.encode(), hashlib.sha256).hexdigest()

    def _session(self, headers: Headers) -> str | None:
        return cookie_parser(headers.get("cookie", "")).get(self.session_cookie)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        session = self._session(headers)
        if scope["path"].endswith(TOKEN_PATH) and scope["method"] == "GET":
            # No CORS headers on this answer: only good's own pages can read the token.
            body = self.token_for(session) if session else "Please login first"
            await PlainTextResponse(body, status_code=200 if session else 401)(scope, receive, send)
            return
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        raw = await _read_body(receive)
        sent = headers.get("x-csrf-token") or parse_qs(raw.decode("utf-8", errors="replace")).get(TOKEN_FIELD, [""])[0]
        # Bytes, not str: compare_digest refuses str with non-ASCII characters.
        if session is None or not hmac.compare_digest(sent.encode(), self.token_for(session).encode()):
            await refuse("the CSRF token is missing or wrong")(scope, receive, send)
            return
        await self.app(scope, _replay(raw, receive), send)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body once more, then whatever the connection says next (its disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def defence_policies(session_cookie: str) -> tuple[Policy, ...]:
    def token(app: ASGIApp, origins: Origins) -> ASGIApp:
        return TokenCheck(app, session_cookie)

    return (
        Policy(
            "csrf-origin-check",
            "CSRF defence: unsafe cross-origin requests refused (Sec-Fetch-Site / Origin)",
            lambda app, origins: OriginCheck(app),
        ),
        Policy("csrf-token", "CSRF defence: unsafe requests need the session's token (GET /csrf-token/token)", token),
    )
