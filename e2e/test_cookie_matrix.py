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

from corsproof.model import Observation
from corsproof.suite.scenarios import CookieRequest, CrossSiteSet
from e2e.cookie_matrix_cases import COOKIE_REQUESTS, CROSS_SITE_SET


@pytest.mark.parametrize("scenario", COOKIE_REQUESTS, ids=lambda r: r.id)
def test_cookie_matrix(scenario: CookieRequest, run_scenario: Callable[[CookieRequest], Observation]) -> None:
    run_scenario(scenario)


def test_cookies_set_by_a_cross_site_response(run_scenario: Callable[[CrossSiteSet], Observation]) -> None:
    """A credentialed CORS response from good sets cookies on thirdparty's request: which are kept,
    in which partition (seen by thirdparty's next request, or by good's own pages), and in Chromium
    why the others were refused (Network.responseReceivedExtraInfo blockedCookies)."""
    run_scenario(CROSS_SITE_SET)
