"""The one model of a scenario's result: what was expected and why, what was seen, one check.

An Observation is everything one scenario run saw — the page's view, what reached good, the
reasons — as plain data that can be written to JSON whole. An Expect states what a scenario
must show in one browser and cookie profile, and why; fields left at None are not asserted.
Expectations are keyed by (browser, cookie profile), either of which may be ANY: where the
browsers disagree, the key says so, and that disagreement is a finding.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from corsproof.pages import FetchResult, Outcome
from corsproof.serving.recorder import Exchange

ANY = "*"  # matches every browser or every cookie profile in an expectation's key
T = TypeVar("T")


@dataclass(frozen=True)
class Expect:
    why: str
    page: Outcome | None = None  # read, opaque or blocked; None where the page reads nothing
    body: str | None = None  # text the page must have read
    preflights: int | None = 0  # OPTIONS preflights at the target
    requests: int | None = 1  # other requests at the target, redirect hops included
    # Origin of each request (not preflight) at the target: "page" (the requesting page's own
    # origin), "null", "none" (no Origin header) or a literal origin. None: not asserted.
    origins: tuple[str, ...] | None = None
    # Which of the cookies the scenario started with reached the target with its requests.
    cookies: frozenset[str] | None = frozenset()
    readable: Mapping[str, str | None] = field(default_factory=dict)  # header -> value the page read
    reason: str | None = None  # Chromium's DevTools Network.CorsError for a block
    # Where a browser deviates from the Fetch standard: what corsproof's own CORS check derives.
    spec_reason: str | None = None
    cookie_reasons: Mapping[str, tuple[str, ...]] | None = None  # Chromium's reasons per withheld cookie
    status: int | None = None  # the status the target answered the request with
    transfers: int | None = None  # money transfers the target carried out
    text: str | None = None  # text the page shows afterwards (after a form's navigation)
    # Cookies set by the scenario itself (a cross-site Set-Cookie): which the browser stored, which
    # of them each request at the target carried, in order, and Chromium's refusals by cookie.
    stored: frozenset[str] | None = None
    cookies_each: tuple[frozenset[str], ...] | None = None
    set_refusals: Mapping[str, tuple[str, ...]] | None = None

    @property
    def derived_reason(self) -> str | None:
        return self.spec_reason if self.spec_reason is not None else self.reason


Expectations = Mapping[tuple[str, str], Expect]


def pick(expect: Mapping[tuple[str, str], T], browser: str, profile: str, what: str) -> T:
    """The most specific expectation for a browser and cookie profile."""
    for key in ((browser, profile), (browser, ANY), (ANY, profile), (ANY, ANY)):
        if key in expect:
            return expect[key]
    raise LookupError(f"{what} has no expectation for {browser} / {profile}")


def everywhere(expect: Expect) -> dict[tuple[str, str], Expect]:
    return {(ANY, ANY): expect}


def per_browser(chromium: Expect, firefox: Expect, webkit: Expect | None = None) -> dict[tuple[str, str], Expect]:
    return {("chromium", ANY): chromium, ("firefox", ANY): firefox} | (
        {("webkit", ANY): webkit} if webkit is not None else {}
    )


# Measured with WebKitGTK 2.50.6 (MiniBrowser): its default cookie policy, no-third-party, refuses a
# cookie that a third party sets, but sends a cookie set first-party to every site that asks.
WEBKIT_DEFAULT_SENDS = (
    "WebKit's default (MiniBrowser's no-third-party policy) refuses only cookies a third party sets: "
    "good's cookie, set on good, travels cross-site as if third-party cookies were allowed"
)


def by_profile(withheld: Expect, allowed: Expect) -> dict[tuple[str, str], Expect]:
    """One expectation where third-party cookies are withheld (the browser's default and the
    "block third-party cookies" setting), another where they are allowed; WebKit's default
    behaves as allowed for cookies set first-party (WEBKIT_DEFAULT_SENDS)."""
    webkit_default = dataclasses.replace(allowed, why=f"{allowed.why}; {WEBKIT_DEFAULT_SENDS}")
    return {
        (ANY, "default"): withheld,
        (ANY, "third-party-blocked"): withheld,
        (ANY, "third-party-allowed"): allowed,
        ("webkit", "default"): webkit_default,
    }


@dataclass(frozen=True)
class Observation:
    """Everything one scenario run saw, as plain data."""

    page_origin: str  # the origin of the page (or frame) that made the requests: "page" in origins
    page: FetchResult | None = None  # what the page's JavaScript could see
    exchanges: tuple[Exchange, ...] = ()  # what reached the target, in order, preflights included
    watched: frozenset[str] = frozenset()  # the cookies the scenario started with
    reason: str | None = None  # Chromium's DevTools reason (None in Firefox, or nothing blocked)
    reason_known: bool = False  # the browser could tell a reason here (Chromium, same process)
    derived_reason: str | None = None  # corsproof's CORS check over good's record, both browsers
    derived: bool = False  # a derived reason was computed (not for opaque answers)
    cookie_reasons: Mapping[str, tuple[str, ...]] | None = None  # Chromium: withheld cookies' reasons
    transfers: tuple[tuple[str, int], ...] = ()  # (to, amount) of each transfer the target carried out
    text: str | None = None
    error: str | None = None  # the run itself failed: what went wrong
    stored: frozenset[str] | None = None  # the scenario's own cookies the browser kept (see Expect)
    set_refusals: Mapping[str, tuple[str, ...]] | None = None  # Chromium: Set-Cookie refused, and why
    # The cookies this scenario left in the shared jar (set by a response it got), which the
    # engine then cleared and remade the group's start: no later scenario could see them.
    jar_changed: str | None = None
    cost_ms: float = 0.0  # wall time of the run, the browser's work and corsproof's together

    @property
    def preflights(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.is_preflight]

    @property
    def requests(self) -> list[Exchange]:
        return [e for e in self.exchanges if not e.is_preflight]

    def cookies_sent(self) -> frozenset[str]:
        return frozenset(name for e in self.requests for name in e.cookies if name in self.watched)

    def origin_labels(self) -> tuple[str, ...]:
        return tuple(_label(e.origin, self.page_origin) for e in self.requests)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data: sets become sorted lists, tuples lists."""
        plain: dict[str, Any] = _plain(dataclasses.asdict(self))
        return plain


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _label(origin: str | None, page_origin: str) -> str:
    if origin is None:
        return "none"
    return "page" if origin == page_origin else origin


class ScenarioFailed(AssertionError):
    """A scenario did not behave as expected: what was expected, why, and what was seen."""


def check(label: str, expect: Expect, seen: Observation) -> None:
    """Assert every stated part of the expectation; name what was expected, why, and what was seen."""
    context = f"{label}: expected because {expect.why}"
    if seen.error is not None:
        raise ScenarioFailed(f"{label}: the scenario could not run: {seen.error}")
    foreign = {name for e in seen.requests for name in e.cookies} - seen.watched
    if foreign:
        raise ScenarioFailed(f"{label}: good received cookies this scenario never set: {sorted(foreign)}")
    wrong: list[str] = []

    def differs(what: str, expected: object, actual: object) -> None:
        if expected != actual:
            wrong.append(f"{what}: expected {expected!r}, saw {actual!r}")

    if expect.page is not None:
        differs("page saw", expect.page, seen.page.outcome if seen.page else None)
    if expect.body is not None and expect.body not in ((seen.page and seen.page.body) or ""):
        wrong.append(f"page read: expected {expect.body!r} in it, saw {seen.page and seen.page.body!r}")
    if expect.preflights is not None:
        differs("preflights at the target", expect.preflights, len(seen.preflights))
    if expect.requests is not None:
        differs("requests at the target", expect.requests, len(seen.requests))
    if expect.origins is not None:
        differs("Origin of each request", expect.origins, seen.origin_labels())
    if expect.cookies is not None:
        differs("cookies at the target", sorted(expect.cookies), sorted(seen.cookies_sent()))
        carried = {frozenset(set(e.cookies) & seen.watched) for e in seen.requests}
        if len(carried) > 1:
            wrong.append(f"requests at the target disagree on cookies: {[sorted(c) for c in carried]}")
    for name, value in expect.readable.items():
        differs(f"readable header {name}", value, ((seen.page and seen.page.headers) or {}).get(name))
    if seen.reason_known:
        differs("Chromium's reason", expect.reason, seen.reason)
    if seen.derived:
        differs(
            "derived reason (corsproof's CORS check over good's record)", expect.derived_reason, seen.derived_reason
        )
    if expect.cookie_reasons is not None and seen.cookie_reasons is not None:
        differs("Chromium's reasons for withheld cookies", dict(expect.cookie_reasons), dict(seen.cookie_reasons))
    if expect.stored is not None:
        differs("cookies the browser stored", sorted(expect.stored), sorted(seen.stored or ()))
    if expect.cookies_each is not None:
        differs(
            "cookies at the target, request by request",
            [sorted(c) for c in expect.cookies_each],
            [sorted(set(e.cookies) & seen.watched) for e in seen.requests],
        )
    if expect.set_refusals is not None and seen.set_refusals is not None:
        differs("Chromium's refusals of Set-Cookie", dict(expect.set_refusals), dict(seen.set_refusals))
    if expect.status is not None:
        differs("status at the target", [expect.status] * len(seen.requests), [e.status for e in seen.requests])
    if expect.transfers is not None:
        differs("transfers carried out", expect.transfers, len(seen.transfers))
    if expect.text is not None and expect.text not in (seen.text or ""):
        wrong.append(f"page text: expected {expect.text!r} in it, saw {(seen.text or '')[:200]!r}")
    if wrong:
        raise ScenarioFailed(f"{context}; " + "; ".join(wrong) + f"\nevidence: {_evidence(seen)}")


def _evidence(seen: Observation) -> str:
    hops = [f"{e.method} {e.path}?{e.query} Origin={e.origin} -> {e.status}" for e in seen.exchanges]
    return f"page {seen.page}; at the target: {hops}"


def outcome(page: Outcome, why: str, **fields: Any) -> Expect:
    """An Expect that starts from what the page saw: outcome("blocked", "because ...", reason=...)."""
    return Expect(why, page, **fields)


SESSION = frozenset({"session"})  # good's session cookie (servers/good.py SESSION_COOKIE)
