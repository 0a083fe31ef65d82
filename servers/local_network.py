"""Servers on a person's own machine or network, as a public web page would find them: a developer's
"dev" server on loopback and a home "router" on a private address (both on loopback here; the
browsers are told which address space each port stands for, corsproof/suite/local_network.py).

Each answers the way such servers really do, one route per answer:
  /star      `Access-Control-Allow-Origin: *`: the dev server that lets any page read it
  /reflect   the request's Origin reflected, with credentials allowed (preflights answered)
  /none      no CORS header at all: only the server itself is meant to read it
  /pna       `*` and the obsolete `Access-Control-Allow-Private-Network: true`, the advice of the
             Private Network Access years (preflights answered)
  /img, /frame, /form   an image, a page, and a form's target
Every request is recorded (the recorder's ?probe=), so a test knows whether an HTTP request
arrived, which no page can tell for an iframe.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from corsproof.serving.field_values import RejectControlCharacters
from corsproof.serving.recorder import Recorder
from corsproof.serving.runner import ServerThread, bind_socket, serving

TARGETS = ("dev", "router")
# A 1x1 PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PREFLIGHT_ALLOWS = {"Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "content-type"}


def _answer(request: Request, name: str, route: str, cors: dict[str, str]) -> Response:
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={**cors, **PREFLIGHT_ALLOWS} if cors else {})
    return JSONResponse({"server": name, "route": route, "secret": f"{name}'s local data"}, headers=cors)


def create_target_app(name: str) -> Starlette:
    """One local server: the dev server or the router, its answers by route."""

    def star(request: Request) -> Response:
        return _answer(request, name, "star", {"Access-Control-Allow-Origin": "*"})

    def reflect(request: Request) -> Response:
        origin = request.headers.get("origin", "")
        cors = {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}
        return _answer(request, name, "reflect", cors if origin else {})

    def none(request: Request) -> Response:
        return _answer(request, name, "none", {})

    def pna(request: Request) -> Response:
        cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Private-Network": "true"}
        return _answer(request, name, "pna", cors)

    def image(request: Request) -> Response:
        return Response(PIXEL, media_type="image/png", headers={"Cache-Control": "no-store"})

    def frame(request: Request) -> Response:
        return HTMLResponse(f"<!doctype html><title>{name}</title><p>{name}'s admin page</p>")

    async def form(request: Request) -> Response:
        fields = await request.form()
        return HTMLResponse(f"<!doctype html><title>{name}</title><p>{name} got a form: {dict(fields)}</p>")

    methods = ["GET", "POST", "OPTIONS"]
    return Starlette(
        routes=[
            Route("/star", star, methods=methods),
            Route("/reflect", reflect, methods=methods),
            Route("/none", none, methods=methods),
            Route("/pna", pna, methods=methods),
            Route("/img", image),
            Route("/frame", frame),
            Route("/form", form, methods=["POST"]),
        ]
    )


@dataclass(frozen=True)
class LocalTargets:
    """The running local servers: their ports by name, and what reached them."""

    ports: dict[str, int]
    recorder: Recorder

    def url(self, target: str, path: str) -> str:
        """A target's URL under its *.localhost name (loopback in both browsers)."""
        return f"http://{target}.localhost:{self.ports[target]}{path}"


@contextlib.contextmanager
def running_local_targets(host: str = "127.0.0.1") -> Iterator[LocalTargets]:
    """Serve the dev server and the router on OS-chosen ports until the block ends."""
    recorder = Recorder()
    servers = [
        ServerThread(
            name, recorder.middleware(name, RejectControlCharacters(create_target_app(name))), bind_socket(host)
        )
        for name in TARGETS
    ]
    with serving(servers):
        yield LocalTargets({server.name: server.port for server in servers}, recorder)
