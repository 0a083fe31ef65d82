"""The audit's name proxy, without a browser: each name reaches the loopback port its port is mapped
to, with its own Host, over http (origin form) and https (a CONNECT tunnel); an unmapped port is
a 502; stopping it closes every connection a client left open."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from corsproof.serving.name_proxy import NameProxy
from corsproof.serving.runner import ServerThread, bind_loopback_socket, serving
from corsproof.serving.tls import certificate_files


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """What the server was asked: scheme, Host, path and query."""
    request = Request(scope)
    said = f"{request.url.scheme} {request.headers['host']} {request.url.path}?{request.url.query}"
    await PlainTextResponse(said)(scope, receive, send)


@pytest.fixture(scope="module")
def proxy() -> Iterator[NameProxy]:
    with certificate_files("api.shop.example") as certificate:
        plain = ServerThread("plain", echo, bind_loopback_socket())
        tls = ServerThread("tls", echo, bind_loopback_socket(), **certificate)
        forward = NameProxy({80: plain.port, 443: tls.port, 8443: tls.port}, bind_loopback_socket())
        with serving([plain, tls, forward]):
            yield forward


def client(proxy: NameProxy) -> httpx.Client:
    # The servers' certificate comes from a throwaway CA: nothing to verify on loopback.
    return httpx.Client(proxy=f"http://127.0.0.1:{proxy.port}", verify=False, trust_env=False, timeout=10)


@pytest.mark.parametrize(
    ("url", "seen"),
    [
        ("http://evilexample.com/a?b=1", "http evilexample.com /a?b=1"),
        ("https://api.shop.example/me?probe=x", "https api.shop.example /me?probe=x"),
        ("https://www.shop.example:8443/", "https www.shop.example:8443 /?"),
    ],
)
def test_a_name_reaches_the_port_its_port_is_mapped_to(proxy: NameProxy, url: str, seen: str) -> None:
    with client(proxy) as http:
        assert http.get(url).text == seen


def test_two_requests_on_one_client_each_reach_their_name(proxy: NameProxy) -> None:
    """A plain http connection carries one request (Connection: close): the next, to another
    name, comes on a new one, so no request passes the proxy unread."""
    with client(proxy) as http:
        first, second = http.get("http://one.example/1"), http.get("http://two.example/2")
    assert (first.text, second.text) == ("http one.example /1?", "http two.example /2?")
    assert first.headers["connection"] == "close"


def test_an_unmapped_port_is_a_bad_gateway(proxy: NameProxy) -> None:
    with client(proxy) as http:
        assert http.get("http://evilexample.com:9999/").status_code == 502


def test_stopping_closes_the_connections_clients_left_open(caplog: pytest.LogCaptureFixture) -> None:
    """A browser keeps its tunnels open; the proxy stops anyway, on time, its sockets closed (the
    suite turns an unclosed socket's ResourceWarning into a failure) and nothing logged by asyncio
    (a handler cancelled rather than ended is logged as an error)."""
    with certificate_files("api.shop.example") as certificate:
        tls = ServerThread("tls", echo, bind_loopback_socket(), **certificate)
        forward = NameProxy({443: tls.port}, bind_loopback_socket())
        with serving([tls]):
            forward.start()
            held = socket.create_connection(("127.0.0.1", forward.port))
            held.sendall(b"CONNECT api.shop.example:443 HTTP/1.1\r\nHost: api.shop.example:443\r\n\r\n")
            assert held.recv(1024).startswith(b"HTTP/1.1 200")
            forward.stop()
            assert held.recv(1024) == b""  # the proxy closed its end
            held.close()
    assert [record.getMessage() for record in caplog.records if record.name == "asyncio"] == []
