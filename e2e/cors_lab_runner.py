"""Run CORS-lab cases: build the lab URL, fetch from a page or a frame, gather what was seen.

A case is data (e2e/wpt_scenarios.py); this module turns it into real requests made by a page on
thirdparty against good's /cors-lab/resource, and collects the page's view, good's record,
Chromium's reason and the reason derived from the record (corsproof/cors_check.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Union
from urllib.parse import urlencode, urlsplit

from playwright.sync_api import Frame

from corsproof import cors_check
from corsproof.devtools import ChromiumNetworkLog
from corsproof.pages import ClientPage, Outcome
from corsproof.scenarios import Observation
from servers.sites import Sites

LAB_PATH = "/cors-lab/resource"
# A second name for good's server: same server, another origin (and another site than thirdparty).
OTHER_HOST = "other.localhost"

Where = Literal["page", "sandboxed-iframe", "data-iframe"]


@dataclass(frozen=True)
class Hop:
    """A lab URL on one of the origins, for a redirect's Location: good, other, page (the client)."""

    origin: str
    params: Mapping[str, Any] = field(default_factory=dict)
    userinfo: str = ""


LabValue = Union[str, tuple[str, ...], Hop]


@dataclass(frozen=True)
class LabExpect:
    outcome: Outcome
    why: str
    error: str | None = None  # Chromium's Network.CorsError, and what cors_check derives
    preflights: int = 0  # OPTIONS preflights at good (all fetches of the case)
    requests: int = 1  # other requests at good or the client site, redirect hops included
    origins: tuple[str, ...] | None = None  # Origin of each such request: "page", "null" or "none"
    readable: Mapping[str, str | None] = field(default_factory=dict)  # header -> value seen (None: hidden)
    # When the browser deviates from the spec, what the spec (cors_check) says instead.
    spec_error: str | None = None
    deviates: bool = False


@dataclass(frozen=True)
class WptCase:
    id: str
    wpt: str  # the WPT file it mirrors, under fetch/api/cors/ unless a path is given
    lab: Mapping[str, LabValue]
    expect: LabExpect | Mapping[str, LabExpect]  # one for both browsers, or per browser
    init: Mapping[str, Any] = field(default_factory=dict)
    where: Where = "page"
    # Further fetches by the same page, after the first: (lab parameters to change, init).
    again: tuple[tuple[Mapping[str, LabValue], Mapping[str, Any]], ...] = ()

    def expected(self, browser: str) -> LabExpect:
        if isinstance(self.expect, LabExpect):
            return self.expect
        return self.expect[browser]


def origin_of(sites: Sites, name: str) -> str:
    if name == "other":
        good = urlsplit(sites.origins.good)
        return f"http://{OTHER_HOST}:{good.port}"
    if name == "page":
        return sites.origins.thirdparty
    return sites.origins.of(name)


def _fill(value: str, sites: Sites) -> str:
    """Placeholders the runner fills in; a bare "{origin}" is left for the lab to reflect."""
    if value == "{origin}":
        return value
    page = sites.origins.thirdparty
    scheme, rest = page.split("://", 1)
    host, port = rest.rsplit(":", 1)[0], int(rest.rsplit(":", 1)[1])
    return value.format(
        origin=page,
        page=page,
        good=sites.origins.good,
        ORIGIN=f"{scheme}://{rest.upper()}",
        https=f"https://{rest}",
        other_port=f"{scheme}://{host}:{port + 1 if port < 65535 else port - 1}",
    )


def lab_url(sites: Sites, hop: Hop, probe: str) -> str:
    query: list[tuple[str, str]] = [("probe", probe)]
    for name, value in hop.params.items():
        if isinstance(value, Hop):
            query.append((name, lab_url(sites, value, probe)))
        elif isinstance(value, tuple):
            query += [(name, _fill(item, sites)) for item in value]
        else:
            query.append((name, _fill(value, sites)))
    origin = origin_of(sites, hop.origin)
    if hop.userinfo:
        scheme, rest = origin.split("://", 1)
        origin = f"{scheme}://{hop.userinfo}@{rest}"
    return f"{origin}{LAB_PATH}?{urlencode(query)}"


_FRAME_DOCUMENT = "<!doctype html><script src='{client_js}'></script>"


def open_frame(page: ClientPage, where: Where, sites: Sites) -> Frame | None:
    """A frame with an opaque origin inside the thirdparty page, running the same client code."""
    if where == "page":
        return None
    document = _FRAME_DOCUMENT.format(client_js=sites.url("thirdparty", "/static/client.js"))
    if where == "sandboxed-iframe":
        setup = "html => { const f = document.createElement('iframe'); f.sandbox = 'allow-scripts'; f.srcdoc = html; document.body.append(f); }"
    else:
        setup = "html => { const f = document.createElement('iframe'); f.src = 'data:text/html,' + encodeURIComponent(html); document.body.append(f); }"
    page.page.evaluate(setup, document)
    frame = page.page.frames[-1]
    frame.wait_for_function("() => window.corsproof !== undefined")
    return frame


@dataclass(frozen=True)
class LabObservation(Observation):
    derived_error: str | None = None  # what corsproof's CORS check derives from good's record


def run_case(case: WptCase, page: ClientPage, sites: Sites, probe: str, chromium: bool) -> LabObservation:
    frame = open_frame(page, case.where, sites)
    network = page.network
    if chromium and frame is not None and case.where == "sandboxed-iframe":
        # Chromium runs sandboxed iframes in their own process (IsolateSandboxedIframes): their
        # requests are reported to the frame's own DevTools target, not the page's.
        network = ChromiumNetworkLog.attach(page.page, frame)
    fetches = [(case.lab, case.init)] + [({**case.lab, **changes}, init) for changes, init in case.again]
    before_last = 0
    for lab, init in fetches:
        # Everything earlier fetches made was recorded before their responses reached the page.
        before_last = len(sites.recorder.for_probe(probe))
        url = lab_url(sites, Hop("good", lab), probe)
        result = page.fetch(url, dict(init), frame)
    exchanges = sites.recorder.for_probe(probe)
    error = network.wait_for_cors_error(url) if network and result.outcome == "blocked" else None
    credentials = fetches[-1][1].get("credentials") == "include"
    derived = None if result.outcome == "opaque" else cors_check.derive(exchanges[before_last:], credentials)
    return LabObservation(result, exchanges, error, derived)
