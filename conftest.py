"""Fixtures: the running sites, browsers per cookie profile, pages on a site, a logged-in session.

pytest-playwright provides the CLI (--browser, --headed, --tracing, --output, ...) and the
context/page fixtures with their traces; corsproof decides which browser executable runs, with
which cookie profile, and records what ran with every test result.
"""

from __future__ import annotations

import itertools
import os
from typing import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright

from corsproof.browsers import BUILD_ENV, BrowserInfo, BrowserSession, BrowserUnavailable, find_build
from corsproof.pages import ClientPage, log_in
from corsproof.profiles import CookieProfile
from servers.good import PASSWORD, SameSite
from servers.recorder import Recorder
from servers.sites import Sites, running_sites

DEFAULT_BROWSERS = ["chromium", "firefox"]
_BROWSERS_RUN = pytest.StashKey[dict[tuple[str, str], BrowserInfo]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("corsproof")
    group.addoption(
        "--cookie-profile",
        action="append",
        default=[],
        choices=[profile.value for profile in CookieProfile],
        help="cookie profile(s) to run under (repeatable; default: all)",
    )
    group.addoption(
        "--browser-build",
        default=os.environ.get(BUILD_ENV, "auto"),
        help=f"auto (Playwright's build, else the system's), playwright or system; env {BUILD_ENV}",
    )


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright defaults to Chromium alone; corsproof's claims are about both browsers.
    if not config.option.browser:
        config.option.browser = list(DEFAULT_BROWSERS)
    config.stash[_BROWSERS_RUN] = {}
    config.addinivalue_line(
        "markers", "cookie_independent: involves no cookie, so it runs under the first chosen cookie profile only"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "cookie_profile" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--cookie-profile") or [p.value for p in CookieProfile]
        profiles = [CookieProfile.parse(value) for value in chosen]
        if metafunc.definition.get_closest_marker("cookie_independent"):
            # The behaviour under test involves no cookie: one profile proves it, the others
            # would repeat the same run.
            profiles = profiles[:1]
        metafunc.parametrize("cookie_profile", profiles, ids=[p.value for p in profiles], scope="session")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    for info in config.stash[_BROWSERS_RUN].values():
        terminalreporter.write_line(f"corsproof browser: {info.summary()}")


@pytest.fixture(scope="session")
def sites() -> Iterator[Sites]:
    with running_sites() as running:
        yield running


@pytest.fixture
def recorder(sites: Sites) -> Recorder:
    return sites.recorder


@pytest.fixture(scope="session")
def browser_session(
    playwright: Playwright, browser_name: str, cookie_profile: CookieProfile, pytestconfig: pytest.Config
) -> Iterator[BrowserSession]:
    engine_type = getattr(playwright, browser_name)
    try:
        build = find_build(browser_name, engine_type.executable_path, pytestconfig.getoption("--browser-build"))
        session = BrowserSession(engine_type, build, cookie_profile, headless=not pytestconfig.getoption("--headed"))
    except BrowserUnavailable as error:
        pytest.exit(f"corsproof: {error}", returncode=4)
    pytestconfig.stash[_BROWSERS_RUN][(browser_name, cookie_profile.value)] = session.info
    yield session
    session.close()


@pytest.fixture(scope="session")
def browser(browser_session: BrowserSession) -> Browser:
    """pytest-playwright's browser, launched the corsproof way (see BrowserSession)."""
    return browser_session.browser


@pytest.fixture
def new_context(
    browser_session: BrowserSession, _artifacts_recorder, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BrowserContext]]:
    """pytest-playwright's new_context, from the session's browser and cookie profile.

    It hands each context to pytest-playwright's artifacts recorder, so --tracing, --video and
    --screenshot keep working, and it records what browser ran with the test's result.
    """
    for name, value in vars(browser_session.info).items():
        request.node.user_properties.append((f"browser_{name}", str(value)))
    contexts: list[BrowserContext] = []

    def make(**kwargs: object) -> BrowserContext:
        context = browser_session.new_context(**kwargs)
        _artifacts_recorder.on_did_create_browser_context(context)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        _artifacts_recorder.on_will_close_browser_context(context)
        context.close()


@pytest.fixture
def open_page(context: BrowserContext, sites: Sites, browser_name: str) -> Callable[[str], ClientPage]:
    """Open a site's client page (thirdparty, evil, sibling or good) in the test's context."""

    def open_(site: str, path: str = "/") -> ClientPage:
        return ClientPage.open(context, sites.url(site, path), chromium=browser_name == "chromium")

    return open_


@pytest.fixture
def login(context: BrowserContext, sites: Sites) -> Callable[..., None]:
    """Log in on good through its real form, in the test's context; SameSite of the cookie chosen."""

    def login_(samesite: SameSite = "none") -> None:
        log_in(context, sites.url("good"), PASSWORD, samesite)

    return login_


_probe_counter = itertools.count()


@pytest.fixture
def new_probe() -> Callable[[], str]:
    """Unique tokens for ?probe=, so a test finds its own requests in the server record."""
    return lambda: f"p{next(_probe_counter)}"
