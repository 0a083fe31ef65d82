"""The browsers and lanes: one browser per browser and cookie profile, one shared context and
page per lane, and pytest-playwright's own fixtures (browser, new_context) made from them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright

from corsproof.browsers import BrowserSession, BrowserUnavailable, Engine, LaunchSetting, find_build
from corsproof.names import NameMap
from corsproof.profiles import CookieProfile
from corsproof.report import collect
from corsproof.suite import state
from corsproof.suite.lane import Lane
from corsproof.webkit import WebKitSession, WebKitUnavailable
from servers.sites import Sites


@pytest.fixture(scope="session")
def browser_session(
    playwright: Playwright,
    browser_name: str,
    cookie_profile: CookieProfile,
    pytestconfig: pytest.Config,
    record_testsuite_property: Callable[[str, object], None],
) -> Iterator[BrowserSession]:
    began = time.monotonic()
    session = start_browser(playwright, browser_name, cookie_profile, pytestconfig)
    # In the JUnit report, for scripts/benchmark --run: the first test of a lane holds its start-up.
    record_testsuite_property(
        f"{state.STARTUP} {browser_name} {cookie_profile.value}", f"{time.monotonic() - began:.2f}"
    )
    collect.ran_browser(pytestconfig, f"{browser_name}/{cookie_profile.value}", session.info)
    if session.driver_note is not None:
        pytestconfig.stash[state.DRIVER_NOTES].add(f"{browser_name}: {session.driver_note}")
    yield session
    session.close()


def _sites_map(config: pytest.Config) -> NameMap | None:
    """Sites on loopback need no map: both browsers resolve *.localhost there by themselves."""
    host: str = config.getoption("--sites-host")
    return None if host == "127.0.0.1" else NameMap.every_name_to(host)


def start_browser(
    playwright: Playwright,
    browser_name: str,
    profile: CookieProfile,
    config: pytest.Config,
    settings: tuple[LaunchSetting, ...] = (),
) -> BrowserSession:
    """A browser the way the run's options say (build, --headed, traces, --connect), with settings
    of the caller's added; a browser that cannot be had ends the run in one line before any test."""
    if browser_name == "webkit":
        try:
            return WebKitSession(profile, not config.getoption("--headed"), settings=settings)  # type: ignore[return-value]
        except WebKitUnavailable as error:
            pytest.exit(f"corsproof: {error}", returncode=4)
    engine_type = getattr(playwright, browser_name)
    traces = config.stash[state.ENGINE].trace_dir
    try:
        build = find_build(cast(Engine, browser_name), engine_type.executable_path, config.getoption("--browser-build"))
        return BrowserSession(
            engine_type,
            build,
            profile,
            headless=not config.getoption("--headed"),
            traces_dir=traces / "playwright" if traces else None,
            connect=config.getoption("--connect"),
            name_map=_sites_map(config),
            settings=settings,
        )
    except BrowserUnavailable as error:
        pytest.exit(f"corsproof: {error}", returncode=4)


@pytest.fixture(scope="session")
def browser(browser_session: BrowserSession) -> Browser:
    """pytest-playwright's browser, launched the corsproof way (see BrowserSession)."""
    return browser_session.browser


@pytest.fixture
def new_context(
    browser_session: BrowserSession,
    browser_context_args: dict[str, Any],
    _artifacts_recorder: Any,
    request: pytest.FixtureRequest,
) -> Iterator[Callable[..., BrowserContext]]:
    """pytest-playwright's new_context (and so its context and page), from the session's browser
    and cookie profile: a test written with them gets the profile's cookie setting too.

    pytest-playwright's context options come along (--device, --video, --base-url and the
    browser_context_args marker), and each context goes to its artifacts recorder, so --tracing,
    --video and --screenshot keep their per-test files.
    """
    marker = request.node.get_closest_marker("browser_context_args")
    # good may be served over https (--good-scheme) with a throwaway CA's certificate, not under test.
    options = {"ignore_https_errors": True, **browser_context_args, **(marker.kwargs if marker else {})}
    contexts: list[BrowserContext] = []

    def make(**kwargs: object) -> BrowserContext:
        context = browser_session.new_context(**{**options, **kwargs})
        _artifacts_recorder.on_did_create_browser_context(context)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        _artifacts_recorder.on_will_close_browser_context(context)
        context.close()


@pytest.fixture(scope="session")
def lane(
    browser_session: BrowserSession,
    _corsproof_sites: Sites,
    https_good: str,
    browser_context_args: dict[str, Any],
    pytestconfig: pytest.Config,
) -> Iterator[Lane]:
    """The one context and page every test of this browser and cookie profile shares.

    It takes pytest-playwright's context options (--device, --base-url) but not --video: a video
    of a lane would hold every scenario of the run; a test's own page and context record theirs.
    """
    options = {k: v for k, v in browser_context_args.items() if not k.startswith("record_video")}
    lane = Lane(browser_session, _corsproof_sites, https_good, options)
    tracing = lane.tracing if pytestconfig.stash[state.ENGINE].trace_dir is not None else None
    if tracing is not None:
        tracing.start(snapshots=False, sources=False)
    yield lane
    if tracing is not None:
        tracing.stop()  # else Playwright leaves its tracing directory in /tmp
    lane.close()


@pytest.fixture(autouse=True)
def _record_browser(request: pytest.FixtureRequest) -> None:
    """Every browser test's result says which browser ran: name, version, build, profile."""
    if "browser_session" in request.fixturenames:
        session: BrowserSession = request.getfixturevalue("browser_session")
        record_browser(request, session)


def record_browser(request: pytest.FixtureRequest, session: BrowserSession) -> None:
    """The test's result records the session's browser: name, version, build, profile, deviations."""
    for name, value in vars(session.info).items():
        request.node.user_properties.append((f"browser_{name}", str(value)))
