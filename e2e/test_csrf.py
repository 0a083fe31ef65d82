"""Cross-site request forgery from evil, per SameSite value of the session cookie, and its defences.

evil makes simple cross-site POSTs to good's /transfer — a form (a top-level navigation) and
fetch() with text/plain, form-urlencoded and no-cors — which need no preflight, so they reach
good although evil reads nothing. Whether good moves the money depends on the session cookie
going along. The oracle is good's ledger: what good carried out for this test's probe.
"""

from __future__ import annotations

from typing import Callable

import pytest

from corsproof.pages import ClientPage
from corsproof.profiles import CookieProfile
from servers.good import SESSION_COOKIE, SameSite
from servers.sites import Sites

BODY = "to=evil&amount=5"
FETCHES: dict[str, dict[str, object]] = {
    "fetch-text-plain": {"headers": {"Content-Type": "text/plain"}},
    "fetch-form-urlencoded": {"headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    "fetch-no-cors": {"mode": "no-cors", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
}
VECTORS = ("form", *FETCHES)


def forge(vector: str, evil: ClientPage, url: str) -> None:
    """Make evil's page send the forged POST to url, by form or by fetch()."""
    if vector == "form":
        evil.page.eval_on_selector("#csrf", "(form, action) => { form.action = action; }", url)
        with evil.page.expect_navigation():
            evil.page.click("#csrf-submit")
        return
    init = {"method": "POST", "credentials": "include", "body": BODY, **FETCHES[vector]}
    result = evil.fetch(url, init)
    # evil never reads good's answer: CORS blocks it, or no-cors makes it opaque.
    assert result.outcome in ("blocked", "opaque") and result.body is None, result


def expected_carried_out(vector: str, samesite: SameSite, profile: CookieProfile) -> bool:
    """Does good receive the session cookie with the forged request?

    SameSite=Strict and Lax withhold it from every cross-site POST (Lax allows only top-level
    GET navigations; the cookie has an explicit SameSite, so Chromium's two-minute Lax-allowing-
    unsafe window for defaulted cookies does not apply). SameSite=None lets it go on a top-level
    form POST under every cookie profile — a navigation is not a third-party request — but on a
    fetch() only where third-party cookies are allowed.
    """
    if samesite != "none":
        return False
    return vector == "form" or profile is CookieProfile.THIRD_PARTY_ALLOWED


@pytest.mark.parametrize("vector", VECTORS)
@pytest.mark.parametrize("samesite", ["none", "lax", "strict"])
def test_csrf_by_samesite_of_the_session_cookie(
    vector: str,
    samesite: SameSite,
    open_page: Callable[[str], ClientPage],
    login: Callable[..., None],
    sites: Sites,
    new_probe: Callable[[], str],
    cookie_profile: CookieProfile,
) -> None:
    login(samesite)
    probe = new_probe()
    forge(vector, open_page("evil"), sites.good_url("no-cors", "/transfer", probe))
    (request,) = sites.recorder.for_probe(probe)
    carried_out = expected_carried_out(vector, samesite, cookie_profile)
    assert (request.method, request.origin) == ("POST", sites.origins.evil), "the forged POST reached good"
    assert (SESSION_COOKIE in request.cookies) == carried_out
    assert request.status == (200 if carried_out else 401)
    assert len(sites.good.transfers_for(probe)) == (1 if carried_out else 0)


@pytest.mark.parametrize("defence", ["csrf-origin-check", "csrf-token"])
@pytest.mark.parametrize("vector", VECTORS)
def test_defence_refuses_forgery_with_403_and_carries_out_nothing(
    defence: str,
    vector: str,
    open_page: Callable[[str], ClientPage],
    login: Callable[..., None],
    sites: Sites,
    new_probe: Callable[[], str],
) -> None:
    """With the cookie that lets every forgery through (SameSite=None), the defence alone stops it."""
    login("none")
    probe = new_probe()
    evil = open_page("evil")
    forge(vector, evil, sites.good_url(defence, "/transfer", probe))
    (request,) = sites.recorder.for_probe(probe)
    assert request.status == 403, f"{defence} let a forged {vector} through: {request.status}"
    assert sites.good.transfers_for(probe) == []
    if vector == "form":
        assert "Refused as cross-site request forgery" in evil.page.content()


@pytest.mark.parametrize("defence", ["csrf-origin-check", "csrf-token"])
def test_defence_lets_good_own_page_transfer(
    defence: str, context, login: Callable[..., None], sites: Sites, new_probe: Callable[[], str]
) -> None:
    """The defences must not break good itself: its own same-origin request goes through."""
    login("none")
    probe = new_probe()
    page = context.new_page()
    page.goto(sites.url("good"))
    said = page.evaluate(
        """async ([defence, url]) => {
          const token = await (await fetch(`/${defence}/token`)).text();
          const body = new URLSearchParams({to: "a friend", amount: "5", csrf_token: token});
          const response = await fetch(url, {method: "POST", body});
          return `${response.status} ${await response.text()}`;
        }""",
        [defence, sites.good_url(defence, "/transfer", probe)],
    )
    assert said == "200 Transferred 5 to a friend"
    assert [(t.to, t.amount) for t in sites.good.transfers_for(probe)] == [("a friend", 5)]
