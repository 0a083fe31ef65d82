"""What reached a server and what it answered: the server-side oracle of every test.

The recorder is the outermost ASGI layer of each site, outside any CORS policy, so it sees
exactly what the browser sent (preflights included) and exactly what went back.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class Exchange:
    """One HTTP request a site received and the response it sent."""

    site: str
    method: str
    path: str
    query: str
    request_headers: dict[str, str]
    status: int
    response_headers: dict[str, str]

    def header(self, name: str) -> str | None:
        return self.request_headers.get(name.lower())

    def response_header(self, name: str) -> str | None:
        return self.response_headers.get(name.lower())

    @property
    def origin(self) -> str | None:
        return self.header("origin")

    @property
    def cookies(self) -> dict[str, str]:
        # Starlette's parser reads a Cookie header the way browsers write it; SimpleCookie would
        # refuse a whole header over one odd cookie.
        return cookie_parser(self.header("cookie") or "")

    @property
    def is_preflight(self) -> bool:
        return self.method == "OPTIONS" and self.header("access-control-request-method") is not None

    @property
    def probe(self) -> str | None:
        values = parse_qs(self.query).get("probe")
        return values[0] if values else None


def _join_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Header names lowercased; repeated headers joined with ", " as HTTP allows."""
    headers: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


@dataclass
class Recorder:
    """A thread-safe log of Exchanges, written by the server threads and read by the tests."""

    _exchanges: list[Exchange] = field(default_factory=list, repr=False)
    # The same exchanges by probe: a run looks up its own thousands of times among thousands.
    _by_probe: dict[str, list[Exchange]] = field(default_factory=dict, repr=False)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def add(self, exchange: Exchange) -> None:
        probe = exchange.probe
        with self._changed:
            self._exchanges.append(exchange)
            if probe is not None:
                self._by_probe.setdefault(probe, []).append(exchange)
            self._changed.notify_all()

    def all(self) -> list[Exchange]:
        with self._changed:
            return list(self._exchanges)

    def for_probe(self, probe: str) -> list[Exchange]:
        """Every exchange whose URL carried ?probe=<probe>, in arrival order."""
        with self._changed:
            return list(self._by_probe.get(probe, ()))

    def wait_for_probe(self, probe: str, timeout_s: float) -> bool:
        """Until an exchange of the probe is recorded (True), or timeout_s passed (False)."""
        with self._changed:
            return self._changed.wait_for(lambda: probe in self._by_probe, timeout_s)

    def middleware(self, site: str, app: ASGIApp) -> ASGIApp:
        """Wrap app so that every HTTP exchange is recorded under the site's name."""

        async def recording_app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return

            async def recording_send(message: Message) -> None:
                # Recorded when the response starts, so the record exists before the browser
                # can see the response: a test that awaited the fetch never races the server.
                if message["type"] == "http.response.start":
                    self.add(
                        Exchange(
                            site=site,
                            method=scope["method"],
                            path=scope["path"],
                            query=scope["query_string"].decode("latin-1"),
                            request_headers=_join_headers(scope["headers"]),
                            status=message["status"],
                            response_headers=_join_headers(message.get("headers", [])),
                        )
                    )
                await send(message)

            await app(scope, receive, recording_send)

        return recording_app
