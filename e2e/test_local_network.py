"""Local Network Access: can evil's public page reach a dev server on loopback or a router on a
private address, with nobody answering the prompt, the permission denied, or granted?

Each lane is a browser told which of its loopback ports stand for public and private addresses
(corsproof/suite/local_network.py); each test one request from evil's page, and the cell says
whether an HTTP request reached the server, what the page saw, and why. Cases and expectations:
e2e/local_network_cases.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Playwright

from corsproof.browsers import BrowserSession
from corsproof.model import pick
from corsproof.profiles import CookieProfile
from corsproof.report import collect
from corsproof.suite import state as run_state
from corsproof.suite.browser_fixtures import start_browser
from corsproof.suite.local_network import STATES, LocalLane, LocalRequest, State, launch_settings
from e2e.local_network_cases import AREA, LOCAL_REQUESTS
from servers.local_network import LocalTargets, running_local_targets
from servers.sites import Sites

# MiniBrowser --features=help (WebKitGTK 2.50.6) lists "LocalNetworkAccess (unstable)", off by default,
# and WebKit has no switch that makes a loopback port a public address, which these lanes need.
pytestmark = pytest.mark.unmeasured(
    "webkit",
    "issue 21: WebKitGTK 2.50.6 ships Local Network Access off (an unstable feature) and cannot make a "
    "loopback port public, as these lanes need: not measured",
)


@pytest.fixture(scope="module")
def local_targets(sites: Sites) -> Iterator[LocalTargets]:
    with running_local_targets(sites.host) as running:
        yield running


@pytest.fixture(scope="module")
def lna_lane(
    playwright: Playwright, sites: Sites, local_targets: LocalTargets, pytestconfig: pytest.Config
) -> Iterator[Callable[[str, State], LocalLane]]:
    """A lane per engine and permission state, made on first use and kept for the module: a
    browser per engine and answer to the prompt (denied is a launch setting; no-decision and
    granted share one, each with a context of its own)."""
    sessions: dict[tuple[str, bool], BrowserSession] = {}
    lanes: dict[tuple[str, State], LocalLane] = {}

    def get(browser_name: str, permission: State) -> LocalLane:
        deny = permission == "denied"
        if (browser_name, deny) not in sessions:
            settings = launch_settings(sites.origins.evil, local_targets, deny, sites.host)
            sessions[(browser_name, deny)] = start_browser(
                playwright, browser_name, CookieProfile.DEFAULT, pytestconfig, settings
            )
        if (browser_name, permission) not in lanes:
            lanes[(browser_name, permission)] = LocalLane(sessions[(browser_name, deny)], permission)
        return lanes[(browser_name, permission)]

    yield get
    for lane in lanes.values():
        lane.close()
    for session in sessions.values():
        session.close()


@pytest.mark.parametrize("permission", STATES)
@pytest.mark.parametrize("case", LOCAL_REQUESTS, ids=lambda case: case.id)
def test_local_network_access(
    case: LocalRequest,
    permission: State,
    browser_name: str,
    lna_lane: Callable[[str, State], LocalLane],
    sites: Sites,
    local_targets: LocalTargets,
    request: pytest.FixtureRequest,
) -> None:
    lane = lna_lane(browser_name, permission)
    for name, value in vars(lane.info).items():
        request.node.user_properties.append((f"browser_{name}", str(value)))
    probe = request.config.stash[run_state.ENGINE].new_probe("lna")
    seen = lane.observe(case, sites.origins.evil, local_targets, probe)
    expect = pick(case.expect, browser_name, permission, case.id)
    collect.checked(request, "LocalRequest", case.id, browser_name, permission, expect, seen)


def test_a_grant_stays_in_its_own_context(
    browser_name: str,
    lna_lane: Callable[[str, State], LocalLane],
    sites: Sites,
    local_targets: LocalTargets,
    request: pytest.FixtureRequest,
) -> None:
    """The canary of shared state: the no-decision and granted lanes share a browser, so a
    permission granted to one context must not reach the other, whatever order tests run in."""
    engine = request.config.stash[run_state.ENGINE]
    states: tuple[State, ...] = ("granted", "no-decision")
    seen = [
        lna_lane(browser_name, state).observe(LOCAL_REQUESTS[0], sites.origins.evil, local_targets, probe)
        for state, probe in zip(states, [engine.new_probe("lna-canary") for _ in states], strict=True)
    ]
    arrived = [len(s.requests) for s in seen]
    assert arrived == [1, 0], f"granted, then the lane without the permission: requests arrived {arrived}"


def test_the_area_declares_itself() -> None:
    assert AREA.name == __name__.rsplit(".", 1)[-1].removeprefix("test_")
