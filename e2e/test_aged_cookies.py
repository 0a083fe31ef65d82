"""Cookies over two minutes old, in every browser: the cookie matrix's cross-site form POST and
CSRF by evil's form against a session cookie without SameSite. The cookies are set in a context
of their own when the browser starts; these tests run last, once they are old enough. A top-level
POST does not depend on the third-party cookie setting (see the cookie matrix), so one profile
proves it. Each aged browser runs on a fast clock (corsproof/suite/fast_clock.py): its cookies
reach two minutes in twelve seconds, and the clock itself is checked here every run.
Cases and expectations: e2e/aged_cookies_cases.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from corsproof.model import Observation
from corsproof.suite import state
from corsproof.suite.aged_lane import LADDER_S, ClockLadder
from corsproof.suite.lane import Lane
from corsproof.suite.scenarios import Scenario
from e2e.aged_cookies_cases import AGE_S, CSRF_FORM, FORM_POST
from e2e.cookie_matrix_cases import UNSET

pytestmark = [pytest.mark.slow, pytest.mark.cookie_independent]


@pytest.mark.parametrize("scenario", [FORM_POST, CSRF_FORM], ids=lambda s: s.id)
def test_cookie_older_than_two_minutes(scenario: Scenario, run_aged: Callable[[Scenario, float], Observation]) -> None:
    run_aged(scenario, AGE_S)


def test_the_aged_browsers_clock_runs_at_its_rate_where_cookies_expire(clock_ladder: ClockLadder) -> None:
    """The ladder's cookies (Max-Ages from 10 s to two months, each twice the last, set by good as
    the run started): those at most half the age they have by the rate said are gone, those at
    least twice it are there. Rungs twice apart, so the browser's clock, where it keeps and expires
    cookies, ran at between a quarter and four times the rate said (ten times real speed, so not at
    one; a browser server's, under --connect, cannot be wrapped: real time, said and checked as
    such), however long the run took."""
    kept, least_age, most_age = clock_ladder.left()
    must_be_gone = {m for m in LADDER_S if m <= least_age / 2}
    must_be_kept = {m for m in LADDER_S if m >= most_age * 2}
    assert must_be_gone and must_be_kept, (
        f"a ladder of {LADDER_S} proves no rate at ages {least_age:.0f}-{most_age:.0f} s"
    )
    assert kept & must_be_gone == set() and must_be_kept <= kept, (
        f"at {least_age:.0f}-{most_age:.0f} browser-seconds (clock at {clock_ladder.rate}x) good received the "
        f"cookies of Max-Age {sorted(kept)}: those up to {max(must_be_gone)} s should be gone, those from "
        f"{min(must_be_kept)} s there"
    )


@pytest.mark.only_browser("chromium")  # the two-minute window is Chromium's: the others send it at any age
@pytest.mark.parametrize("scenario", [FORM_POST], ids=lambda s: s.id)
def test_the_aged_chromium_sends_a_fresh_cookie_without_samesite_on_a_cross_site_post(
    scenario: Scenario, fresh_aged_context: Lane, pytestconfig: pytest.Config
) -> None:
    """In a fresh context of the aged Chromium (its fast clock and all), the cookie without
    SameSite set by good moments before rides thirdparty's cross-site form POST: the Lax-allowing-
    unsafe window is there, so with the clock's rate proven (above), the aged test's "withheld" is
    the two-minute threshold, not something else."""
    fresh_aged_context.begin(scenario.start)  # the matrix cookies, set by good's Set-Cookie
    seen = scenario.run(fresh_aged_context, pytestconfig.stash[state.ENGINE].new_probe(f"{scenario.id}-fresh"))
    assert UNSET in seen.cookies_sent(), (
        f"the fresh cookie without SameSite did not ride the cross-site POST (sent: {sorted(seen.cookies_sent())}): "
        "the two-minute window was not seen"
    )
