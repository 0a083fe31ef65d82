"""The aged lane: the slow scenarios' contexts, made as the run starts in browsers of their own,
so that their cookies age while every other test runs; and in each of those browsers a ladder of
cookies whose Max-Ages span decades, which shows at any later moment how fast its clock ran."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Playwright

from corsproof.model import Observation
from corsproof.profiles import CookieProfile
from corsproof.report import collect
from corsproof.suite import fast_clock, scenarios, state
from corsproof.suite.browser_fixtures import record_browser, start_browser
from corsproof.suite.fast_clock import FastClock
from corsproof.suite.fixtures import good_scheme
from corsproof.suite.lane import LOGGED_OUT, Lane
from servers.sites import Sites

# Max-Ages in browser-seconds, each twice the last, from 10 s to ~5,000,000 s (two months): whenever
# the ladder is read (its cookies at least LADDER_READABLE_S old), those well under the age its
# cookies have by the browser's clock are gone and those well over it are there, so a rate can be
# read off however long the run took.
LADDER_S = tuple(10 * 2**step for step in range(20))
LADDER_READABLE_S = 4 * LADDER_S[0]  # browser-seconds: a rung is at most half of it, so one must be gone


@dataclass(frozen=True)
class ClockLadder:
    """A context of an aged browser holding one cookie per LADDER_S Max-Age, all set by good's
    Set-Cookie between set_from and set_until (time.monotonic()); rate: what its clock is said to run at."""

    lane: Lane
    set_from: float
    set_until: float
    rate: int

    def left(self) -> tuple[set[int], float, float]:
        """The Max-Ages whose cookies good still receives, and the least and most age, in
        browser-seconds at the rate said, the cookies can have as good answers; read once they are
        LADDER_READABLE_S old (at once, but in a run shorter than a few seconds)."""
        wait_until_aged(self.lane, self.set_until, LADDER_READABLE_S, self.rate)
        asked = time.monotonic()
        self.lane.page.goto(self.lane.sites.url("good", "/cookie-lab/echo"))
        answered = time.monotonic()
        names = set(self.lane.page.inner_text("body").split())
        kept = {max_age for max_age in LADDER_S if f"ladder_{max_age}" in names}
        return kept, (asked - self.set_until) * self.rate, (answered - self.set_from) * self.rate


def _set_ladder(lane: Lane, rate: int) -> ClockLadder:
    """The ladder's cookies: the first by a visit to good, the rest by good's page fetching their
    Set-Cookie all at once (one round trip, not one navigation each)."""
    lane.begin(LOGGED_OUT)
    urls = [lane.sites.url("good", f"/cookie-lab/set?name=ladder_{m}&samesite=lax&max_age={m}") for m in LADDER_S]
    set_from = time.monotonic()
    lane.page.goto(urls[0])
    lane.page.evaluate("urls => Promise.all(urls.map(url => fetch(url).then(r => r.text())))", urls[1:])
    return ClockLadder(lane, set_from, time.monotonic(), rate)


@pytest.fixture(scope="session", autouse=True)
def _slow_lane(
    request: pytest.FixtureRequest,
    pytestconfig: pytest.Config,
    record_testsuite_property: Callable[[str, object], None],
) -> Iterator[None]:
    """The contexts of the selected slow scenarios, made as the run starts, in browsers of their
    own that live for the whole run (a lane's browser closes when pytest moves to another lane):
    their cookies age while every other test runs."""
    starts = pytestconfig.stash[state.AGED_STARTS]
    aging = pytestconfig.stash[state.AGING]
    ladders = pytestconfig.stash[state.LADDERS]
    with contextlib.ExitStack() as stack:
        if starts:
            playwright: Playwright = request.getfixturevalue("playwright")
            sites_for: Callable[[str], Sites] = request.getfixturevalue("_sites_by_scheme")
            profile = CookieProfile.parse(
                (pytestconfig.getoption("--cookie-profile") or [CookieProfile.DEFAULT.value])[0]
            )
            for browser in sorted({browser for browser, _ in starts}):
                clock = _fast_clock(stack, browser, pytestconfig)
                began = time.monotonic()
                try:
                    session = start_browser(
                        playwright, browser, profile, pytestconfig, () if clock is None else (clock,)
                    )
                except fast_clock.FastClockUnavailable as error:
                    pytest.exit(f"corsproof: the aged lane runs {browser} on a fast clock: {error}", 4)
                record_testsuite_property(f"{state.STARTUP} {browser} aged", f"{time.monotonic() - began:.2f}")
                # Closed before its clock's clean-up (the stack unwinds in reverse), whatever stops the run.
                stack.callback(session.close)
                rate = 1 if clock is None else clock.rate
                sites = sites_for(good_scheme(browser, pytestconfig))
                for start in sorted({s for b, s in starts if b == browser and s is not None}, key=lambda s: s.label):
                    aged = Lane(session, sites)
                    aged.begin(start)
                    aging[(browser, start)] = (aged, time.monotonic(), rate)
                ladders[browser] = _set_ladder(Lane(session, sites), rate)
        yield
        for aged, _, _ in aging.values():
            aged.close()
        for ladder in ladders.values():
            ladder.lane.close()


def _fast_clock(stack: contextlib.ExitStack, browser: str, config: pytest.Config) -> FastClock | None:
    """The aged browser on a fast clock (corsproof/suite/fast_clock.py); None for a browser server's
    (--connect: its browser cannot be wrapped), which waits in real time."""
    if browser != "webkit" and config.getoption("--connect") is not None:
        return None
    missing = fast_clock.missing(browser)
    if missing is not None:
        pytest.exit(f"corsproof: the aged lane runs {browser} on a fast clock, with {missing}", 4)
    return stack.enter_context(fast_clock.fast_clock())


@pytest.fixture
def run_aged(
    browser_name: str, cookie_profile: CookieProfile, pytestconfig: pytest.Config, request: pytest.FixtureRequest
) -> Callable[[scenarios.Scenario, float], Observation]:
    """Run a slow scenario in its ageing context once its cookies are age_s old, and check it."""

    def run(scenario: scenarios.Scenario, age_s: float) -> Observation:
        found = pytestconfig.stash[state.AGING].get((browser_name, scenario.start))
        if found is None:
            raise RuntimeError(f"{scenario.id} is not marked slow, so no context aged its cookies")
        aged, since, rate = found
        record_browser(request, aged.session)
        # What its cookies need at the rate said (the ladder's test checks the rate).
        request.node.user_properties.append((state.AGED_REAL, f"{age_s / rate:.1f}"))
        wait_until_aged(aged, since, age_s, rate)
        seen = scenario.run(aged, pytestconfig.stash[state.ENGINE].new_probe(scenario.id))
        expect = scenarios.expected(scenario, browser_name, cookie_profile.value)
        request.node.user_properties.append(("expected_because", expect.why))
        collect.checked(request, type(scenario).__name__, scenario.id, browser_name, cookie_profile.value, expect, seen)
        return seen

    return run


def wait_until_aged(lane: Lane, since: float, age_s: float, rate: int) -> None:
    """Until cookies set at since (time.monotonic()) are age_s old by the lane's browser's clock,
    which runs rate times real speed. The one wait for time in the suite: what is under test is a
    cookie's age, and no event marks it. (Playwright's timeout runs in its driver, on real time.)"""
    remaining = age_s / rate - (time.monotonic() - since)
    if remaining > 0:
        lane.page.wait_for_timeout(remaining * 1000)


@pytest.fixture
def clock_ladder(browser_name: str, pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> ClockLadder:
    """The ladder of the aged lane's browser of this test (its browser recorded with the test)."""
    ladder = pytestconfig.stash[state.LADDERS].get(browser_name)
    if ladder is None:
        raise RuntimeError(f"no aged lane runs {browser_name}: mark the test slow and give it a scenario")
    record_browser(request, ladder.lane.session)
    return ladder


@pytest.fixture
def fresh_aged_context(
    browser_name: str, clock_ladder: ClockLadder, pytestconfig: pytest.Config, request: pytest.FixtureRequest
) -> Iterator[Lane]:
    """A fresh context in the aged lane's own browser (on its fast clock, if it has one), closed after."""
    sites_for: Callable[[str], Sites] = request.getfixturevalue("_sites_by_scheme")
    fresh = Lane(clock_ladder.lane.session, sites_for(good_scheme(browser_name, pytestconfig)))
    yield fresh
    fresh.close()
