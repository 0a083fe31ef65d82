"""Small apps for tests/test_audit_setup.py: one per way an audit's set-up can go wrong, and a shop
that logs in every way the audit supports (`tests.setup_apps:NAME`).

The shop's session id SESSION_VALUE is always valid (alice's): a cookie copied from devtools, or
written into a storage-state file, logs in with it, as a copied session cookie would.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

COOKIE = "sid"
SESSION_VALUE = "copied-from-devtools-4f1c2a"
PASSWORD = "hunter2"
TRUSTED = "https://www.shop.example"

LOGIN_PAGE = """<!doctype html><title>log in</title>
<form method="post" action="/session">
  <label>user <input name="username"></label>
  <label>password <input name="password" type="password"></label>
  <button>log in</button>
</form>"""


def _shop(me_cache_control: str | None = None, **cors: Any) -> Starlette:
    """The shop's API: /me private, /public the same for anyone, and five ways to log in."""
    sessions = {SESSION_VALUE: "alice"}

    def logged_in(user: str, response: Response) -> Response:
        session = secrets.token_urlsafe(16)
        sessions[session] = user
        response.set_cookie(COOKIE, session, secure=True, httponly=True, samesite="none")
        return response

    def login(request: Request) -> Response:
        return logged_in("alice", RedirectResponse("/me", status_code=303))

    def login_page(request: Request) -> Response:
        return HTMLResponse(LOGIN_PAGE)

    async def session(request: Request) -> Response:
        form = await request.form()
        if form.get("password") != PASSWORD:
            return PlainTextResponse("wrong password", status_code=403)
        return logged_in(str(form.get("username")), RedirectResponse("/me", status_code=303))

    async def json_login(request: Request) -> Response:
        body = await request.json()
        if body.get("password") != PASSWORD:
            return JSONResponse({"error": "wrong password"}, status_code=403)
        return logged_in(str(body.get("username")), JSONResponse({"ok": True}))

    def me(request: Request) -> Response:
        user = sessions.get(request.cookies.get(COOKIE, ""))
        if user is None:
            return JSONResponse({"error": "log in first"}, status_code=401)
        cache = {"Cache-Control": me_cache_control} if me_cache_control else None
        return JSONResponse({"user": user, "card": "**** 4242"}, headers=cache)

    def public(request: Request) -> Response:
        return JSONResponse({"shop": "open", "hours": "9-17"})

    routes = [
        Route("/login", login),
        Route("/login-page", login_page),
        Route("/session", session, methods=["POST"]),
        Route("/api/login", json_login, methods=["POST"]),
        Route("/me", me),
        Route("/public", public),
    ]
    middleware = [Middleware(CORSMiddleware, allow_credentials=True, **cors)]
    return Starlette(routes=routes, middleware=middleware)


# Leak-free: an exact allowlist of the one trusted origin.
shop = _shop(allow_origins=[TRUSTED])
# Leaky: the pattern has no dot before shop, and .* lets any subdomain in (and evilshop.example).
leaky = _shop(allow_origin_regex=r"https://.*shop\.example")
# The shop whose /me a browser may keep for ten minutes: an audit after another finds it only in
# a cache the two share.
cached = _shop(me_cache_control="private, max-age=600", allow_origins=[TRUSTED])


def _csrf_login(request: Request) -> Response:
    response = PlainTextResponse("welcome")
    response.set_cookie("csrftoken", secrets.token_hex(8), secure=True, samesite="lax")
    return response


def _refuse(request: Request) -> Response:
    return JSONResponse({"error": "log in first"}, status_code=401)


# The login sets a CSRF token only: nothing it sets logs anyone in.
csrf_only = Starlette(routes=[Route("/login", _csrf_login), Route("/me", _refuse)])


def _login_then(path: str) -> Response:
    response = RedirectResponse(path, status_code=303)
    response.set_cookie(COOKIE, SESSION_VALUE, secure=True, httponly=True, samesite="none")
    return response


def _broken_me(request: Request) -> Response:
    if request.cookies.get(COOKIE) is None:
        return JSONResponse({"error": "log in first"}, status_code=401)
    return PlainTextResponse("Internal Server Error", status_code=500)


def _home(request: Request) -> Response:
    return PlainTextResponse("home")


# /me fails whenever the victim's cookie comes with the request.
broken = Starlette(
    routes=[Route("/", _home), Route("/login", lambda request: _login_then("/")), Route("/me", _broken_me)]
)

# Only Host: localhost is accepted; the audit's requests say Host: api.shop.example.
trusted_host = Starlette(
    routes=[Route("/login", lambda request: _login_then("/me")), Route("/me", _broken_me)],
    middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=["localhost"])],
)


async def redirect_loop(scope: Any, receive: Any, send: Any) -> None:
    """Every request redirected to itself, as an app that forces https but ignores
    X-Forwarded-Proto behind a TLS-terminating proxy would (here, whatever the scheme)."""
    if scope["type"] != "http":
        return
    response = RedirectResponse(str(Request(scope).url), status_code=301)
    await response(scope, receive, send)


def script_login(page: Any) -> None:
    """A --login-script: the page stands on the app's origin; it logs in through the login form."""
    origin = page.evaluate("location.origin")
    page.goto(f"{origin}/login-page")
    page.fill('[name="username"]', "alice")
    page.fill('[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click("button")


def closing_login(page: Any) -> None:
    """A --login-script that closes the page it was given once logged in, as a tidy script may."""
    script_login(page)
    page.close()


def failing_login(page: Any) -> None:
    """A --login-script that fails, as a stale selector or a changed password would."""
    raise RuntimeError("the login page has no button labelled 'Sign in'")
