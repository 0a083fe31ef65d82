"""The article, claim by claim, in Chromium and Firefox, under every cookie profile.

Each test asserts what the page's JavaScript saw and what good recorded; in Chromium, also the
reason the browser gave for a block. Scenarios and expectations: e2e/article_cases.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from corsproof.model import Observation
from corsproof.pages import ClientPage
from corsproof.profiles import CookieProfile
from corsproof.serving.recorder import Recorder
from corsproof.suite.scenarios import Fetch, Forgery
from e2e.article_cases import ARTICLE_SCENARIOS, CREDENTIALS, PUT_JSON
from e2e.csrf_cases import forgery
from servers.good import SESSION_COOKIE
from servers.sites import Sites

SEC_FETCH_SITE = {"thirdparty": "cross-site", "evil": "cross-site", "sibling": "same-site"}


@pytest.mark.parametrize("scenario", ARTICLE_SCENARIOS, ids=lambda s: s.id)
def test_article_claim(scenario: Fetch, run_scenario: Callable[[Fetch], Observation]) -> None:
    seen = run_scenario(scenario)
    for exchange in seen.exchanges:
        assert exchange.origin == seen.page_origin, f"Origin at good: {exchange.origin}"
        assert exchange.header("sec-fetch-site") == SEC_FETCH_SITE[scenario.client]


def test_preflight_announces_the_method_and_headers_to_come(
    open_page: Callable[[str], ClientPage], sites: Sites, recorder: Recorder, new_probe: Callable[[], str]
) -> None:
    """The browser sets Access-Control-Request-Method/-Headers and the server answers in kind."""
    probe = new_probe()
    result = open_page("thirdparty").fetch(sites.good_url("article-preflight", "/api/public", probe), PUT_JSON)
    assert result.outcome == "read"
    preflight, put = recorder.for_probe(probe)
    assert (preflight.method, preflight.status) == ("OPTIONS", 204)
    assert preflight.header("access-control-request-method") == "PUT"
    assert preflight.header("access-control-request-headers") == "content-type"
    assert preflight.cookies == {}, "a preflight never carries credentials"
    assert "PUT" in (preflight.response_header("access-control-allow-methods") or "")
    assert put.method == "PUT" and put.header("content-type") == "application/json"


def test_allowlist_varies_on_origin(
    open_page: Callable[[str], ClientPage], sites: Sites, recorder: Recorder, new_probe: Callable[[], str]
) -> None:
    """A reflected Allow-Origin must say Vary: Origin, so caches keep one answer per origin."""
    for client in ("thirdparty", "evil"):
        probe = new_probe()
        open_page(client).fetch(sites.good_url("article-allowlist", "/api/public", probe))
        (exchange,) = recorder.for_probe(probe)
        assert exchange.response_header("vary") == "Origin"
        expected = sites.origins.thirdparty if client == "thirdparty" else None
        assert exchange.response_header("access-control-allow-origin") == expected


def test_starlette_wildcard_with_credentials_answers_evil_with_its_own_origin(
    open_page: Callable[[str], ClientPage], sites: Sites, recorder: Recorder, new_probe: Callable[[], str]
) -> None:
    """What Starlette's CORSMiddleware(allow_origins=['*'], allow_credentials=True) really sends."""
    probe = new_probe()
    evil = open_page("evil")
    evil.fetch(sites.good_url("starlette-wildcard-credentials", "/private", probe), {"credentials": "include"})
    (exchange,) = recorder.for_probe(probe)
    assert exchange.response_header("access-control-allow-origin") == sites.origins.evil
    assert exchange.response_header("access-control-allow-credentials") == "true"


def test_csrf_form_post_from_evil_is_carried_out(run_scenario: Callable[[Forgery], Observation]) -> None:
    """CSRF: evil's form makes good move money in every browser and cookie profile.

    A top-level form POST is a navigation, not a third-party request: neither third-party cookie
    blocking nor Total Cookie Protection withholds good's SameSite=None cookie from it. The
    scenario is CSRF's (e2e/csrf_cases.py); the article's claim adds what the form sent.
    """
    seen = run_scenario(forgery("samesite-none-form"))
    assert seen.text is not None and "Transferred 1000 to evil" in seen.text
    (forged,) = seen.requests
    assert forged.header("sec-fetch-site") == "cross-site" and forged.header("sec-fetch-mode") == "navigate"
    assert list(seen.transfers) == [("evil", 1000)]


@pytest.mark.parametrize("vector", ["fetch-text-plain", "fetch-no-cors"])
def test_csrf_simple_fetch_post_from_evil(vector: str, run_scenario: Callable[[Forgery], Observation]) -> None:
    """A simple POST needs no preflight: it reaches good although evil reads nothing.

    Whether good carries it out depends on the cookie, so on the cookie profile: by default the
    browser withholds the third-party cookie and good refuses (401); with third-party cookies
    allowed the forged transfer happens (expectations: e2e/csrf_cases.py).
    """
    seen = run_scenario(forgery(f"samesite-none-{vector}"))
    assert seen.page is not None and seen.page.body is None, "evil cannot read good's answer"


@pytest.mark.cookie_independent
def test_thirdparty_page_button_shows_the_result_to_a_person(
    open_page: Callable[[str], ClientPage],
) -> None:
    """The client page works for a person: choose a policy, click, read the visible result."""
    thirdparty = open_page("thirdparty").page
    thirdparty.select_option("#policy", "article-allow-all")
    thirdparty.click("#request-0")
    thirdparty.wait_for_selector("#result[data-outcome]")
    assert thirdparty.get_attribute("#result", "data-outcome") == "read"
    assert "good's public data" in thirdparty.inner_text("#result")


@pytest.mark.cookie_independent
def test_thirdparty_page_explains_a_block_with_what_reached_good(
    open_page: Callable[[str], ClientPage], sites: Sites, browser_name: str
) -> None:
    """A blocked request explains itself to a person: the request reached good, good's answer had
    no Allow-Origin, and that is why the browser hid it — the page asks its site what good saw."""
    thirdparty = open_page("thirdparty").page
    thirdparty.select_option("#policy", "no-cors")
    thirdparty.click("#request-0")
    thirdparty.wait_for_selector("#result[data-outcome]")
    assert thirdparty.get_attribute("#result", "data-outcome") == "blocked"
    explanation = thirdparty.inner_text("#explanation")
    assert f"GET /api/public, Origin {sites.origins.thirdparty}, no cookie → 200" in explanation
    assert "good's answer has no Access-Control-Allow-Origin header, so the browser hides it" in explanation
    assert "(MissingAllowOriginHeader, derived by corsproof from good's answers)" in explanation
    Path("test-results").mkdir(exist_ok=True)
    thirdparty.screenshot(path=f"test-results/thirdparty-page-{browser_name}.png", full_page=True)


@pytest.mark.only_browser("chromium")
def test_chromium_console_explains_the_missing_allow_origin_header(
    open_page: Callable[[str], ClientPage], sites: Sites, new_probe: Callable[[], str]
) -> None:
    """ "The reason can be found in the JavaScript console" — in Chromium.

    Firefox does not exist for this check: over WebDriver BiDi, stock Firefox sends no console
    message for a CORS failure to Playwright (its reason only reaches its own devtools), which is
    why corsproof derives Firefox's reasons from the server record instead.
    """
    thirdparty = open_page("thirdparty")
    url = sites.good_url("no-cors", "/api/public", new_probe())
    with thirdparty.page.expect_console_message(lambda m: "CORS policy" in m.text) as message:
        assert thirdparty.fetch(url).outcome == "blocked"
    text = message.value.text
    assert (
        f"Access to fetch at '{url}' from origin '{sites.origins.thirdparty}' has been blocked by CORS policy" in text
    )
    assert "No 'Access-Control-Allow-Origin' header is present on the requested resource" in text


@pytest.mark.only_browser("chromium")
def test_chromium_names_why_it_withheld_good_cookie(
    open_page: Callable[[str], ClientPage],
    login: Callable[..., None],
    sites: Sites,
    recorder: Recorder,
    new_probe: Callable[[], str],
    cookie_profile: CookieProfile,
) -> None:
    """Chromium says, per request, which cookie it withheld and why: the user's third-party setting.

    Firefox does not exist for this check: it reports withheld cookies to no Playwright protocol;
    the server record (no cookie at good) is the oracle there, asserted by test_article_claim.
    """
    login()
    probe = new_probe()
    url = sites.good_url("article-one-origin", "/private", probe)
    thirdparty = open_page("thirdparty")
    assert thirdparty.fetch(url, CREDENTIALS).outcome == "read"
    assert thirdparty.network is not None
    (request,) = recorder.for_probe(probe)
    if cookie_profile is CookieProfile.THIRD_PARTY_ALLOWED:
        assert SESSION_COOKIE in request.cookies
        assert thirdparty.network.cookie_blocks(url) == []
    else:
        # Default contexts and the "block third-party cookies" setting both block by user preference.
        assert SESSION_COOKIE not in request.cookies
        assert (SESSION_COOKIE, ("UserPreferences",)) in thirdparty.network.wait_for_cookie_blocks(url)
