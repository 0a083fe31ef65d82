"""Run an ASGI app with uvicorn in a thread, on a socket the OS gave a port before the thread started.

Binding first means the port is known (and reserved) before any server code runs, so there is no
race between picking a free port and listening on it, even with many servers or pytest-xdist.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import uvicorn
from starlette.types import ASGIApp

START_DEADLINE_S = 10.0
STOP_DEADLINE_S = 10.0


def bind_loopback_socket(port: int = 0) -> socket.socket:
    """A listening TCP socket on 127.0.0.1; port 0 lets the OS choose a free port."""
    return bind_socket("127.0.0.1", port)


def bind_socket(host: str, port: int = 0) -> socket.socket:
    """A listening TCP socket on host (an IPv4 address); port 0 lets the OS choose a free port."""
    # proto=IPPROTO_TCP, not the default 0: asyncio sets TCP_NODELAY only on sockets that say
    # they are TCP, and without it every response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


class _ReadyServer(uvicorn.Server):
    """A uvicorn server that tells another thread, through an Event, when it accepts connections."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


class ServerThread:
    """One ASGI app served on one pre-bound socket from a daemon thread."""

    def __init__(self, name: str, app: ASGIApp, sock: socket.socket, **uvicorn_options: Any) -> None:
        """uvicorn_options go to uvicorn.Config as they are (for example ssl_certfile, ssl_keyfile)."""
        self.name = name
        self.sock = sock
        self.port: int = sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            # Browsers keep connections alive; without a bound, shutdown waits for them.
            timeout_graceful_shutdown=2,
            **uvicorn_options,
        )
        self._server = _ReadyServer(config)
        self._thread = threading.Thread(target=self._run, name=f"server-{name}", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            asyncio.run(self._server.serve(sockets=[self.sock]))
        except BaseException as exc:  # reported to the starting thread, not lost in this one
            self._error = exc
            self._server.ready.set()

    def start(self, deadline_s: float = START_DEADLINE_S) -> None:
        self._thread.start()
        if not self._server.ready.wait(deadline_s):
            raise RuntimeError(f"server {self.name!r} did not start within {deadline_s} s")
        if self._error is not None or not self._server.started:
            raise RuntimeError(f"server {self.name!r} failed to start: {self._error!r}")

    def stop(self, deadline_s: float = STOP_DEADLINE_S) -> None:
        self._server.should_exit = True
        self._thread.join(deadline_s)
        if self._thread.is_alive():
            raise RuntimeError(f"server {self.name!r} did not stop within {deadline_s} s")
        self.sock.close()


class Serving(Protocol):
    """What serving() starts and stops: a ServerThread, or the audit's name proxy."""

    sock: socket.socket

    def start(self, deadline_s: float = ...) -> None: ...

    def stop(self, deadline_s: float = ...) -> None: ...


@contextlib.contextmanager
def serving(servers: Sequence[Serving]) -> Iterator[None]:
    """Start the servers in order; when the block ends (or a start fails), stop the started ones in
    reverse order, and close every server's socket, started or not."""
    started: list[Serving] = []
    try:
        for server in servers:
            server.start()
            started.append(server)
        yield
    finally:
        for server in reversed(started):
            server.stop()
        for server in servers:
            server.sock.close()
