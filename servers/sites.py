"""Start the four origins (good, its same-site sibling, thirdparty, evil) and stop them again."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp

from corsproof.serving.field_values import RejectControlCharacters
from corsproof.serving.recorder import Recorder
from corsproof.serving.runner import ServerThread, bind_socket, serving
from corsproof.serving.tls import certificate_files
from servers.clients import create_client_app
from servers.good import GoodState, create_good_app
from servers.origins import GOOD_HOST, SIBLING_HOST, Origins

SITE_NAMES = ("good", "sibling", "thirdparty", "evil")


@dataclass(frozen=True, repr=False)
class Sites:
    """The running sites: their origins, what reached them, and good's state."""

    # Short, for test reports (hypothesis's printer too): the record holds thousands of exchanges.
    def __repr__(self) -> str:
        return f"Sites({self.origins!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    origins: Origins
    recorder: Recorder
    good: GoodState
    host: str = "127.0.0.1"  # the address the sites listen on: what their names must lead to

    def url(self, site: str, path: str = "/") -> str:
        return self.origins.of(site) + path

    def good_url(self, policy: str, path: str, probe: str | None = None) -> str:
        """A URL of good's data API under a CORS policy ("no-cors" is the bare root)."""
        prefix = "" if policy == "no-cors" else f"/{policy}"
        query = f"?probe={probe}" if probe else ""
        return f"{self.origins.good}{prefix}{path}{query}"


@contextlib.contextmanager
def running_sites(
    ports: dict[str, int] | None = None,
    client_extras: Callable[[Recorder], ASGIApp] | None = None,
    host: str = "127.0.0.1",
    good_scheme: str = "http",
) -> Iterator[Sites]:
    """Serve every site on loopback until the block ends. ports: fixed ports, else the OS picks.
    client_extras: an app mounted at /corsproof on each client site (thirdparty, evil, app.good).
    host: another address to listen on, for browsers on another machine (their *.localhost names
    must then be led there: corsproof/names.py). good_scheme: https serves good and app.good over
    TLS, with a certificate from a throwaway CA that the browsers are told to accept."""
    ports = ports or {}
    sockets = {name: bind_socket(host, ports.get(name, 0)) for name in SITE_NAMES}
    origins = Origins.from_ports(
        **{name: sock.getsockname()[1] for name, sock in sockets.items()}, good_scheme=good_scheme
    )
    recorder = Recorder()
    good = GoodState()
    apps = {
        "good": create_good_app(origins, good),
        "sibling": create_client_app("sibling", origins),
        "thirdparty": create_client_app("thirdparty", origins),
        "evil": create_client_app("evil", origins),
    }
    if client_extras is not None:
        for name in ("sibling", "thirdparty", "evil"):
            apps[name].mount("/corsproof", client_extras(recorder))
    with contextlib.ExitStack() as stack:
        tls = stack.enter_context(certificate_files(GOOD_HOST, SIBLING_HOST)) if good_scheme == "https" else {}
        servers = [
            ServerThread(
                name,
                recorder.middleware(name, RejectControlCharacters(apps[name])),
                sockets[name],
                **(tls if name in ("good", "sibling") else {}),
            )
            for name in SITE_NAMES
        ]
        stack.enter_context(serving(servers))
        yield Sites(origins=origins, recorder=recorder, good=good, host=host)
