"""The audit's servers: every origin of an audit, served from two loopback ports.

One plain and one TLS server (a certificate from a throwaway trustme CA; the browsers are told
to accept it) answer for every name the browsers are led to (corsproof/names.py). A request for
the app's own origin goes to the app, through the recorder; any other host gets the attacker's
page. One reserved path on the app's origin, /.corsproof-audit/, is the audit's own page there
(corsproof/audit/page.py): a first-party page from which the victim logs in and the set-up is
proven, as the app's own front-end would. An app already running on this machine is reached
through a reverse proxy (corsproof/audit/target.py), so that the recorder sees it too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from corsproof.audit.attackers import Origin
from corsproof.audit.page import OWN_PAGE, attacker_app, own_page_app
from corsproof.names import NameMap
from corsproof.serving.field_values import RejectControlCharacters
from corsproof.serving.name_proxy import NameProxy
from corsproof.serving.recorder import Recorder
from corsproof.serving.runner import ServerThread, bind_loopback_socket, serving
from corsproof.serving.tls import certificate_files

TARGET = "target"  # the recorder's name for the audited app


class HostRouter:
    """The app for requests whose Host is the app's origin; the attacker's page for any other."""

    def __init__(self, app_origin: Origin, app: ASGIApp, attacker: ASGIApp, own_page: ASGIApp) -> None:
        self.authority = app_origin.host + (f":{app_origin.port}" if app_origin.port is not None else "")
        self.scheme = app_origin.scheme
        self.app = app
        self.attacker = attacker
        self.own_page = own_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
        is_app = scope["type"] == "http" and scope["scheme"] == self.scheme and host == self.authority
        if not is_app:
            await self.attacker(scope, receive, send)
        elif scope["path"].startswith(OWN_PAGE):
            await self.own_page(scope, receive, send)
        else:
            await self.app(scope, receive, send)


@dataclass(frozen=True)
class Front:
    names: NameMap
    recorder: Recorder
    app_origin: Origin
    # The loopback port of the public website's own server (a local app's audit), which the
    # browsers are told is a public address; None when the app is not local.
    public_port: int | None = None
    # The loopback forward proxy through which a browser reaches every name (corsproof/serving/
    # name_proxy.py): WebKit, which has no switch of its own for where a name lives, and the
    # contexts of browsers kept from one audit to the next (corsproof/audit/browser_pool.py).
    proxy_port: int = 0

    def ask(self, path: str, cookies: Mapping[str, str]) -> tuple[int, bytes]:
        """GET path of the app as the front serves it, with exactly these cookies, from outside the
        browser: what the app answers to a cookie set, asked without touching the browser's jar
        (putting a cookie back changes it: Firefox reports a cookie without SameSite as Lax)."""
        scheme = self.app_origin.scheme
        local = self.names.ports[self.app_origin.effective_port]
        authority = self.app_origin.host + (f":{self.app_origin.port}" if self.app_origin.port is not None else "")
        header = "; ".join(f"{name}={value}" for name, value in cookies.items())
        # Loopback, and the front's own throwaway certificate: nothing to verify.
        with httpx.Client(verify=False, timeout=30) as client:
            answer = client.get(f"{scheme}://127.0.0.1:{local}{path}", headers={"Host": authority, "Cookie": header})
        return answer.status_code, answer.content


@contextlib.contextmanager
def serve(
    app_origin: Origin,
    app: ASGIApp,
    names: list[str],
    ports: dict[str, list[int]],
    set_cookie: str | None = None,
    public: Origin | None = None,
) -> Iterator[Front]:
    """Serve the app at app_origin and the attacker's page under every other name until the block
    ends. ports: the ports pages use, by scheme ({"https": [443, 8443], "http": [80]}); set_cookie:
    a Set-Cookie line the own page's login answer carries (--cookie); public: an https origin whose
    page gets a server (a loopback port) of its own, to stand for a public address. Every name is
    served through a forward proxy too."""
    recorder = Recorder()
    router = RejectControlCharacters(
        HostRouter(app_origin, recorder.middleware(TARGET, app), attacker_app, own_page_app(set_cookie))
    )
    # trustme refuses names that are not valid DNS names (a "_" in a label); the browsers are
    # told to accept any certificate, so those names do without one.
    names = names + ([public.host] if public is not None else [])
    certificate_names = [name for name in names if "_" not in name] or ["corsproof.test"]
    with certificate_files(*certificate_names) as certificate:
        plain = ServerThread("audit-http", router, bind_loopback_socket())
        tls = ServerThread("audit-https", router, bind_loopback_socket(), **certificate)
        alone = [ServerThread("audit-public", router, bind_loopback_socket(), **certificate)] if public else []
        local = {"http": plain.port, "https": tls.port}
        mapped = {port: local[scheme] for scheme, used in ports.items() for port in used}
        if public is not None:
            mapped[public.effective_port] = alone[0].port
        forward = NameProxy(mapped, bind_loopback_socket())
        with serving([plain, tls, *alone, forward]):
            public_port = alone[0].port if alone else None
            yield Front(NameMap(tuple(names), mapped), recorder, app_origin, public_port, forward.port)
