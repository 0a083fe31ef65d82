"""What an audit audits: an app imported from package.module:app, or an app already running on
this machine, reached through a reverse proxy.

An imported app is ASGI (an `async def app(scope, receive, send)` or an object whose `__call__` is
one: Starlette, FastAPI, Django's get_asgi_application()) or WSGI (`app(environ, start_response)`:
Flask, Django's get_wsgi_application()); WSGI apps are served through a2wsgi's adapter.

The proxy passes every request and answer on as they are (so that the recorder in front of it sees
them too), as a TLS-terminating proxy does: Host as the browser sent it, plus X-Forwarded-Proto,
-Host and -For. When the app does not answer, the proxy says what it got in a 502 whose
x-corsproof-proxy header (read back with proxy_failure()) and body hold one line, such as
"connection refused at http://127.0.0.1:8000".
"""

from __future__ import annotations

import inspect
import ipaddress
import socket
import ssl
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, urlsplit

import httpx
from a2wsgi import WSGIMiddleware
from asgiref.sync import iscoroutinefunction
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.importer import ImportFromStringError, import_from_string

UPSTREAM_TIMEOUT_S = 30.0
PROXY_HEADER = "x-corsproof-proxy"  # on the proxy's own 502s only: what the upstream did instead of answering
_PROXY_HEADER = PROXY_HEADER.encode()

# Hop-by-hop headers (RFC 9110 7.6.1) describe one connection, not the message: a proxy drops them
# (and any header Connection names) and sets its own framing.
_HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"transfer-encoding", b"upgrade"}
)
# The proxy says these for the hop it terminates; a client's own values must not pass for its word.
_FORWARDED_BY_PROXY = frozenset({b"x-forwarded-proto", b"x-forwarded-host"})

WHAT_TARGET_IS = (
    "TARGET must be an ASGI app (async def app(scope, receive, send)) or a WSGI app (app(environ, start_response)) "
    "given as package.module:app, or the http(s)://127.0.0.1:PORT URL of an app already running here"
)


class UsageError(Exception):
    """What is wrong with the command line, said so that it can be fixed."""


# --- the reverse proxy -------------------------------------------------------------------------


def _unverified_tls() -> ssl.SSLContext:
    """TLS that accepts any certificate. Only for loopback upstreams (see reverse_proxy): an app
    run here over https has a self-signed or private-CA certificate nothing here trusts, and on
    loopback there is no network for anyone to sit on between the proxy and the app."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _one_line(text: str) -> str:
    """text as one short ASCII line: it goes into a header, whose value can hold nothing else."""
    line = " ".join(text.split()).encode("ascii", "backslashreplace").decode("ascii")
    return line if len(line) <= 300 else line[:297] + "..."


def _causes(error: BaseException) -> Iterable[BaseException]:
    """error and what caused it, outermost first (httpx wraps httpcore's error, which wraps the OS's)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def describe_failure(error: Exception, upstream: str, timeout_s: float = UPSTREAM_TIMEOUT_S) -> str:
    """One line saying what the proxy got instead of an answer from upstream."""
    if isinstance(error, httpx.ConnectTimeout):
        return f"timed out after {timeout_s:g} s connecting to {upstream}"
    if isinstance(error, httpx.ReadTimeout):
        return f"timed out after {timeout_s:g} s waiting for {upstream} to answer"
    if isinstance(error, httpx.TimeoutException):
        return f"timed out after {timeout_s:g} s at {upstream}"
    if isinstance(error, httpx.ConnectError):
        for cause in _causes(error):
            if isinstance(cause, ssl.SSLError):
                return _one_line(f"TLS handshake failed with {upstream}: {cause}")
            if isinstance(cause, ConnectionRefusedError):
                return f"connection refused at {upstream}"
            if isinstance(cause, socket.gaierror):
                return _one_line(f"cannot resolve the host of {upstream}: {cause}")
        return _one_line(f"cannot connect to {upstream}: {error}")
    if isinstance(error, httpx.RemoteProtocolError):
        hint = " (is it serving https?)" if upstream.startswith("http://") else ""
        return _one_line(f"{upstream} broke the exchange off: {error}{hint}")
    if isinstance(error, httpx.HTTPError):
        return _one_line(f"{upstream} did not answer: {type(error).__name__}: {error}")
    return _one_line(f"cannot pass the request on to {upstream}: {type(error).__name__}: {error}")


def proxy_failure(headers: Mapping[str, str]) -> str | None:
    """What the proxy got instead of an answer (one line), from recorded response headers
    (lower-cased names); None when the answer is the app's own."""
    return headers.get(PROXY_HEADER)


def _named_by_connection(headers: Iterable[tuple[bytes, bytes]]) -> frozenset[bytes]:
    return frozenset(
        name.strip().lower() for key, value in headers if key.lower() == b"connection" for name in value.split(b",")
    )


def _request_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    """The browser's headers (Host included: the app sees the origin the browser used) without
    hop-by-hop ones, and what a TLS-terminating proxy adds. Without X-Forwarded-Proto an app that
    redirects plain http to https (Django's SECURE_SSL_REDIRECT) would redirect forever."""
    raw: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
    dropped = _HOP_BY_HOP | _named_by_connection(raw) | _FORWARDED_BY_PROXY
    kept = [(k, v) for k, v in raw if k.lower() not in dropped]
    host = next((v for k, v in raw if k.lower() == b"host"), None)
    kept.append((b"x-forwarded-proto", str(scope.get("scheme", "http")).encode("latin-1")))
    if host is not None:
        kept.append((b"x-forwarded-host", host))
    client = scope.get("client")
    if client:
        # Appended to any the browser's request already had, as proxies chain them.
        kept.append((b"x-forwarded-for", str(client[0]).encode("latin-1")))
    return kept


def _response_headers(method: str, status: int, answer: httpx.Response, length: int) -> list[tuple[bytes, bytes]]:
    """The app's headers without hop-by-hop ones, repeated ones (Set-Cookie) kept separate, and a
    Content-Length for the body as it is passed on (still content-encoded, as the app sent it)."""
    raw = answer.headers.raw
    dropped = _HOP_BY_HOP | _named_by_connection(raw) | {b"content-length", _PROXY_HEADER}
    headers = [(k, v) for k, v in raw if k.lower() not in dropped]
    if method == "HEAD":
        headers += [(k, v) for k, v in raw if k.lower() == b"content-length"]  # the length a GET would get
    elif status >= 200 and status not in (204, 304):  # these carry no body, so no length either
        headers.append((b"content-length", str(length).encode()))
    return headers


def _request_target(scope: Scope) -> bytes:
    """The path and query as the browser sent them (raw: %2F stays %2F), any byte outside printable
    ASCII percent-encoded, as httpx takes ASCII only."""
    raw_path: bytes = scope.get("raw_path") or quote(scope["path"]).encode("ascii")
    query: bytes = scope.get("query_string", b"")
    target = raw_path + (b"?" + query if query else b"")
    return b"".join(bytes([byte]) if 0x20 < byte < 0x7F else b"%%%02X" % byte for byte in target)


async def _request_body(receive: Receive) -> bytes:
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":  # http.disconnect: the browser went away
            return bytes(body)
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return bytes(body)


def reverse_proxy(upstream: str, timeout_s: float = UPSTREAM_TIMEOUT_S) -> ASGIApp:
    """An ASGI app that passes each request to the app at upstream (a loopback origin such as
    http://127.0.0.1:8000) and its answer back; a 502 with an x-corsproof-proxy line when the app
    does not answer. ValueError when upstream is not on this machine."""
    parts = urlsplit(upstream)
    if not parts.hostname or not _is_loopback(parts.hostname):
        # The certificate is not checked (_unverified_tls): that is safe on loopback only.
        raise ValueError(f"reverse_proxy only reaches apps on this machine, not {upstream!r}")
    origin = httpx.URL(f"{parts.scheme}://{parts.netloc}")
    tls = _unverified_tls()  # one context, shared: building it per request would cost more than the request

    async def proxy(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000})
            return
        if scope["type"] != "http":  # lifespan: nothing to start or stop
            return
        method: str = scope["method"]
        body = await _request_body(receive)
        try:
            request = httpx.Request(
                method,
                origin.copy_with(raw_path=_request_target(scope)),
                headers=_request_headers(scope),
                content=body,
            )
            # A client per request, not one shared: the same proxy serves the audit's plain and TLS
            # servers, each in its own thread and event loop, and httpx's pooled connections belong
            # to the loop that opened them. On loopback a new connection costs next to nothing.
            async with httpx.AsyncClient(verify=tls, timeout=timeout_s, follow_redirects=False) as client:
                # send(), not request(): request() would add httpx's own default headers
                # (User-Agent, Accept...) to a request that lacks them.
                answer = await client.send(request, stream=True)
                try:
                    # Raw bytes: still content-encoded as the app sent them, so Content-Encoding
                    # passes on as it is and no decoder (brotli, zstd) is needed here.
                    content = b"".join([chunk async for chunk in answer.aiter_raw()])
                finally:
                    await answer.aclose()
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            line = describe_failure(error, str(origin).rstrip("/"), timeout_s)
            payload = line.encode("ascii")
            await send(
                {
                    "type": "http.response.start",
                    "status": 502,
                    "headers": [
                        (_PROXY_HEADER, payload),
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(payload)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": payload})
            return
        headers = _response_headers(method, answer.status_code, answer, len(content))
        await send({"type": "http.response.start", "status": answer.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    return proxy


def _is_loopback(host: str) -> bool:
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
    except (OSError, ValueError):
        return False


# --- an imported app ---------------------------------------------------------------------------


def _binds(call: Callable[..., object], arguments: int) -> bool:
    """Whether call can be called with that many positional arguments (and nothing else)."""
    try:
        inspect.signature(call).bind(*range(arguments))
    except TypeError:
        return False
    return True


def as_asgi(app: object, target: str) -> ASGIApp:
    """app as an ASGI app: itself when it is ASGI, through a2wsgi when it is WSGI; UsageError when
    it is neither."""
    not_an_app = UsageError(f"TARGET {target!r} is a {type(app).__name__}, not an app: {WHAT_TARGET_IS}")
    # A class (Flask, not Flask(__name__)) is callable too, and its constructor's arity says nothing.
    if inspect.isclass(app) or not callable(app):
        raise not_an_app
    if getattr(app, "_asgi_single_callable", False) or iscoroutinefunction(app) or iscoroutinefunction(app.__call__):
        return cast(ASGIApp, app)
    try:
        inspect.signature(app)
    except (TypeError, ValueError):  # a builtin without a signature: its arity cannot be told
        raise not_an_app from None
    if _binds(app, 2):
        # (environ, start_response); a def taking any arguments (*args) lands here too, as a sync
        # callable most likely is WSGI.
        # a2wsgi: a maintained WSGI-to-ASGI adapter (streaming, a thread pool for the WSGI calls),
        # rather than one of corsproof's own.
        return cast(ASGIApp, WSGIMiddleware(cast(Any, app)))
    if _binds(app, 3) and not _binds(app, 2):
        # A plain def taking (scope, receive, send) that returns an awaitable: some ASGI middleware.
        return cast(ASGIApp, app)
    raise not_an_app


def _import_failure(target: str, error: Exception) -> UsageError:
    """What the app's own module raised while importing, in one line."""
    message = f"TARGET {target!r} failed to import: {type(error).__name__}: {_one_line(str(error))}"
    django_exceptions = sys.modules.get("django.core.exceptions")
    improperly_configured = getattr(django_exceptions, "ImproperlyConfigured", None)
    if improperly_configured is not None and isinstance(error, improperly_configured):
        # Django reads its settings when get_wsgi_application()/get_asgi_application() builds the
        # app, so the app's module must name them first.
        message += (
            " -- set DJANGO_SETTINGS_MODULE (in the environment, or with os.environ.setdefault in the app's module "
            "before the app is built)"
        )
    return UsageError(message)


def load_target(target: str) -> ASGIApp:
    """The ASGI app to audit: imported (WSGI apps adapted), or a proxy to a loopback URL;
    UsageError otherwise."""
    if "://" in target:
        parts = urlsplit(target)
        try:
            parts.port  # noqa: B018 - urlsplit checks the port only when asked for it
            httpx.URL(f"{parts.scheme}://{parts.netloc}")
        except (ValueError, httpx.InvalidURL) as error:
            raise UsageError(f"TARGET {target!r} is not an http(s) URL: {_one_line(str(error))}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"TARGET {target!r} is not an http(s) URL")
        # Loopback only: an audit never sends traffic off the machine, and the proxy does not check
        # the app's certificate, which is safe only where no network lies between the two.
        if not _is_loopback(parts.hostname):
            raise UsageError(
                f"TARGET {target!r} is not on this machine: an audit never sends traffic off the machine. "
                "Run the app here and give its loopback URL (http://127.0.0.1:PORT), or give it as package.module:app"
            )
        return reverse_proxy(f"{parts.scheme}://{parts.netloc}")
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))  # as uvicorn does: the app's package is found from here
    try:
        app: object = import_from_string(target)
    except ImportFromStringError as error:
        raise UsageError(f"TARGET {target!r}: {_one_line(str(error))}") from None
    except Exception as error:  # the app's own module failed while importing
        raise _import_failure(target, error) from None
    return as_asgi(app, target)
