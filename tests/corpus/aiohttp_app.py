"""The corpus app on aiohttp with aiohttp-cors; aiohttp is not ASGI, so serve() runs it on a loopback
socket in a thread of its own."""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp_cors
from aiohttp import web

from tests.corpus import (
    SESSION_COOKIE,
    TRUSTED_ORIGIN,
    USER,
    Configuration,
    NotExpressible,
    SameSite,
)

_CREDENTIALS = aiohttp_cors.ResourceOptions(allow_credentials=True)

# aiohttp-cors defaults per configuration: a mapping from origin to ResourceOptions. Matching
# (aiohttp_cors/cors_config.py): config.get(origin, config.get("*")), an exact string lookup with "*"
# as the fallback for every other origin. allow_methods=None means every method; allow_headers=()
# means none beyond the CORS-safelisted ones.
AIOHTTP_CORS: dict[Configuration, dict[str, aiohttp_cors.ResourceOptions]] = {
    "exact": {TRUSTED_ORIGIN: _CREDENTIALS},
    # "*" with allow_credentials: the "*" entry answers every Origin with itself and credentials true.
    "reflect-any": {"*": _CREDENTIALS},
    # "unanchored-regex": not expressible, aiohttp-cors has no patterns: origins are dictionary keys.
    # "null" is just another key: the string compare lets the opaque origin in.
    "null-trusted": {TRUSTED_ORIGIN: _CREDENTIALS, "null": _CREDENTIALS},
    # "subdomains": not expressible, for the same reason (only a list of every subdomain by name).
    "open-preflight": {
        TRUSTED_ORIGIN: aiohttp_cors.ResourceOptions(allow_credentials=True, allow_headers="*", allow_methods="*")
    },
}

# aiohttp spells SameSite as the header does; None leaves it out.
_SAMESITE: dict[SameSite, str | None] = {"None": "None", "Lax": "Lax", "Strict": "Strict", None: None}


def make_app(configuration: Configuration, samesite: SameSite) -> web.Application:
    """An aiohttp app of the corpus's shape with aiohttp-cors in this configuration; NotExpressible
    for a configuration aiohttp-cors cannot say."""
    if configuration not in AIOHTTP_CORS:
        raise NotExpressible(f"aiohttp-cors cannot express {configuration!r}: it has no origin patterns")
    sessions: set[str] = set()
    orders: list[str] = []

    def logged_in(request: web.Request) -> bool:
        return request.cookies.get(SESSION_COOKIE, "") in sessions

    def log_in_first() -> web.Response:
        return web.json_response({"error": "log in first"}, status=401)

    async def login(request: web.Request) -> web.Response:
        """Logs alice in: a new session in the cookie, with the corpus's SameSite."""
        session = secrets.token_urlsafe(16)
        sessions.add(session)
        response = web.Response(
            text="<!doctype html><title>logged in</title><p>Logged in as alice.", content_type="text/html"
        )
        response.set_cookie(SESSION_COOKIE, session, secure=True, httponly=True, samesite=_SAMESITE[samesite])
        return response

    async def me(request: web.Request) -> web.Response:
        """The user's private data with a session; 401 without."""
        if not logged_in(request):
            return log_in_first()
        return web.json_response({"user": USER, "email": f"{USER}@mail.example", "card": "**** 4242"})

    async def update_me(request: web.Request) -> web.Response:
        """A state change with a session; 401 without."""
        if not logged_in(request):
            return log_in_first()
        return web.json_response({"user": USER, "updated": True})

    async def order(request: web.Request) -> web.Response:
        """A form post placing an order with a session; 401 without."""
        if not logged_in(request):
            return log_in_first()
        form = await request.post()
        orders.append(str(form.get("item", "audit item")))
        return web.json_response({"ordered": len(orders)})

    async def public(request: web.Request) -> web.Response:
        """The same public data whoever asks."""
        return web.json_response({"public": True, "shop": "shop.example"})

    app = web.Application()
    app.router.add_get("/login", login)
    app.router.add_get("/me", me)
    app.router.add_put("/me", update_me)
    app.router.add_post("/orders", order)
    app.router.add_get("/public", public)
    # As aiohttp-cors's README does it: the defaults apply to each route added.
    cors = aiohttp_cors.setup(app, defaults=AIOHTTP_CORS[configuration])
    for route in list(app.router.routes()):
        cors.add(route)
    return app


@contextmanager
def serve(app: web.Application, start_deadline: float = 10.0, stop_deadline: float = 10.0) -> Iterator[str]:
    """Runs app on a free loopback port in a thread and yields its URL (http://127.0.0.1:PORT); raises
    TimeoutError if it is not listening within start_deadline or not stopped within stop_deadline."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    stop: asyncio.Future[None] = loop.create_future()
    failure: list[BaseException] = []

    async def run() -> None:
        # shutdown_timeout well inside stop_deadline: open connections get that long, then are closed.
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=min(2.0, stop_deadline / 2))
        await runner.setup()
        try:
            await web.SockSite(runner, sock).start()
            ready.set()
            await stop
        finally:
            await runner.cleanup()

    def thread_main() -> None:
        try:
            loop.run_until_complete(run())
        except BaseException as error:  # reported by the caller's thread, not lost in this one
            failure.append(error)
        finally:
            ready.set()  # a failed start must not leave the caller waiting for the deadline
            loop.close()

    thread = threading.Thread(target=thread_main, name=f"corpus-aiohttp-{port}", daemon=True)
    thread.start()
    try:
        if not ready.wait(start_deadline):
            raise TimeoutError(f"aiohttp app not listening on 127.0.0.1:{port} within {start_deadline}s")
        if failure:
            raise RuntimeError(f"aiohttp app did not start on 127.0.0.1:{port}") from failure[0]
        yield f"http://127.0.0.1:{port}"
    finally:

        def release() -> None:
            if not stop.done():
                stop.set_result(None)

        try:
            loop.call_soon_threadsafe(release)
        except RuntimeError:
            pass  # the loop already closed: the server thread has ended on its own
        thread.join(stop_deadline)
        sock.close()
        if thread.is_alive():
            raise TimeoutError(f"aiohttp app on 127.0.0.1:{port} did not stop within {stop_deadline}s")
