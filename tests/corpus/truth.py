"""Ground truth for the corpus, measured without a browser: requests with an Origin header sent
straight to the app, answered by its CORS middleware as it would answer a browser.

A target is an ASGI app, a WSGI app (served through a2wsgi's WSGIMiddleware) or the URL of an app
listening on loopback (aiohttp). Requests carry Host api.shop.example, as the browser's would.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from http.cookies import SimpleCookie
from typing import Any, TypeVar, cast

import httpx
from a2wsgi import WSGIMiddleware

from tests.corpus import PUBLIC_HOST, PUBLIC_ORIGIN, SESSION_COOKIE, TRUSTED_ORIGIN

# The origins measured: the trusted one, and attacker origins aimed at the usual mistakes.
CANDIDATES: tuple[str, ...] = (
    TRUSTED_ORIGIN,
    "https://evilshop.example",  # no dot before `shop`
    "https://corsproof-evil.shop.example",  # a subdomain (a takeover, or a user-content host)
    "https://corsproofevil.shop.example",
    "https://www.shop.example.corsproof-evil.test",  # no end anchor
    "https://www.shop.example-corsproof-evil.test",  # no end anchor, no dot needed
    "https://wwwxshop.example",  # the dot in www.shop unescaped
    "http://www.shop.example",  # the scheme not checked
    "https://corsproof-evil.test",  # anything at all
    "null",  # sandboxed iframes, data: URLs, some redirects
)

# Fetch's CORS-safelisted methods: a preflight need not list them.
_SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
# The header the preflight measurement asks for: one no API would take by accident.
PROBE_HEADER = "x-corsproof-probe"

Target = str | Callable[..., Any]


@dataclass(frozen=True)
class Answer:
    """What the middleware answered one request from one origin."""

    origin: str
    method: str
    preflight: bool
    status: int
    allow_origin: str | None
    allow_credentials: str | None
    allow_methods: str | None
    allow_headers: str | None
    requested_headers: tuple[str, ...] = ()

    @property
    def allows_origin(self) -> bool:
        """Access-Control-Allow-Origin is this origin or *."""
        return self.allow_origin in (self.origin, "*")

    @property
    def credentialed(self) -> bool:
        """Fetch's CORS check for a request with cookies passes: Allow-Origin is exactly this origin
        (a * never passes with credentials) and Allow-Credentials is exactly `true`."""
        return self.allow_origin == self.origin and self.allow_credentials == "true"

    @property
    def preflight_passes(self) -> bool:
        """A credentialed preflight passes: an ok status, the CORS check, the method and each requested
        header listed by name (with credentials, * in either list is a name, not a wildcard)."""
        if not (self.preflight and 200 <= self.status <= 299 and self.credentialed):
            return False
        methods = {m.strip() for m in (self.allow_methods or "").split(",")}
        headers = {h.strip().lower() for h in (self.allow_headers or "").split(",")}
        method_ok = self.method in _SAFELISTED_METHODS or self.method in methods
        return method_ok and all(h.lower() in headers for h in self.requested_headers)


def _is_asgi(app: Callable[..., Any]) -> bool:
    """An async callable (Starlette, Django's ASGIHandler) is ASGI; a plain one (Flask, WSGIHandler) WSGI."""
    return inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(type(app).__call__)


def _no_cookies() -> CookieJar:
    """A cookie jar that keeps nothing: each request sends exactly the cookie it is given. (A jar, not
    an httpx.Cookies: the client copies an httpx.Cookies into a jar of its own, losing the policy.)"""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


@asynccontextmanager
async def _client(target: Target) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client sending to the target, as https://api.shop.example."""
    if isinstance(target, str):
        # A real server on loopback: the URL says where, the Host header says who it is to the app.
        async with httpx.AsyncClient(
            base_url=target, headers={"host": PUBLIC_HOST}, cookies=_no_cookies(), trust_env=False, timeout=10
        ) as client:
            yield client
        return
    wsgi = None if _is_asgi(target) else WSGIMiddleware(target)
    transport = httpx.ASGITransport(app=cast(Any, wsgi or target))  # a callable we checked is ASGI
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url=PUBLIC_ORIGIN, cookies=_no_cookies(), timeout=10
        ) as client:
            yield client
    finally:
        if wsgi is not None:
            wsgi.executor.shutdown(wait=True)  # every request has been answered by now


async def _ask(
    client: httpx.AsyncClient,
    origin: str,
    method: str,
    preflight: bool,
    path: str,
    request_headers: tuple[str, ...],
    cookie: str | None,
) -> Answer:
    headers = {"origin": origin}
    if cookie is not None:
        headers["cookie"] = cookie
    if preflight:
        headers["access-control-request-method"] = method
        if request_headers:
            headers["access-control-request-headers"] = ",".join(request_headers)
        response = await client.request("OPTIONS", path, headers=headers)
    elif method == "POST":
        response = await client.request(method, path, headers=headers, data={"item": "truth"})
    else:
        response = await client.request(method, path, headers=headers)
    return Answer(
        origin=origin,
        method=method,
        preflight=preflight,
        status=response.status_code,
        allow_origin=response.headers.get("access-control-allow-origin"),
        allow_credentials=response.headers.get("access-control-allow-credentials"),
        allow_methods=response.headers.get("access-control-allow-methods"),
        allow_headers=response.headers.get("access-control-allow-headers"),
        requested_headers=request_headers if preflight else (),
    )


def middleware_answer(
    target: Target,
    origin: str,
    method: str = "GET",
    preflight: bool = False,
    path: str = "/me",
    request_headers: tuple[str, ...] = (),
    cookie: str | None = None,
) -> Answer:
    """The middleware's answer to one request (or, with preflight, to the OPTIONS preflight for it)
    from origin to path."""

    async def run() -> Answer:
        async with _client(target) as client:
            return await _ask(client, origin, method, preflight, path, request_headers, cookie)

    return run_coroutine(run())


T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T], deadline_s: float = 60) -> T:
    """Run coroutine to its end, within deadline_s, on an event loop of its own in a thread of its
    own: Playwright's sync API runs a loop in the main thread while pytest-playwright's browsers
    are open, and asyncio.run() refuses to start a second one there."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="corpus-truth") as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coroutine, deadline_s)).result()


async def _answers(client: httpx.AsyncClient, candidates: Iterable[str], path: str) -> list[Answer]:
    return [await _ask(client, origin, "GET", False, path, (), None) for origin in candidates]


def allowed_origins(target: Target, candidates: Iterable[str] = CANDIDATES, path: str = "/me") -> set[str]:
    """The candidates the middleware lets read path with credentials (Answer.credentialed)."""

    async def run() -> set[str]:
        async with _client(target) as client:
            return {answer.origin for answer in await _answers(client, candidates, path) if answer.credentialed}

    return run_coroutine(run())


@dataclass(frozen=True)
class Behaviour:
    """What the app does for the routes the corpus specifies, without and with the session cookie."""

    login_status: int
    session_cookie: dict[str, str]  # the Set-Cookie of /login: value and attributes, names lower-case
    me_without: int
    me_with: int
    me_user: str | None
    put_without: int
    put_with: int
    order_without: int
    order_with: int
    public_same: bool  # /public answers the same status and body with and without the cookie


def _parse_cookie(response: httpx.Response) -> dict[str, str]:
    """The session cookie /login set: {"value": ..., "secure": "True", "samesite": ..., ...}."""
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if SESSION_COOKIE in jar:
            morsel = jar[SESSION_COOKIE]
            return {"value": morsel.value} | {k: str(v) for k, v in morsel.items() if v}
    return {}


async def _behaviour(client: httpx.AsyncClient) -> Behaviour:
    login = await client.get("/login")
    cookie = _parse_cookie(login)
    with_cookie = {"cookie": f"{SESSION_COOKIE}={cookie.get('value', '')}"}
    me_without = await client.get("/me")
    me_with = await client.get("/me", headers=with_cookie)
    public_without = await client.get("/public")
    public_with = await client.get("/public", headers=with_cookie)
    return Behaviour(
        login_status=login.status_code,
        session_cookie=cookie,
        me_without=me_without.status_code,
        me_with=me_with.status_code,
        me_user=me_with.json().get("user") if me_with.status_code == 200 else None,
        put_without=(await client.put("/me")).status_code,
        put_with=(await client.put("/me", headers=with_cookie)).status_code,
        order_without=(await client.post("/orders", data={"item": "book"})).status_code,
        order_with=(await client.post("/orders", data={"item": "book"}, headers=with_cookie)).status_code,
        public_same=(public_without.status_code, public_without.content)
        == (public_with.status_code, public_with.content),
    )


@dataclass(frozen=True)
class Measurement:
    """The ground truth for one app: who may read with credentials, whether the trusted origin's
    preflight for PUT with a custom header passes, and how the routes behave."""

    allowed: frozenset[str]
    # Origins whose answer had Allow-Origin this origin *or* "*", and credentials true: equal to allowed
    # unless a middleware sends "*" with credentials (which a browser refuses for a credentialed read).
    allowed_or_wildcard: frozenset[str]
    preflight_put: bool
    behaviour: Behaviour


def measure(target: Target, candidates: Iterable[str] = CANDIDATES) -> Measurement:
    """Everything the corpus's test checks of one app, over one client."""

    async def run() -> Measurement:
        async with _client(target) as client:
            answers = await _answers(client, candidates, "/me")
            preflight = await _ask(client, TRUSTED_ORIGIN, "PUT", True, "/me", (PROBE_HEADER,), None)
            return Measurement(
                allowed=frozenset(a.origin for a in answers if a.credentialed),
                allowed_or_wildcard=frozenset(
                    a.origin for a in answers if a.allows_origin and a.allow_credentials == "true"
                ),
                preflight_put=preflight.preflight_passes,
                behaviour=await _behaviour(client),
            )

    return run_coroutine(run())
