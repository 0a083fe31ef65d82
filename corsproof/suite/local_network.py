"""Local Network Access: a public page's requests to servers on the person's own machine or network.

A browser decides by address space: a page on a public address that asks a loopback or private
address needs the person's permission before any request leaves. On loopback everything is
loopback, so, as web-platform-tests does (fetch/local-network-access), each browser is told at
launch which port stands for which space: evil's port is public, the router's is private ("local"),
the dev server stays loopback (corsproof/lna.py). How the permission is answered is the lane's state:
  no-decision  nobody answers the prompt: headless Chromium refuses at once by itself; Firefox
               would hold the request for network.lna.prompt.timeout (five minutes by default),
               shortened here (corsproof/lna.py PROMPT_TIMEOUT_MS), after which it refuses
  denied       the person said no: Chromium --deny-permission-prompts (headless, the same as
               no-decision: nothing tells them apart), Firefox's
               permissions.default.{loopback,local}-network = 2
  granted      context.grant_permissions(["local-network-access"]) in both
A page is secure at http://evil.localhost (a *.localhost name is potentially trustworthy) and
insecure at http://evil.test (led to loopback by corsproof/names.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from playwright.sync_api import Page

from corsproof import cors_check
from corsproof.browsers import BrowserSession, LaunchSetting
from corsproof.devtools import ChromiumNetworkLog
from corsproof.lna import LNA_CHECK, PERMISSION, AddressSpaces
from corsproof.model import Expectations, Observation
from corsproof.names import NameMap
from corsproof.pages import ClientPage, FetchResult
from corsproof.serving.recorder import Recorder
from servers.local_network import LocalTargets

State = Literal["no-decision", "denied", "granted"]
STATES: tuple[State, ...] = ("no-decision", "denied", "granted")
How = Literal["fetch", "fetch-post", "img", "iframe", "form-post", "navigate"]
INSECURE_HOST = "evil.test"
PNA_REQUEST_HEADER = "access-control-request-private-network"


@dataclass(frozen=True)
class LocalRequest:
    """evil's public page asks a local server (target: dev or router) for route, one way (how);
    credentials: a fetch's credentials "include" (else "omit"); insecure: from http://evil.test."""

    id: str
    target: str
    route: str
    how: How
    expect: Expectations  # by (browser, state)
    credentials: bool = False
    insecure: bool = False

    def run(
        self, page: Page, network: ChromiumNetworkLog | None, page_url: str, url: str, recorder: Recorder, probe: str
    ) -> Observation:
        """Open evil's page (page_url), request url (carrying ?probe=probe), and say what the page
        saw, what reached the server, Chromium's reason for a block (network: Chromium's DevTools
        log of the page, None elsewhere) and corsproof's own."""
        page.goto(page_url)
        result, text = _REQUESTS[self.how](ClientPage(page, network), url, self.credentials)
        exchanges = recorder.for_probe(probe)
        requests = [e for e in exchanges if not e.is_preflight]
        blocked = (result is not None and result.outcome == "blocked") or (self.how == "iframe" and not requests)
        navigation = self.how in ("form-post", "navigate")
        if not exchanges and not navigation:
            derived: str | None = LNA_CHECK  # made by the page, never sent
        elif self.how.startswith("fetch"):
            derived = cors_check.derive(exchanges, self.credentials)
        else:
            derived = None  # an image or a frame: no CORS check
        return Observation(
            page_origin=page_url.rstrip("/"),
            page=result,
            exchanges=tuple(exchanges),
            text=text,
            reason=network.wait_for_cors_error(url) if network is not None and blocked else None,
            reason_known=network is not None,
            derived_reason=derived,
            derived=not navigation,
        )


def _fetch(client: ClientPage, url: str, credentials: bool) -> tuple[FetchResult, None]:
    return client.fetch(url, {"credentials": "include" if credentials else "omit"}), None


def _fetch_post(client: ClientPage, url: str, credentials: bool) -> tuple[FetchResult, None]:
    init = {
        "method": "POST",
        "credentials": "include" if credentials else "omit",
        "headers": {"content-type": "application/json"},  # not CORS-safelisted: a preflight first
        "body": "{}",
    }
    return client.fetch(url, init), None


_IMG = """url => new Promise(done => { const img = new Image();
  img.onload = () => done('opaque'); img.onerror = () => done('blocked'); img.src = url; })"""


def _img(client: ClientPage, url: str, credentials: bool) -> tuple[FetchResult, None]:
    # The page sees the image load (it may show it, not read it) or its error event.
    outcome = client.page.evaluate(_IMG, url)
    return FetchResult(outcome, error=None if outcome == "opaque" else "the image's error event"), None


_IFRAME = "url => { const f = document.createElement('iframe'); f.src = url; document.body.append(f); }"


def _iframe(client: ClientPage, url: str, credentials: bool) -> tuple[None, None]:
    # No page event tells: Chromium fires load for its error page, Firefox fires nothing when it
    # blocks. The request's end, as the browser reports it to Playwright, is what is waited for.
    page = client.page
    with page.expect_request(lambda request: request.url == url) as started:
        page.evaluate(
            "url => { const f = document.createElement('iframe'); f.src = url; document.body.append(f); }", url
        )
    started.value.response()  # returns once the request has finished or failed
    return None, None


def _navigation(script: str) -> Any:
    def go(client: ClientPage, url: str, credentials: bool) -> tuple[None, str]:
        with client.page.expect_navigation(url=url):
            client.page.evaluate(script, url)
        return None, client.page.inner_text("body")

    return go


_FORM = """url => { const f = document.createElement('form'); f.method = 'post'; f.action = url;
  f.innerHTML = '<input type=hidden name=x value=1>'; document.body.append(f); f.submit(); }"""
_REQUESTS = {
    "fetch": _fetch,
    "fetch-post": _fetch_post,
    "img": _img,
    "iframe": _iframe,
    "form-post": _navigation(_FORM),
    "navigate": _navigation("url => { location.href = url; }"),
}


def launch_settings(
    evil_origin: str, targets: LocalTargets, deny: bool, host: str = "127.0.0.1"
) -> tuple[LaunchSetting, ...]:
    """A browser for these lanes: evil's port public, the router's private, every name led to the
    sites (http://evil.test, the insecure page, among them); deny: the permission refused outright."""
    spaces = AddressSpaces(urlsplit(evil_origin).port or 80, targets.ports["router"], deny, host)
    return (NameMap.every_name_to(host), spaces)


class LocalLane:
    """One browser's context for one permission state, which every case reuses, and one page,
    navigated to evil's for each case: the permission belongs to the context (a canary proves a
    grant stays in it), and every request carries its own probe, so no cache entry made for one
    case can answer another. In Firefox's no-decision lane each case has a page of its own: in
    Firefox ESR 153, once its prompt timed out in a page, the next local request of that page
    waited with no end (measured: the second no-decision case). A new page costs ~0.4 s in stock
    Firefox over WebDriver BiDi and ~0.16 s in Chromium (measured here), so the others keep theirs."""

    def __init__(self, session: BrowserSession, state: State) -> None:
        self.context = session.new_context()
        if state == "granted":
            self.context.grant_permissions([PERMISSION])
        self.chromium = session.info.name == "chromium"
        self.page_per_case = session.info.name == "firefox" and state == "no-decision"
        self.info = session.info
        self._page: tuple[Page, ChromiumNetworkLog | None] | None = None

    def _page_for_case(self) -> tuple[Page, ChromiumNetworkLog | None]:
        if self._page is None:
            page = self.context.new_page()
            self._page = (page, ChromiumNetworkLog.attach(page) if self.chromium else None)
        return self._page

    def observe(self, case: LocalRequest, evil_origin: str, targets: LocalTargets, probe: str) -> Observation:
        """case's request from evil's page, and what the page and the local server saw. Every
        exchange is checked for Private Network Access's preflight header, which no browser sends
        any more."""
        page_url = evil_origin + "/"
        if case.insecure:
            page_url = page_url.replace(urlsplit(page_url).hostname or "", INSECURE_HOST, 1)
        url = targets.url(case.target, f"{case.route}?probe={probe}")
        page, network = self._page_for_case()
        fresh_next = self.page_per_case
        try:
            seen = case.run(page, network, page_url, url, targets.recorder, probe)
        except BaseException:
            fresh_next = True  # whatever the failure left in the page stays with it
            raise
        finally:
            if fresh_next:
                self._page = None
                page.close()
        sent = [e for e in seen.exchanges if e.header(PNA_REQUEST_HEADER)]
        if sent:
            raise AssertionError(f"{case.id}: a Private Network Access preflight header was sent: {sent}")
        return seen

    def close(self) -> None:
        self.context.close()
