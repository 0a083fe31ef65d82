"""The corpus app on Starlette with Starlette's CORSMiddleware (ASGI; FastAPI uses the same class)."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tests.corpus import (
    SESSION_COOKIE,
    SUBDOMAINS_REGEX,
    TRUSTED_ORIGIN,
    UNANCHORED_REGEX,
    USER,
    Configuration,
    SameSite,
    from_environment,
)

# CORSMiddleware keyword arguments per configuration. Matching (starlette/middleware/cors.py):
# allow_origins by exact string equality; allow_origin_regex with re.fullmatch, so a pattern is
# anchored at both ends whether or not it says ^...$. allow_methods defaults to ("GET",).
STARLETTE_CORS: dict[Configuration, dict[str, Any]] = {
    "exact": {"allow_origins": [TRUSTED_ORIGIN], "allow_credentials": True},
    # "*" with allow_credentials: send() answers every Origin with itself and credentials true.
    "reflect-any": {"allow_origins": ["*"], "allow_credentials": True},
    "unanchored-regex": {"allow_origin_regex": UNANCHORED_REGEX, "allow_credentials": True},
    "null-trusted": {"allow_origins": [TRUSTED_ORIGIN, "null"], "allow_credentials": True},
    "subdomains": {"allow_origin_regex": SUBDOMAINS_REGEX, "allow_credentials": True},
    "open-preflight": {
        "allow_origins": [TRUSTED_ORIGIN],
        "allow_credentials": True,
        "allow_methods": ["*"],
        "allow_headers": ["*"],
    },
}

# Starlette spells SameSite in lower case and defaults it to "lax": None must be passed to leave it out.
_SAMESITE: dict[SameSite, Any] = {"None": "none", "Lax": "lax", "Strict": "strict", None: None}


def make_app(configuration: Configuration, samesite: SameSite) -> Starlette:
    """A Starlette app of the corpus's shape with CORSMiddleware in this configuration."""
    sessions: set[str] = set()
    orders: list[str] = []

    def logged_in(request: Request) -> bool:
        return request.cookies.get(SESSION_COOKIE, "") in sessions

    def log_in_first() -> Response:
        return JSONResponse({"error": "log in first"}, status_code=401)

    async def login(request: Request) -> Response:
        """Logs alice in: a new session in the cookie, with the corpus's SameSite."""
        session = secrets.token_urlsafe(16)
        sessions.add(session)
        response = HTMLResponse("<!doctype html><title>logged in</title><p>Logged in as alice.")
        response.set_cookie(SESSION_COOKIE, session, secure=True, httponly=True, samesite=_SAMESITE[samesite])
        return response

    async def me(request: Request) -> Response:
        """GET: the user's private data; PUT: a state change; each 401 without a session."""
        if not logged_in(request):
            return log_in_first()
        if request.method == "PUT":
            return JSONResponse({"user": USER, "updated": True})
        return JSONResponse({"user": USER, "email": f"{USER}@mail.example", "card": "**** 4242"})

    async def order(request: Request) -> Response:
        """A form post placing an order with a session; 401 without."""
        if not logged_in(request):
            return log_in_first()
        form = await request.form()
        orders.append(str(form.get("item", "audit item")))
        return JSONResponse({"ordered": len(orders)})

    async def public(request: Request) -> Response:
        """The same public data whoever asks."""
        return JSONResponse({"public": True, "shop": "shop.example"})

    return Starlette(
        routes=[
            Route("/login", login, methods=["GET"]),
            Route("/me", me, methods=["GET", "PUT"]),
            Route("/orders", order, methods=["POST"]),
            Route("/public", public, methods=["GET"]),
        ],
        middleware=[Middleware(CORSMiddleware, **STARLETTE_CORS[configuration])],
    )


app = make_app(*from_environment())
