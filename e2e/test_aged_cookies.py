"""Cookies over two minutes old, in every browser: the cookie matrix's cross-site form POST and
CSRF by evil's form against a session cookie without SameSite. The cookies are set in a context
of their own when the browser starts; these tests run last, once they are old enough. A top-level
POST does not depend on the third-party cookie setting (see the cookie matrix), so one profile
proves it. Each aged browser runs on a fast clock (corsproof/suite/fast_clock.py): its cookies
reach two minutes in twelve seconds, and the clock itself is checked here every run.
Cases and expectations: e2e/aged_cookies_cases.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from corsproof.model import Observation
from corsproof.suite import state
from corsproof.suite.aged_lane import wait_until_aged
from corsproof.suite.lane import Lane
from corsproof.suite.scenarios import Scenario
from e2e.aged_cookies_cases import AGE_S, CSRF_FORM, FORM_POST
from e2e.cookie_matrix_cases import UNSET

pytestmark = [pytest.mark.slow, pytest.mark.cookie_independent]
BRIEF_S = 30  # a Max-Age, in browser-seconds
CHECKED_AT_S = 60  # browser-seconds: past BRIEF_S, well inside Chromium's two-minute window


@pytest.mark.parametrize("scenario", [FORM_POST, CSRF_FORM], ids=lambda s: s.id)
def test_cookie_older_than_two_minutes(scenario: Scenario, run_aged: Callable[[Scenario, float], Observation]) -> None:
    run_aged(scenario, AGE_S)


@pytest.mark.parametrize("scenario", [FORM_POST], ids=lambda s: s.id)
def test_the_fast_clock_ages_cookies_where_the_browser_judges_them(
    scenario: Scenario, fresh_aged_context: tuple[Lane, int], pytestconfig: pytest.Config, browser_name: str
) -> None:
    """In a fresh context of the aged browser, at ~60 browser-seconds: a Max-Age=30 cookie set by
    good is gone from what reaches good (the fast clock reaches where the browser keeps and judges
    cookies), and the cookie without SameSite still rides the cross-site POST (in Chromium: the
    two-minute window is there, so the aged test's "withheld" is the threshold, not something
    else; Firefox and WebKit send it at any age, and the fast clock does not stop them)."""
    if browser_name != "webkit" and pytestconfig.getoption("--connect") is not None:
        pytest.skip("a browser server's browser cannot be put on a fast clock: its aged lane waits in real time")
    lane, rate = fresh_aged_context
    assert rate > 1, f"{browser_name}'s aged browser is not on a fast clock"
    began = time.monotonic()
    lane.begin(scenario.start)  # the matrix cookies, set by good's Set-Cookie
    lane.page.goto(lane.sites.url("good", f"/cookie-lab/set?name=brief&samesite=lax&max_age={BRIEF_S}"))
    wait_until_aged(lane, began, CHECKED_AT_S, rate)
    seen = scenario.run(lane, pytestconfig.stash[state.ENGINE].new_probe(f"{scenario.id}-young"))
    posted_at = (time.monotonic() - began) * rate
    lane.page.goto(lane.sites.url("good", "/cookie-lab/echo"))
    echoed = set(lane.page.inner_text("body").split())
    assert UNSET in seen.cookies_sent(), (
        f"at {posted_at:.0f} browser-seconds the cookie without SameSite did not ride the cross-site POST "
        f"(sent: {sorted(seen.cookies_sent())})"
        + (": the two-minute window was not seen" if browser_name == "chromium" else "")
    )
    assert "brief" not in echoed and UNSET in echoed, (
        f"at {(time.monotonic() - began) * rate:.0f} browser-seconds good received {sorted(echoed)}: a Max-Age="
        f"{BRIEF_S} cookie should be gone and the session cookies there"
    )
