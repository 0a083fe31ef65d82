"""Cookies over two minutes old, in Chromium and Firefox: the cookie matrix's cross-site form
POST and CSRF by evil's form against a session cookie without SameSite. The cookies are set in a
context of their own when the browser starts; these tests run last, once they are old enough.
A top-level POST does not depend on the third-party cookie setting (see the cookie matrix), so
one profile proves it. Cases and expectations: e2e/aged_cookies_cases.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from corsproof.model import Observation
from corsproof.suite.scenarios import Scenario
from e2e.aged_cookies_cases import AGE_S, CSRF_FORM, FORM_POST

pytestmark = [pytest.mark.slow, pytest.mark.cookie_independent]


@pytest.mark.parametrize("scenario", [FORM_POST, CSRF_FORM], ids=lambda s: s.id)
def test_cookie_older_than_two_minutes(scenario: Scenario, run_aged: Callable[[Scenario, float], Observation]) -> None:
    run_aged(scenario, AGE_S)
