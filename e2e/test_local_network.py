"""Local Network Access: can evil's public page reach a dev server on loopback or a router on a
private address, with nobody answering the prompt, the permission denied, or granted?

Each lane is a browser told which of its loopback ports stand for public and private addresses
(corsproof/suite/local_network.py); each test one request from evil's page, and the cell says
whether an HTTP request reached the server, what the page saw, and why. Cases and expectations:
e2e/local_network_cases.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Playwright

from corsproof.browsers import BrowserSession
from corsproof.lna import PERMISSION, AddressSpaces
from corsproof.model import Observation, pick
from corsproof.names import NameMap
from corsproof.profiles import CookieProfile
from corsproof.report import collect
from corsproof.suite import state as run_state
from corsproof.suite.browser_fixtures import start_browser
from corsproof.suite.local_network import INSECURE_HOST, STATES, LocalRequest, State
from e2e.local_network_cases import AREA, LOCAL_REQUESTS
from servers.local_network import LocalTargets, running_local_targets
from servers.sites import Sites

PNA_REQUEST_HEADER = "access-control-request-private-network"


@pytest.fixture(scope="module")
def local_targets(sites: Sites) -> Iterator[LocalTargets]:
    with running_local_targets(sites.host) as running:
        yield running


@pytest.fixture(scope="module")
def lna_browser(
    playwright: Playwright, sites: Sites, local_targets: LocalTargets, pytestconfig: pytest.Config
) -> Iterator[Callable[[str, State], BrowserSession]]:
    """A browser per engine and permission answer (denied is a launch setting), launched on first
    use and kept for the module: evil's port public, the router's private, every name on loopback."""
    sessions: dict[tuple[str, bool], BrowserSession] = {}

    def get(browser_name: str, permission: State) -> BrowserSession:
        deny = permission == "denied"
        if (browser_name, deny) not in sessions:
            spaces = AddressSpaces(
                urlsplit(sites.origins.evil).port or 80, local_targets.ports["router"], deny, sites.host
            )
            where = NameMap.every_name_to(sites.host)  # http://evil.test, the insecure page
            settings = (where, spaces)
            sessions[(browser_name, deny)] = start_browser(
                playwright, browser_name, CookieProfile.DEFAULT, pytestconfig, settings
            )
        return sessions[(browser_name, deny)]

    yield get
    for session in sessions.values():
        session.close()


def observe(
    session: BrowserSession, case: LocalRequest, grant: bool, sites: Sites, targets: LocalTargets, probe: str
) -> Observation:
    """The one helper: case's request from evil's page, in a fresh context of session (granted the
    permission or not), and what the page and the local server saw."""
    page_url = sites.url("evil")
    if case.insecure:
        page_url = page_url.replace(urlsplit(page_url).hostname or "", INSECURE_HOST, 1)
    context = session.new_context()
    try:
        if grant:
            context.grant_permissions([PERMISSION])
        url = targets.url(case.target, f"{case.route}?probe={probe}")
        seen = case.run(context, page_url, url, targets.recorder, probe)
    finally:
        context.close()
    # Private Network Access's preflight header is gone from both browsers: never sent, in any lane.
    assert not [e for e in seen.exchanges if e.header(PNA_REQUEST_HEADER)], "a PNA preflight header was sent"
    return seen


@pytest.mark.parametrize("permission", STATES)
@pytest.mark.parametrize("case", LOCAL_REQUESTS, ids=lambda case: case.id)
def test_local_network_access(
    case: LocalRequest,
    permission: State,
    browser_name: str,
    lna_browser: Callable[[str, State], BrowserSession],
    sites: Sites,
    local_targets: LocalTargets,
    request: pytest.FixtureRequest,
) -> None:
    session = lna_browser(browser_name, permission)
    for name, value in vars(session.info).items():
        request.node.user_properties.append((f"browser_{name}", str(value)))
    probe = request.config.stash[run_state.ENGINE].new_probe("lna")
    seen = observe(session, case, permission == "granted", sites, local_targets, probe)
    expect = pick(case.expect, browser_name, permission, case.id)
    collect.checked(request, "LocalRequest", case.id, browser_name, permission, expect, seen)


def test_a_grant_stays_in_its_own_context(
    browser_name: str,
    lna_browser: Callable[[str, State], BrowserSession],
    sites: Sites,
    local_targets: LocalTargets,
    request: pytest.FixtureRequest,
) -> None:
    """The canary of shared state: the no-decision and granted lanes share a browser, so a
    permission granted to one context must not reach the next one, whatever order tests run in."""
    session = lna_browser(browser_name, "granted")
    probes = [request.config.stash[run_state.ENGINE].new_probe("lna-canary") for _ in range(2)]
    arrived = [
        len(observe(session, LOCAL_REQUESTS[0], grant, sites, local_targets, probe).requests)
        for grant, probe in zip((True, False), probes, strict=True)
    ]
    assert arrived == [1, 0], f"granted, then a fresh context: requests arrived {arrived}"


def test_the_area_declares_itself() -> None:
    assert AREA.name == __name__.rsplit(".", 1)[-1].removeprefix("test_")
