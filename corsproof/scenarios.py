"""Fetch scenarios as data, expectations as data, and the one function that checks them.

A scenario says who asks (the client site), what (policy, path, fetch init) and whether the
victim is logged in on good. An expectation says what the page saw, what reached good and, in
Chromium, why the browser blocked it. Expectations may differ per browser and cookie profile:
that difference is a finding, so each carries a one-line why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, TypeVar

from corsproof.pages import ClientPage, FetchResult, Outcome
from servers.good import SESSION_COOKIE
from servers.recorder import Exchange
from servers.sites import Sites

ANY = "*"  # matches every browser or every cookie profile in an expectation's key
T = TypeVar("T")


@dataclass(frozen=True)
class Expect:
    page: Outcome  # read, opaque or blocked
    why: str
    body: str | None = None  # text the page must have read
    cookie_sent: bool = False  # good received the session cookie with the request
    preflight: bool = False  # good received an OPTIONS preflight first
    reached: bool = True  # the request itself (not only its preflight) reached good
    chromium_error: str | None = None  # DevTools Network.CorsError, when Chromium blocks


@dataclass(frozen=True)
class Scenario:
    id: str
    claim: str
    client: str  # thirdparty, evil or sibling
    policy: str
    path: str
    expect: dict[tuple[str, str], Expect]  # (browser or ANY, cookie profile or ANY) -> Expect
    init: dict[str, Any] = field(default_factory=dict)
    logged_in: bool = True

    def expected(self, browser: str, profile: str) -> Expect:
        return pick(self.expect, browser, profile, f"scenario {self.id}")


def pick(expect: Mapping[tuple[str, str], T], browser: str, profile: str, what: str) -> T:
    """The most specific expectation for a browser and cookie profile."""
    for key in ((browser, profile), (browser, ANY), (ANY, profile), (ANY, ANY)):
        if key in expect:
            return expect[key]
    raise LookupError(f"{what} has no expectation for {browser} / {profile}")


def everywhere(expect: Expect) -> dict[tuple[str, str], Expect]:
    return {(ANY, ANY): expect}


def by_profile(withheld: Expect, allowed: Expect) -> dict[tuple[str, str], Expect]:
    """One expectation where third-party cookies are withheld (the browser's default and the
    "block third-party cookies" setting), another where they are allowed."""
    return {(ANY, "default"): withheld, (ANY, "third-party-blocked"): withheld, (ANY, "third-party-allowed"): allowed}


@dataclass(frozen=True)
class Observation:
    """Everything a scenario run saw: the page's view, good's record, Chromium's reason."""

    page: FetchResult
    exchanges: list[Exchange]
    chromium_error: str | None

    @property
    def preflights(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.is_preflight]

    @property
    def requests(self) -> list[Exchange]:
        return [e for e in self.exchanges if not e.is_preflight]


def run(scenario: Scenario, page: ClientPage, sites: Sites, probe: str, chromium: bool) -> Observation:
    url = sites.good_url(scenario.policy, scenario.path, probe)
    result = page.fetch(url, scenario.init)
    error = page.cors_error(url) if chromium and result.outcome == "blocked" else None
    return Observation(result, sites.recorder.for_probe(probe), error)


def check(label: str, expect: Expect, seen: Observation, client_origin: str, chromium: bool) -> None:
    """Assert the page's view, good's record and (in Chromium) the reason, with clear messages.

    chromium: assert Chromium's reason too (False where it cannot be had, and in Firefox).
    """
    context = f"{label}: expected because {expect.why}"
    assert seen.page.outcome == expect.page, f"{context}; page saw {seen.page}"
    if expect.body is not None:
        assert expect.body in (seen.page.body or ""), f"{context}; page read {seen.page.body!r}"
    assert bool(seen.preflights) == expect.preflight, f"{context}; preflights at good: {seen.preflights}"
    assert bool(seen.requests) == expect.reached, f"{context}; requests at good: {seen.requests}"
    for exchange in seen.exchanges:
        assert exchange.origin == client_origin, f"{context}; Origin at good: {exchange.origin}"
    for request in seen.requests:
        sent = SESSION_COOKIE in request.cookies
        assert sent == expect.cookie_sent, f"{context}; session cookie at good: {sent}"
    if chromium:
        assert seen.chromium_error == expect.chromium_error, (
            f"{context}; Chromium reported {seen.chromium_error!r}"
        )
