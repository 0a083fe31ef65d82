"""The kinds of scenario, as data, and how each runs in a lane's page.

- Fetch: a page on a client site (or an opaque-origin frame in it) calls fetch() on good;
- Theft: evil's exploit page, under a look-alike host name, steals from good by a click;
- Forgery: evil's page sends good a forged POST, by form or by fetch();
- CookieRequest: a page asks good in one of eight ways (fetch, XHR, img, iframe, link, form);
- CrossSiteSet: good's answers to thirdparty's fetches set cookies: which are kept, and for whom.

Each says where it starts from (a Start: logged in or not, which cookies) and what it expects per
browser and cookie profile. run() makes the real requests and returns one Observation: what the
page saw, what reached good (the recorder, by the scenario's own probe) and the reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from corsproof import cors_check
from corsproof.devtools import ChromiumNetworkLog
from corsproof.model import Expect, Expectations, Observation, pick
from corsproof.pages import FetchResult
from corsproof.requests import NAVIGATIONS, make_request
from corsproof.serving.recorder import Exchange
from corsproof.suite.lab import Hop, LabValue, Where, lab_url, open_frame
from corsproof.suite.lane import LOGGED_IN, LOGGED_OUT, Lane, Start
from servers.good import SameSite


class Scenario(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def start(self) -> Start: ...
    @property
    def expect(self) -> Expectations: ...
    @property
    def page(self) -> str: ...  # the page it starts on, so a group navigates once per page
    @property
    def leaves_page(self) -> bool: ...  # it ends elsewhere (it navigates): run after its page's others

    def run(self, lane: Lane, probe: str) -> Observation: ...


def expected(scenario: Scenario, browser: str, profile: str) -> Expect:
    return pick(scenario.expect, browser, profile, f"{type(scenario).__name__} {scenario.id}")


@dataclass(frozen=True)
class Api:
    """A path of good's data API under one of its CORS policies ("no-cors": the bare root)."""

    policy: str
    path: str
    https: bool = False  # on the https good (corsproof/suite/tls.py) rather than the http one

    def url(self, lane: Lane, probe: str) -> str:
        if not self.https:
            return lane.sites.good_url(self.policy, self.path, probe)
        if lane.https_good is None:
            raise RuntimeError("this scenario needs the https good, which this run did not start")
        return f"{lane.https_good}/{self.policy}{self.path}?probe={probe}"


@dataclass(frozen=True)
class Lab:
    """good's CORS lab resource, its answer shaped by params (servers/cors_lab.py)."""

    params: Mapping[str, LabValue] = field(default_factory=dict)

    def url(self, lane: Lane, probe: str) -> str:
        return lab_url(lane.sites, Hop("good", self.params), probe)


@dataclass(frozen=True)
class Fetch:
    id: str
    target: Api | Lab
    expect: Expectations
    client: str = "thirdparty"  # the site whose page fetches
    init: Mapping[str, Any] = field(default_factory=dict)
    where: Where = "page"  # the page itself, or an opaque-origin frame inside it
    # Further fetches by the same page after the first: (lab parameters to change, init).
    again: tuple[tuple[Mapping[str, LabValue], Mapping[str, Any]], ...] = ()
    start: Start = LOGGED_OUT
    source: str = ""  # what it mirrors: an article claim, a WPT file
    leaves_page = False  # its fetches answer to the page, which stays

    def urls(self, lane: Lane, probe: str) -> list[tuple[str, Mapping[str, Any]]]:
        fetches = [(self.target.url(lane, probe), self.init)]
        for changes, init in self.again:
            assert isinstance(self.target, Lab), f"{self.id}: only lab fetches can be repeated with changes"
            fetches.append((Lab({**self.target.params, **changes}).url(lane, probe), init))
        return fetches

    @property
    def batchable(self) -> bool:
        """Can run in one page.evaluate with its neighbours: one fetch from the page itself whose
        answer sets no cookie — a fetch without credentials stores none, and good's API sets none
        (the lab does, on every answer). The engine checks the jar after the batch all the same."""
        cookie_setting = isinstance(self.target, Lab) and self.init.get("credentials") == "include"
        redirects = isinstance(self.target, Lab) and "location" in self.target.params
        return self.where == "page" and not self.again and not cookie_setting and not redirects

    @property
    def page(self) -> str:
        return self.client

    def page_url(self, lane: Lane) -> str:
        return lane.sites.url(self.client)

    def observe_fetch(self, lane: Lane, probe: str, url: str, result: FetchResult) -> Observation:
        """The observation of a batched fetch, once the page has run it."""
        exchanges = lane.sites.recorder.for_probe(probe)
        credentials = self.init.get("credentials") == "include"
        return _seen(
            lane.sites.origins.of(self.client), result, exchanges, self.start, lane.network, url, exchanges, credentials
        )

    def run(self, lane: Lane, probe: str) -> Observation:
        sites = lane.sites
        client = lane.open(sites.url(self.client), fresh=self.where != "page")
        frame = open_frame(client.page, self.where, sites)
        network = client.network
        if network is not None and self.where == "sandboxed-iframe":
            # Chromium runs sandboxed iframes in their own process (IsolateSandboxedIframes): their
            # requests are reported to the frame's own DevTools target, not the page's.
            network = ChromiumNetworkLog.attach(client.page, frame)
        before_last = 0
        for url, init in self.urls(lane, probe):
            # Everything earlier fetches made was recorded before their responses reached the page.
            before_last = len(sites.recorder.for_probe(probe))
            result = client.fetch(url, dict(init), frame)
        exchanges = sites.recorder.for_probe(probe)
        credentials = init.get("credentials") == "include"
        return _seen(
            sites.origins.of(self.client),
            result,
            exchanges,
            self.start,
            network,
            url,
            exchanges[before_last:],
            credentials,
        )


# Click the exploit page's button and wait for the result it shows, in one round trip: the page's
# own handler runs the theft, as for a person's click (a Playwright click costs ~300 ms in Firefox).
_CLICK_STEAL = """() => new Promise((resolve) => {
  const result = document.getElementById("result");
  new MutationObserver(() => {
    if (result.dataset.outcome) resolve(JSON.parse(result.textContent));
  }).observe(result, { attributes: true });
  document.getElementById("steal").click();
})"""


@dataclass(frozen=True)
class Theft:
    """evil's exploit page for a policy (servers/exploits.py), under a host of the attacker's
    choosing: every *.localhost name reaches loopback and evil's server answers for any name."""

    id: str
    policy: str  # good's policy under attack (its URL prefix)
    attacker_host: str
    expect: Expectations
    source: str = ""  # "null": the theft runs in a sandboxed iframe
    start: Start = LOGGED_IN
    leaves_page = False  # the exploit page is its own: no other scenario starts there

    @property
    def page(self) -> str:
        return f"{self.attacker_host}/{self.source}"

    def run(self, lane: Lane, probe: str) -> Observation:
        sites = lane.sites
        origin = f"http://{self.attacker_host}:{urlsplit(sites.origins.evil).port}"
        query = f"?probe={probe}" + ("&source=null" if self.source else "")
        page = lane.open(f"{origin}/exploits/{self.policy}{query}").page
        result = FetchResult(**page.evaluate(_CLICK_STEAL))
        # A sandboxed iframe runs in its own process in Chromium and reports to its own DevTools
        # target, created by the click: its reasons are asserted by the CORS protocol's cases.
        network = lane.network if not self.source else None
        target = f"{sites.origins.good}/{self.policy}/private?probe={probe}"
        at_good = [e for e in sites.recorder.for_probe(probe) if e.site == "good"]
        return _seen("null" if self.source else origin, result, at_good, self.start, network, target, at_good, True)


Vector = Literal["form", "fetch-text-plain", "fetch-form-urlencoded", "fetch-no-cors"]
FORGED_BODY = "to=evil&amount=5"
FORGED_FETCHES: dict[str, dict[str, Any]] = {
    "fetch-text-plain": {"headers": {"Content-Type": "text/plain"}},
    "fetch-form-urlencoded": {"headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    "fetch-no-cors": {"mode": "no-cors", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
}


_SUBMIT_CSRF = """(action) => {
  document.getElementById("csrf").action = action;
  document.getElementById("csrf-submit").click();
}"""


@dataclass(frozen=True)
class Forgery:
    """evil's page sends a simple cross-site POST to good's /transfer: evil's own form (a
    top-level navigation) or fetch() with credentials; or good's same-site sibling sends the
    fetch() (a sibling is another origin, which a CSRF defence must refuse too). The oracle is
    good's ledger."""

    id: str
    vector: Vector
    expect: Expectations
    policy: str = "no-cors"  # good's policy, or a CSRF defence (servers/csrf.py)
    samesite: SameSite = "none"  # of the victim's session cookie
    page: str = "evil"  # the forging site: evil, or sibling (fetch only: evil alone has the form)

    @property
    def start(self) -> Start:
        return Start(login=self.samesite)

    @property
    def leaves_page(self) -> bool:
        return self.vector == "form"

    def run(self, lane: Lane, probe: str) -> Observation:
        sites = lane.sites
        evil = lane.open(sites.url(self.page))
        url = sites.good_url(self.policy, "/transfer", probe)
        result, text = None, None
        if self.vector == "form":
            # evil's own form, aimed at this scenario's probe and submitted by its button.
            with evil.page.expect_navigation():
                evil.page.evaluate(_SUBMIT_CSRF, url)
            text = evil.page.inner_text("body")
        else:
            init = {"method": "POST", "credentials": "include", "body": FORGED_BODY, **FORGED_FETCHES[self.vector]}
            result = evil.fetch(url, init)
        return Observation(
            page_origin=getattr(sites.origins, self.page),
            page=result,
            exchanges=tuple(sites.recorder.for_probe(probe)),
            watched=self.start.cookies,
            transfers=tuple((t.to, t.amount) for t in sites.good.transfers_for(probe)),
            text=text,
        )


# The page each requester asks from: good's own blank page, the sibling's and thirdparty's.
REQUESTER_PAGES = {"good": "/cookie-lab/blank", "sibling": "/", "thirdparty": "/"}


@dataclass(frozen=True)
class CookieRequest:
    """A page on good, its same-site sibling or thirdparty asks good's /cookie-lab/echo one way."""

    id: str
    who: str
    how: str  # one of corsproof.requests.HOWS
    expect: Expectations
    start: Start = Start(matrix_cookies=True)

    @property
    def page(self) -> str:
        return self.who

    @property
    def leaves_page(self) -> bool:
        return self.how in NAVIGATIONS

    def run(self, lane: Lane, probe: str) -> Observation:
        sites = lane.sites
        page = lane.open(sites.url(self.who, REQUESTER_PAGES[self.who])).page
        url = sites.url("good", f"/cookie-lab/echo?probe={probe}")
        make_request(page, self.how, url)
        reasons = None
        if lane.network is not None:
            reasons = {
                name: why for name, why in lane.network.wait_for_cookie_report(url) if name in self.start.cookies
            }
        return Observation(
            page_origin=sites.origins.of(self.who),
            exchanges=tuple(sites.recorder.for_probe(probe)),
            watched=self.start.cookies,
            cookie_reasons=reasons,
        )


@dataclass(frozen=True)
class CrossSiteSet:
    """thirdparty's credentialed fetches get Set-Cookie from good (the CORS check passes): which
    cookies the browser keeps, which thirdparty's next credentialed fetch carries to good, and which
    good's own page then gets, top-level. Its cookies leave the jar changed: the engine remakes the
    group's start after it, as after any scenario whose answer set a cookie."""

    id: str
    cookies: Mapping[str, str]  # name -> the cookie lab's attributes for it (servers/cookie_lab.py)
    expect: Expectations
    start: Start = LOGGED_OUT
    page = "thirdparty"
    leaves_page = True  # it ends on good's own page

    def run(self, lane: Lane, probe: str) -> Observation:
        sites = lane.sites
        thirdparty = lane.open(sites.url("thirdparty"))
        refused: dict[str, tuple[str, ...]] = {}
        for name, attributes in self.cookies.items():
            url = sites.url("good", f"/cookie-lab/set?name={name}&{attributes}&probe={probe}-set")
            thirdparty.fetch(url, {"credentials": "include"})
            if lane.network is not None:
                refused.update({line.split("=", 1)[0]: why for line, why in lane.network.set_cookie_refusals(url)})
        stored = frozenset(cookie["name"] for cookie in lane.context.cookies()) & frozenset(self.cookies)
        echo = sites.url("good", f"/cookie-lab/echo?probe={probe}")
        thirdparty.fetch(echo, {"credentials": "include"})
        thirdparty.page.goto(echo)  # good's own page, top-level: good's first-party cookies only
        return Observation(
            page_origin=sites.origins.thirdparty,
            exchanges=tuple(sites.recorder.for_probe(probe)),
            watched=frozenset(self.cookies),
            stored=stored,
            set_refusals=refused if lane.network is not None else None,
        )


def _seen(
    page_origin: str,
    result: FetchResult,
    exchanges: list[Exchange],
    start: Start,
    network: ChromiumNetworkLog | None,
    url: str,
    last_fetch: list[Exchange],
    credentials: bool,
) -> Observation:
    """The observation of a fetch: Chromium's reason for a block, and the reason corsproof derives
    from good's record of the last fetch (not for an opaque answer, which has no CORS check)."""
    reason = network.wait_for_cors_error(url) if network is not None and result.outcome == "blocked" else None
    derived = result.outcome != "opaque"
    return Observation(
        page_origin=page_origin,
        page=result,
        exchanges=tuple(exchanges),
        watched=start.cookies,
        reason=reason,
        reason_known=network is not None,
        derived_reason=cors_check.derive(last_fetch, credentials) if derived else None,
        derived=derived,
    )
