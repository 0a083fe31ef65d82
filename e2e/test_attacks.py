"""The attack catalogue: each CORS misconfiguration attacked from evil, in both browsers, under
every cookie profile, and the safe policy against every attacker origin.

Each theft runs evil's real exploit page (servers/exploits.py) under a look-alike host name and
asserts what evil read, whether good received the victim's cookie and, in Chromium, the reason;
where evil reads, also that good reflected the attacker's origin with credentials.
Scenarios and expectations: e2e/attacks_cases.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from corsproof import webkit
from corsproof.model import Observation
from corsproof.pages import ClientPage
from corsproof.suite.scenarios import Scenario
from e2e.attacks_cases import ATTACKS, SAFE_THEFTS, SCHEME_NOT_CHECKED
from servers.sites import Sites

RunScenario = Callable[[Scenario], Observation]


@pytest.mark.parametrize("scenario", ATTACKS + (SCHEME_NOT_CHECKED,), ids=lambda a: a.id)
def test_attack(scenario: Scenario, run_scenario: RunScenario) -> None:
    seen = run_scenario(scenario)
    (request,) = seen.requests
    assert request.origin == (seen.page_origin), f"Origin at good: {request.origin}"
    if seen.page is not None and seen.page.outcome == "read":
        assert request.response_header("access-control-allow-origin") == seen.page_origin
        assert request.response_header("access-control-allow-credentials") == "true"


@pytest.mark.parametrize("scenario", SAFE_THEFTS, ids=lambda a: a.id)
def test_safe_policy_blocks_every_attacker(scenario: Scenario, run_scenario: RunScenario) -> None:
    """Every attacker origin of the catalogue against the safe policy: nothing readable."""
    (request,) = run_scenario(scenario).requests
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
    # WebKit answers no fetch from its HTTP cache (corsproof/webkit.py): good sees both of
    # thirdparty's fetches there, and evil's goes to good for that reason too.
    cached = webkit.http_cache_answers_fetches(browser_name)
    thirdparty_asks = [sites.origins.thirdparty] * (1 if cached else 2)
    assert [e.origin for e in sites.recorder.for_probe(probe)] == thirdparty_asks
    evil = open_page("evil")
    assert evil.fetch(url, {"credentials": "include"}).outcome == "blocked"
    if browser_name == "chromium":
        assert evil.cors_error(url) == "MissingAllowOriginHeader"
    answers = sites.recorder.for_probe(probe)
    assert [e.origin for e in answers] == [*thirdparty_asks, sites.origins.evil]
    assert answers[0].response_header("vary") is None
    assert answers[-1].response_header("access-control-allow-origin") is None
