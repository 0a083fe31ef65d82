"""What an audit audits: an ASGI app imported from package.module:app, or an app already running
on this machine, reached through a reverse proxy that passes every request and answer on as they
are (so that the recorder in front of it sees them too)."""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.importer import ImportFromStringError, import_from_string


class UsageError(Exception):
    """What is wrong with the command line, said so that it can be fixed."""


def reverse_proxy(upstream: str) -> ASGIApp:
    """Pass each request to an app at upstream (a loopback URL) and its answer back, headers as
    they are (Host included: the app sees the origin the browser used). Repeated headers such as
    Set-Cookie stay separate."""
    client = httpx.AsyncClient(base_url=upstream, follow_redirects=False, timeout=30)

    async def proxy(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            answer = await client.request(
                request.method,
                request.url.path,
                params=request.url.query,
                headers=[(k, v) for k, v in request.headers.raw],
                content=await request.body(),
            )
        except httpx.HTTPError as error:
            response = Response(f"corsproof audit: {upstream} did not answer: {error}", status_code=502)
        else:
            response = Response(answer.content, status_code=answer.status_code)
            response.raw_headers = [
                (k, v)
                for k, v in answer.headers.raw
                if k.lower() not in (b"content-length", b"transfer-encoding", b"connection", b"content-encoding")
            ] + [(b"content-length", str(len(answer.content)).encode())]
        await response(scope, receive, send)

    return proxy


def _is_loopback(host: str) -> bool:
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
    except (OSError, ValueError):
        return False


def load_target(target: str) -> Any:
    """The ASGI app to audit: imported, or a proxy to a loopback URL; UsageError otherwise."""
    if "://" in target:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"TARGET {target!r} is not an http(s) URL")
        if not _is_loopback(parts.hostname):
            raise UsageError(
                f"TARGET {target!r} is not on this machine: an audit never sends traffic off the machine. "
                "Run the app here and give its loopback URL (http://127.0.0.1:PORT), or give it as package.module:app"
            )
        return reverse_proxy(f"{parts.scheme}://{parts.netloc}")
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))  # as uvicorn does: the app's package is found from here
    try:
        return import_from_string(target)
    except ImportFromStringError as error:
        raise UsageError(f"TARGET {target!r}: {error}") from None
    except Exception as error:  # the app's own module failed while importing
        raise UsageError(f"TARGET {target!r} failed to import: {type(error).__name__}: {error}") from None
