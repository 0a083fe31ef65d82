"""A test module may shadow the plugin's `sites` fixture with servers of its own (tests/ does, to
send raw bytes to fresh sites); the plugin's session fixtures must keep working whatever module
runs first. CI once failed every test when random order put such a module first."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SHADOWS_SITES = """
import pytest
from servers.sites import running_sites

@pytest.fixture(scope="module")
def sites():
    with running_sites() as running:
        yield running

def test_shadowed_sites_and_the_https_good_live_side_by_side(sites, https_good):
    assert https_good.startswith("https://good.localhost:")
    assert sites.origins.good.startswith("http://good.localhost:")
"""


def test_a_module_that_shadows_sites_does_not_break_the_session_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["corsproof.suite.plugin"]')
    pytester.makepyfile(test_shadows=SHADOWS_SITES)
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "--browser", "chromium", "--basetemp", str(pytester.path / "tmp")
    )
    result.assert_outcomes(passed=1)
