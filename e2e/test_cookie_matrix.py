"""The cookie matrix: when good's cookies really travel, in Chromium and Firefox, per profile.

good sets its matrix cookies in a first-party visit; a page on good, on its same-site sibling or
on thirdparty then asks good in eight ways. Every cell — one cookie, one requester, one way, one
browser and profile — asserts whether that cookie was in the Cookie header good received and, in
Chromium, the blocked reasons DevTools gave for the cookies it withheld. One test per requester
and way of asking asserts its eight cookies at once.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from corsproof.lane import Lane
from corsproof.model import Observation, pick
from corsproof.profiles import CookieProfile
from corsproof.scenarios import CookieRequest
from e2e.cookie_matrix_cases import COOKIE_REQUESTS, SET_CROSS_SITE, SET_EXPECT
from servers.sites import Sites


@pytest.mark.parametrize("scenario", COOKIE_REQUESTS, ids=lambda r: r.id)
def test_cookie_matrix(scenario: CookieRequest, run_scenario: Callable[[CookieRequest], Observation]) -> None:
    run_scenario(scenario)


def test_cookies_set_by_a_cross_site_response(
    clean_lane: Lane, sites: Sites, browser_name: str, cookie_profile: CookieProfile, new_probe: Callable[[], str]
) -> None:
    """A credentialed CORS response from good sets cookies on thirdparty's request: which are kept,
    in which partition (seen by thirdparty's next request, or by good's own pages), and in Chromium
    why the others were refused (Network.responseReceivedExtraInfo blockedCookies)."""
    cell = pick(SET_EXPECT, browser_name, cookie_profile.value, "setting cookies cross-site")
    context, network = clean_lane.context, clean_lane.network
    thirdparty = clean_lane.open(sites.url("thirdparty"), fresh=True).page
    refused: dict[str, tuple[str, ...]] = {}
    for name, query in SET_CROSS_SITE.items():
        url = sites.url("good", f"/cookie-lab/set?name={name}&{query}")
        status = thirdparty.evaluate("async url => (await fetch(url, {credentials: 'include'})).status", url)
        assert status == 200
        if network is not None:
            refused.update({line.split("=", 1)[0]: why for line, why in network.set_cookie_refusals(url)})
    stored = {cookie["name"] for cookie in context.cookies()} & set(SET_CROSS_SITE)
    back_probe, top_probe = new_probe(), new_probe()
    thirdparty.evaluate(
        "async url => { await fetch(url, {credentials: 'include'}); }",
        sites.url("good", f"/cookie-lab/echo?probe={back_probe}"),
    )
    thirdparty.goto(sites.url("good", f"/cookie-lab/echo?probe={top_probe}"))
    (back,) = sites.recorder.for_probe(back_probe)
    (top,) = sites.recorder.for_probe(top_probe)
    seen = (stored, set(back.cookies) & set(SET_CROSS_SITE), set(top.cookies) & set(SET_CROSS_SITE))
    assert seen == (cell.stored, cell.read_back, cell.first_party), f"expected because {cell.why}; saw {seen}"
    if network is not None:
        assert refused == cell.chromium_refused, f"expected because {cell.why}; Chromium refused {refused}"
