"""The attack catalogue: each CORS misconfiguration attacked from evil's exploit page.

Each test logs the victim in on good, opens evil's exploit page under the attacker origin that
beats the flawed check, clicks "Steal", and asserts what the page read and what reached good
(the Origin good saw, whether the victim's cookie went along, what good answered).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext

from corsproof import scenarios
from corsproof.pages import ClientPage, FetchResult, log_in
from corsproof.profiles import CookieProfile
from corsproof.scenarios import Expect, Observation, pick
from e2e.attack_scenarios import ATTACKER_HOSTS, ATTACKS, SAFE_POLICY, Attack, cross_site_leak, safe_expect
from e2e.tls_fixtures import https_good  # noqa: F401 (a fixture)
from servers.good import PASSWORD
from servers.origins import GOOD_HOST
from servers.recorder import Exchange
from servers.sites import Sites


@dataclass(frozen=True)
class Theft:
    seen: Observation  # what evil's page read, what reached good, Chromium's reason
    attacker_origin: str
    # A sandboxed iframe runs in its own process in Chromium and reports to its own DevTools
    # target, created by the click: its reasons are asserted in test_cors_protocol instead.
    reason_known: bool


def steal(context: BrowserContext, sites: Sites, policy: str, host: str, source: str, probe: str, chromium: bool) -> Theft:
    """Open evil's exploit page for policy under host, click Steal, and collect what happened."""
    origin = f"http://{host}:{urlsplit(sites.origins.evil).port}"
    query = f"?probe={probe}" + ("&source=null" if source else "")
    page = ClientPage.open(context, f"{origin}/exploits/{policy}{query}", chromium)
    page.page.click("#steal")
    page.page.wait_for_selector("#result[data-outcome]")
    result = FetchResult(**json.loads(page.page.inner_text("#result")))
    reason_known = chromium and not source
    target = f"{sites.origins.good}/{policy}/private?probe={probe}"
    error = page.cors_error(target) if reason_known and result.outcome == "blocked" else None
    at_good = [e for e in sites.recorder.for_probe(probe) if e.site == "good"]
    return Theft(Observation(result, at_good, error), "null" if source else origin, reason_known)


def check_theft(label: str, expect: Expect, theft: Theft) -> Exchange:
    """scenarios.check on the theft; the one request evil's page made, as good recorded it."""
    scenarios.check(label, expect, theft.seen, theft.attacker_origin, theft.reason_known)
    (request,) = theft.seen.requests
    return request


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.id)
def test_attack(
    attack: Attack,
    context: BrowserContext,
    login: Callable[..., None],
    sites: Sites,
    new_probe: Callable[[], str],
    browser_name: str,
    cookie_profile: CookieProfile,
) -> None:
    login()
    chromium = browser_name == "chromium"
    theft = steal(context, sites, attack.policy, attack.attacker_host, attack.source, new_probe(), chromium)
    expect = attack.expected(browser_name, cookie_profile.value)
    request = check_theft(attack.id, expect, theft)
    if expect.page == "read":
        assert request.response_header("access-control-allow-origin") == theft.attacker_origin
        assert request.response_header("access-control-allow-credentials") == "true"


@pytest.mark.parametrize(("host", "source"), ATTACKER_HOSTS, ids=lambda v: v or "page")
def test_safe_policy_blocks_every_attacker(
    host: str,
    source: str,
    context: BrowserContext,
    login: Callable[..., None],
    sites: Sites,
    new_probe: Callable[[], str],
    browser_name: str,
    cookie_profile: CookieProfile,
) -> None:
    """Every attacker origin of the catalogue against the safe policy: nothing readable."""
    login()
    chromium = browser_name == "chromium"
    theft = steal(context, sites, SAFE_POLICY, host, source, new_probe(), chromium)
    same_site = host.endswith(f".{GOOD_HOST}")
    expect = pick(safe_expect(same_site), browser_name, cookie_profile.value, f"safe policy vs {host}")
    request = check_theft(f"safe policy vs {host}", expect, theft)
    assert request.response_header("access-control-allow-origin") is None
    assert request.response_header("access-control-allow-credentials") is None
    assert request.response_header("vary") == "Origin"


@pytest.mark.cookie_independent
def test_missing_vary_origin_does_not_leak_across_sites_through_the_browser_cache(
    open_page: Callable[[str], ClientPage], sites: Sites, new_probe: Callable[[], str], browser_name: str
) -> None:
    """attack-no-vary-origin: good's cacheable answer names thirdparty without Vary: Origin.

    thirdparty's second fetch is served from the browser's HTTP cache (good sees one request), so
    the answer is cached. evil's fetch of the same URL in the same browser is not: both browsers
    key the HTTP cache by top-level site, so evil's request goes to good, which does not list evil.
    The browser cache cannot serve thirdparty's answer to evil; the missing Vary remains a danger
    for shared caches (proxies, CDNs) and within one site.

    The public API is fetched, with credentials: /private answers 401 wherever the browser
    withholds the cookie, and neither browser caches a 401, which would prove nothing here.
    """
    probe = new_probe()
    url = sites.good_url("attack-no-vary-origin", "/api/public", probe)
    thirdparty = open_page("thirdparty")
    first = thirdparty.fetch(url, {"credentials": "include"})
    again = thirdparty.fetch(url, {"credentials": "include"})
    assert first.outcome == again.outcome == "read" and first.body == again.body
    assert [e.origin for e in sites.recorder.for_probe(probe)] == [sites.origins.thirdparty]
    evil = open_page("evil")
    assert evil.fetch(url, {"credentials": "include"}).outcome == "blocked"
    if browser_name == "chromium":
        assert evil.cors_error(url) == "MissingAllowOriginHeader"
    answers = sites.recorder.for_probe(probe)
    assert [e.origin for e in answers] == [sites.origins.thirdparty, sites.origins.evil]
    assert answers[0].response_header("vary") is None
    assert answers[1].response_header("access-control-allow-origin") is None


def test_scheme_not_checked_trusts_an_http_origin_for_an_https_one(
    new_context: Callable[..., BrowserContext],
    sites: Sites,
    https_good: str,
    new_probe: Callable[[], str],
    browser_name: str,
    cookie_profile: CookieProfile,
) -> None:
    """An https good whose check compares host and port, not scheme, trusts http://thirdparty.

    Anyone on the network can rewrite an http page, so the theft runs as script injected into
    thirdparty's own http page. The browser reaches the https good through a certificate from a
    throwaway CA (trustme), accepted with the context's ignore_https_errors: the certificate is
    not what is under test. Cookies ignore ports and schemes' hosts, so the victim's login on good
    is valid on the https good too.
    """
    context = new_context(ignore_https_errors=True)
    log_in(context, sites.url("good"), PASSWORD)
    probe = new_probe()
    url = f"{https_good}/attack-scheme-not-checked/private?probe={probe}"
    thirdparty = ClientPage.open(context, sites.url("thirdparty"), browser_name == "chromium")
    page_saw = thirdparty.fetch(url, {"credentials": "include"})
    at_good = [e for e in sites.recorder.for_probe(probe) if e.site == "good"]
    expect = pick(cross_site_leak(), browser_name, cookie_profile.value, "scheme-not-checked")
    # Nothing is blocked in this attack, so there is no Chromium reason to ask for.
    scenarios.check("scheme-not-checked", expect, Observation(page_saw, at_good, None), sites.origins.thirdparty, False)
    assert at_good[0].response_header("access-control-allow-origin") == sites.origins.thirdparty
