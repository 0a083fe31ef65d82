"""Cross-site request forgery from evil, per SameSite value of the session cookie, and its defences.

Each forgery asserts what evil's page saw (nothing readable), the Origin and cookie good received,
good's answer and its ledger: what good carried out for this test's probe.
Scenarios and expectations: e2e/csrf_cases.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from corsproof.model import Observation
from corsproof.suite.lane import Lane
from corsproof.suite.scenarios import Forgery
from e2e.csrf_cases import DEFENCES, DEFENDED, FORGERIES
from servers.sites import Sites

RunScenario = Callable[[Forgery], Observation]


@pytest.mark.parametrize("scenario", FORGERIES, ids=lambda f: f.id)
def test_csrf_by_samesite_of_the_session_cookie(scenario: Forgery, run_scenario: RunScenario) -> None:
    (request,) = run_scenario(scenario).requests
    assert request.method == "POST", "the forged POST reached good"


@pytest.mark.parametrize("scenario", DEFENDED, ids=lambda f: f.id)
def test_defence_refuses_forgery_with_403_and_carries_out_nothing(scenario: Forgery, run_scenario: RunScenario) -> None:
    """With the cookie that lets every forgery through (SameSite=None), the defence alone stops it."""
    run_scenario(scenario)


@pytest.mark.parametrize("defence", DEFENCES)
def test_defence_lets_good_own_page_transfer(
    defence: str, clean_lane: Lane, login: Callable[..., None], sites: Sites, new_probe: Callable[[], str]
) -> None:
    """The defences must not break good itself: its own same-origin request goes through."""
    login("none")
    probe = new_probe()
    page = clean_lane.open(sites.url("good"), fresh=True).page
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
