"""The aged lane: the slow scenarios' contexts, made as the run starts in browsers of their own,
so that their cookies age while every other test runs."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Playwright

from corsproof.browsers import BrowserSession
from corsproof.model import Observation
from corsproof.profiles import CookieProfile
from corsproof.report import collect
from corsproof.suite import fast_clock, scenarios, state
from corsproof.suite.browser_fixtures import record_browser, start_browser
from corsproof.suite.fast_clock import FastClock
from corsproof.suite.fixtures import good_scheme
from corsproof.suite.lane import Lane
from servers.sites import Sites


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
    sessions: list[BrowserSession] = []
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
                sessions.append(session)
                for start in sorted((s for b, s in starts if b == browser), key=lambda s: s.label):
                    aged = Lane(session, sites_for(good_scheme(browser, pytestconfig)))
                    aged.begin(start)
                    aging[(browser, start)] = (aged, time.monotonic(), 1 if clock is None else clock.rate)
        yield
        for aged, _, _ in aging.values():
            aged.close()
        for session in sessions:
            session.close()


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
        request.node.user_properties.append((state.AGED_REAL, f"{age_s / rate:.1f}"))  # what its cookies needed
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
def fresh_aged_context(
    browser_name: str, pytestconfig: pytest.Config, request: pytest.FixtureRequest
) -> Iterator[tuple[Lane, int]]:
    """A fresh context in the aged lane's own browser (on its fast clock, if it has one), closed
    after; and that clock's rate: what the checks of the clock itself measure with."""
    aged = [
        (lane, rate)
        for (browser, _), (lane, _, rate) in pytestconfig.stash[state.AGING].items()
        if browser == browser_name
    ]
    if not aged:
        raise RuntimeError(f"no aged lane runs {browser_name}: mark the test slow and give it a scenario")
    lane, rate = aged[0]
    record_browser(request, lane.session)
    sites_for: Callable[[str], Sites] = request.getfixturevalue("_sites_by_scheme")
    fresh = Lane(lane.session, sites_for(good_scheme(browser_name, pytestconfig)))
    yield fresh, rate
    fresh.close()
