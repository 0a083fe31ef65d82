"""corsproof audit's TARGET: WSGI and ASGI apps given as module:app, and the reverse proxy to an app
already running on loopback (https with a self-signed certificate, X-Forwarded-*, and a 502 that
says what it got when nothing answers).

No browser: apps are driven through httpx's ASGI transport; upstreams are real uvicorn servers on
loopback. Django's settings are process-global, so its apps are loaded in a subprocess.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from flask import Flask
from flask_cors import CORS
from starlette.types import ASGIApp, Receive, Scope, Send

from corsproof.audit.target import (
    PROXY_HEADER,
    UsageError,
    as_asgi,
    load_target,
    proxy_failure,
    reverse_proxy,
)
from corsproof.serving.recorder import Recorder
from corsproof.serving.runner import ServerThread, bind_loopback_socket
from corsproof.serving.tls import certificate_files
from tests.corpus.truth import run_coroutine

T = TypeVar("T")
DEADLINE_S = 20.0
SUBPROCESS_DEADLINE_S = 60.0
TRUSTED = "https://www.example.com"
PUBLIC = "https://api.example.com"  # the origin the browser uses; the proxy's Host

flask_app = Flask(__name__)
CORS(flask_app, origins=[TRUSTED], supports_credentials=True)


@flask_app.get("/data")
def flask_data() -> dict[str, bool]:
    return {"flask": True}


NOT_AN_APP = {"app": "no"}


async def asgi_app(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def echo_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers with the request it got (headers as a list: repeated ones stay apart), two cookies,
    and a forged x-corsproof-proxy header that the proxy must not pass on."""
    assert scope["type"] == "http"
    seen = {
        "raw_path": scope["raw_path"].decode("latin-1"),
        "query": scope["query_string"].decode("latin-1"),
        "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
    }
    body = json.dumps(seen).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"set-cookie", b"a=1; Path=/; Secure"),
        (b"set-cookie", b"b=2; Path=/; Secure"),
        (PROXY_HEADER.encode(), b"forged by the app"),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return run_coroutine(coroutine, DEADLINE_S)


async def get(app: ASGIApp, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """GET path from app as a browser on PUBLIC would (client address 127.0.0.1)."""
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC, timeout=DEADLINE_S) as client:
        return await client.get(path, headers=headers)


@contextlib.contextmanager
def serving(app: ASGIApp, **uvicorn_options: Any) -> Iterator[int]:
    """app served by uvicorn on 127.0.0.1 until the block ends; its port."""
    server = ServerThread("upstream", app, bind_loopback_socket(), **uvicorn_options)
    server.start()
    try:
        yield server.port
    finally:
        server.stop()


def closed_port() -> int:
    """A loopback port nothing listens on: the OS gave it to a socket that is now closed."""
    sock = bind_loopback_socket()
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def header_pairs(answer: httpx.Response) -> list[list[str]]:
    return json.loads(answer.text)["headers"]  # type: ignore[no-any-return]


# --- imported apps -----------------------------------------------------------------------------


def test_a_flask_app_given_as_module_app_answers_through_a2wsgi_with_flask_cors_headers() -> None:
    """A WSGI app (Flask) given as module:app is adapted to ASGI and answers with its CORS headers."""
    app = load_target(f"{__name__}:flask_app")
    answer = run(get(app, "/data", {"Origin": TRUSTED}))
    assert answer.status_code == 200
    assert answer.json() == {"flask": True}
    assert answer.headers["access-control-allow-origin"] == TRUSTED
    assert answer.headers["access-control-allow-credentials"] == "true"


def test_an_asgi_app_is_served_as_it_is() -> None:
    """An async def app given as module:app is the app itself, not wrapped."""
    assert load_target(f"{__name__}:asgi_app") is asgi_app


@pytest.mark.parametrize(
    "thing",
    [NOT_AN_APP, Flask, lambda environ: environ, lambda a, b, c, d: None],
    ids=["a dict", "a class", "one argument", "four arguments"],
)
def test_what_is_neither_asgi_nor_wsgi_is_refused_saying_what_target_must_be(thing: object) -> None:
    """A non-callable, a class, a callable of the wrong arity: UsageError saying what TARGET must be."""
    with pytest.raises(UsageError, match=r"is a \w+, not an app: TARGET must be an ASGI app .* or a WSGI app"):
        as_asgi(thing, "module:thing")


def test_a_module_attribute_that_is_not_an_app_is_refused_in_one_line() -> None:
    """load_target of module:attribute naming a dict: UsageError, one line, naming the TARGET."""
    with pytest.raises(UsageError) as refused:
        load_target(f"{__name__}:NOT_AN_APP")
    assert str(refused.value).startswith(f"TARGET '{__name__}:NOT_AN_APP' is a dict, not an app")
    assert "\n" not in str(refused.value)


DJANGO_SETTINGS = """
SECRET_KEY = "corsproof-test"
DEBUG = False
ALLOWED_HOSTS = ["api.example.com"]
ROOT_URLCONF = "djurls"
INSTALLED_APPS = ["corsheaders"]
MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"]
CORS_ALLOWED_ORIGINS = ["https://www.example.com"]
CORS_ALLOW_CREDENTIALS = True
"""
DJANGO_URLS = """
from django.http import JsonResponse
from django.urls import path

urlpatterns = [path("data", lambda request: JsonResponse({"django": True}))]
"""
DJANGO_APPS = """
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djsettings")

from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

wsgi = get_wsgi_application()
asgi = get_asgi_application()
"""
DJANGO_UNCONFIGURED = """
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
"""
LOAD_AND_GET = """
import asyncio, json, sys
import httpx
from corsproof.audit.target import UsageError, load_target

async def main():
    try:
        app = load_target(sys.argv[1])
    except UsageError as error:
        return {"error": str(error)}
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="https://api.example.com") as client:
        answer = await client.get("/data", headers={"Origin": "https://www.example.com"})
    return {"served_by": type(app).__name__, "status": answer.status_code, "json": answer.json(),
            "acao": answer.headers.get("access-control-allow-origin")}

print(json.dumps(asyncio.run(asyncio.wait_for(main(), 30))))
"""


def load_in_subprocess(folder: Path, target: str) -> dict[str, Any]:
    """load_target(target) and a GET of /data with Origin TRUSTED, in a fresh Python in folder."""
    (folder / "djsettings.py").write_text(textwrap.dedent(DJANGO_SETTINGS))
    (folder / "djurls.py").write_text(textwrap.dedent(DJANGO_URLS))
    (folder / "djapps.py").write_text(textwrap.dedent(DJANGO_APPS))
    (folder / "djunconfigured.py").write_text(textwrap.dedent(DJANGO_UNCONFIGURED))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", LOAD_AND_GET, target],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_DEADLINE_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_djangos_wsgi_application_is_served_through_a2wsgi_with_cors_headers(tmp_path: Path) -> None:
    """Django's get_wsgi_application() is adapted to ASGI and answers with django-cors-headers' headers."""
    seen = load_in_subprocess(tmp_path, "djapps:wsgi")
    assert seen == {"served_by": "WSGIMiddleware", "status": 200, "json": {"django": True}, "acao": TRUSTED}


def test_djangos_asgi_application_stays_asgi(tmp_path: Path) -> None:
    """Django's get_asgi_application() is served as it is (an ASGIHandler), with its CORS headers."""
    seen = load_in_subprocess(tmp_path, "djapps:asgi")
    assert seen == {"served_by": "ASGIHandler", "status": 200, "json": {"django": True}, "acao": TRUSTED}


def test_django_without_settings_is_refused_saying_set_django_settings_module(tmp_path: Path) -> None:
    """A Django app module that names no settings: UsageError telling to set DJANGO_SETTINGS_MODULE."""
    error = load_in_subprocess(tmp_path, "djunconfigured:application")["error"]
    assert error.startswith("TARGET 'djunconfigured:application' failed to import: ImproperlyConfigured: ")
    assert "set DJANGO_SETTINGS_MODULE" in error


# --- the reverse proxy -------------------------------------------------------------------------


def test_the_proxy_reaches_an_https_app_with_a_self_signed_certificate() -> None:
    """load_target of an https loopback URL whose certificate nothing trusts passes the app's answer."""
    with certificate_files("localhost") as tls, serving(echo_app, **tls) as port:
        answer = run(get(load_target(f"https://127.0.0.1:{port}"), "/data?probe=1"))
    assert answer.status_code == 200
    assert json.loads(answer.text)["raw_path"] == "/data"
    assert proxy_failure(dict(answer.headers)) is None


def test_the_proxy_adds_x_forwarded_headers_and_keeps_the_browsers_host() -> None:
    """The app sees Host as the browser sent it, X-Forwarded-Proto/-Host/-For from the proxy."""
    forged = {"X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil.example", "X-Forwarded-For": "192.0.2.7"}
    with serving(echo_app) as port:
        answer = run(get(reverse_proxy(f"http://127.0.0.1:{port}"), "/", forged))
    pairs = header_pairs(answer)
    assert ["host", "api.example.com"] in pairs
    # Proto and Host describe the hop the proxy terminates: the browser's own values do not pass.
    assert [v for k, v in pairs if k == "x-forwarded-proto"] == ["https"]
    assert [v for k, v in pairs if k == "x-forwarded-host"] == ["api.example.com"]
    # For is a chain: the proxy appends the address the request came from.
    assert [v for k, v in pairs if k == "x-forwarded-for"] == ["192.0.2.7", "127.0.0.1"]


def test_the_proxy_passes_the_path_and_query_as_sent_and_drops_hop_by_hop_headers() -> None:
    """An encoded slash stays encoded, the query is unchanged, and Connection-named headers are dropped."""
    headers = {"Connection": "keep-alive, X-Hop", "X-Hop": "1", "X-Kept": "2"}
    with serving(echo_app) as port:
        answer = run(get(reverse_proxy(f"http://127.0.0.1:{port}"), "/a%2Fb?x=%20y&z", headers))
    seen = json.loads(answer.text)
    assert (seen["raw_path"], seen["query"]) == ("/a%2Fb", "x=%20y&z")
    names = [k for k, _ in seen["headers"]]
    assert "x-kept" in names and "x-hop" not in names and "connection" not in names


def test_the_proxy_keeps_set_cookie_headers_apart_and_drops_a_forged_proxy_header() -> None:
    """Two Set-Cookie headers arrive as two; the app's own x-corsproof-proxy never passes for the proxy's."""
    with serving(echo_app) as port:
        answer = run(get(reverse_proxy(f"http://127.0.0.1:{port}"), "/"))
    assert answer.headers.get_list("set-cookie") == ["a=1; Path=/; Secure", "b=2; Path=/; Secure"]
    assert PROXY_HEADER not in answer.headers
    assert answer.headers["content-length"] == str(len(answer.content))


def test_the_proxy_to_a_closed_port_answers_502_saying_connection_refused() -> None:
    """Nothing listening: 502, x-corsproof-proxy and body say so, and proxy_failure() reads it back
    from the recorder's record."""
    port = closed_port()
    recorder = Recorder()
    answer = run(get(recorder.middleware("target", load_target(f"http://127.0.0.1:{port}")), "/"))
    line = f"connection refused at http://127.0.0.1:{port}"
    assert (answer.status_code, answer.headers[PROXY_HEADER], answer.text) == (502, line, line)
    (exchange,) = recorder.all()
    assert proxy_failure(exchange.response_headers) == line


def test_the_proxy_to_a_plain_http_server_over_https_says_the_tls_handshake_failed() -> None:
    """An https URL for an app that speaks plain http: 502 saying the TLS handshake failed."""
    with serving(echo_app) as port:
        answer = run(get(reverse_proxy(f"https://127.0.0.1:{port}"), "/"))
    assert answer.status_code == 502
    assert answer.headers[PROXY_HEADER].startswith(f"TLS handshake failed with https://127.0.0.1:{port}: ")


def test_the_proxy_to_an_app_that_never_answers_says_it_timed_out() -> None:
    """A socket that listens but never accepts: 502 saying how long the proxy waited for an answer."""
    silent = bind_loopback_socket()  # the OS completes the connection; nothing ever reads it
    try:
        port = silent.getsockname()[1]
        answer = run(get(reverse_proxy(f"http://127.0.0.1:{port}", timeout_s=0.5), "/"))
    finally:
        silent.close()
    line = f"timed out after 0.5 s waiting for http://127.0.0.1:{port} to answer"
    assert (answer.status_code, proxy_failure(dict(answer.headers))) == (502, line)


def test_the_proxy_refuses_an_upstream_off_this_machine() -> None:
    """Certificates go unchecked, so reverse_proxy and load_target take loopback upstreams only."""
    with pytest.raises(ValueError, match="only reaches apps on this machine"):
        reverse_proxy("https://192.0.2.1:8443")
    with pytest.raises(UsageError, match="is not on this machine"):
        load_target("https://192.0.2.1:8443")
