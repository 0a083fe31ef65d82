"""A loopback forward proxy that leads every name to the loopback port its port is mapped to.

An audit's browsers reach its names through it: WebKitGTK, which has no switch of its own for
where a name lives (MiniBrowser takes a proxy, --proxy), and the contexts of the Chromium and
Firefox kept from one audit to the next (corsproof/audit/browser_pool.py); an audit with an
origin on the machine maps its names at launch instead (corsproof/names.py). Through it a page
can stand at https://evilexample.com with that real Origin while its server listens on a
loopback port: a CONNECT (https) is tunnelled to the port the map gives, and a plain http
request is passed on in origin form (uvicorn's h11 takes an absolute URL for the path) with
Connection: close (Proxy-Connection dropped), so that every request of a connection is one the
proxy has read. The app's record shows those two headers as the proxy sent them.

Hand-written, not a proxy library: the well-kept ones (mitmproxy, proxy.py) are whole servers
with their own TLS and process models; this needs only to pick a port and copy bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Mapping
from urllib.parse import SplitResult, urlsplit

START_DEADLINE_S = 10.0
STOP_DEADLINE_S = 10.0
HEAD_LIMIT = 64 * 1024
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"proxy-authorization"}


class NameProxy:
    """The proxy on one pre-bound loopback socket, served from a daemon thread (as ServerThread)."""

    def __init__(self, ports: Mapping[int, int], sock: socket.socket) -> None:
        """ports: the port a page uses (443, 80, 8443...) -> the loopback port that serves it."""
        self.name = "name-proxy"
        self.ports = dict(ports)
        self.sock = sock
        self.port: int = sock.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stopped: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._connections: set[asyncio.Task[None]] = set()  # each open connection's handler
        self._open: set[asyncio.StreamWriter] = set()  # and its sockets, the browser's and the server's
        self._thread = threading.Thread(target=self._run, name="name-proxy", daemon=True)

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as error:  # told to the starting thread, not lost in this one
            self._error = error
            self._ready.set()
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stopped = asyncio.Event()
        server = await asyncio.start_server(self._handle, sock=self.sock, limit=HEAD_LIMIT)
        self._ready.set()
        async with server:
            await self._stopped.wait()
            # Browsers keep connections open: each is closed, so that its handler reads the end and
            # returns (a handler cancelled instead is reported by asyncio as an error of its own).
            for side in self._open:
                side.close()
            await asyncio.gather(*self._connections, return_exceptions=True)

    def start(self, deadline_s: float = START_DEADLINE_S) -> None:
        self._thread.start()
        if not self._ready.wait(deadline_s) or self._error is not None:
            raise RuntimeError(f"the name proxy did not start within {deadline_s} s: {self._error!r}")

    def stop(self, deadline_s: float = STOP_DEADLINE_S) -> None:
        if self._stopped is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(deadline_s)
        if self._thread.is_alive():
            raise RuntimeError(f"the name proxy did not stop within {deadline_s} s")
        self.sock.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self._open.add(writer)
        upstream: asyncio.StreamWriter | None = None
        try:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            request_line, _, fields = head.partition(b"\r\n")
            method, _, rest = request_line.partition(b" ")
            target, _, version = rest.partition(b" ")
            if method == b"CONNECT":
                port = _port(target.decode("latin-1").rpartition(":")[2], 443)
            else:
                url = urlsplit(target.decode("latin-1"))
                port = url.port or (443 if url.scheme == "https" else 80)
            local = self.ports.get(port) if port is not None else None
            if local is not None:
                with contextlib.suppress(OSError):
                    upstream_reader, upstream = await asyncio.open_connection("127.0.0.1", local)
                    self._open.add(upstream)
            if upstream is None:
                writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                await writer.drain()
                return
            if method == b"CONNECT":
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                upstream.write(_origin_form(method, url, version, fields))
            await asyncio.gather(_copy(reader, upstream), _copy(upstream_reader, writer))
        except (ConnectionError, OSError):
            pass  # a side went away: the connection ends
        finally:
            self._connections.discard(task)
            for side in (writer, upstream):
                if side is not None:
                    self._open.discard(side)
                    side.close()
                    with contextlib.suppress(ConnectionError, OSError):
                        await side.wait_closed()  # its socket closed before the loop ends


def _origin_form(method: bytes, url: SplitResult, version: bytes, fields: bytes) -> bytes:
    """The request's head as a server reads it: its path, its own fields less the hop-by-hop ones,
    and Connection: close (so the next request of the browser comes on a new connection)."""
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    kept = [f for f in fields.split(b"\r\n") if f and f.partition(b":")[0].strip().lower() not in HOP_BY_HOP]
    return b"\r\n".join([method + b" " + path.encode("latin-1") + b" " + version, *kept, b"Connection: close"]) + (
        b"\r\n\r\n"
    )


def _port(text: str, default: int) -> int | None:
    if not text:
        return default
    return int(text) if text.isdigit() else None


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Bytes from one side to the other until the reader's side ends; then the other side is closed."""
    while chunk := await reader.read(64 * 1024):
        writer.write(chunk)
        await writer.drain()
    writer.close()
