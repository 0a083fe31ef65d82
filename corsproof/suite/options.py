"""The suite's options, read once as the run starts.

pytest-playwright provides the browser options (--browser, --headed, --tracing, --output, ...);
corsproof adds the cookie profiles, where the sites listen, a remote browser server, shards and
which build of each browser runs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from corsproof import video
from corsproof.browsers import BUILD_ENV, ENGINES
from corsproof.profiles import CookieProfile
from corsproof.serving.runner import bind_socket
from corsproof.suite.engine import Engine as ScenarioEngine
from corsproof.suite.selection import LaneGroups
from corsproof.suite.state import AGED_STARTS, AGING, DRIVER_NOTES, ENGINE, LADDERS, LENT_BROWSERS_PATH, UNMEASURED

DEFAULT_BROWSERS = ["chromium", "firefox", "webkit"]
# Chromium and Firefox through Playwright; WebKit (Debian's WebKitGTK) through WebDriver (corsproof/webkit.py).
SUITE_ENGINES = ENGINES
CONNECT_ENV = "CORSPROOF_CONNECT"
SITES_HOST_ENV = "CORSPROOF_SITES_HOST"
GOOD_SCHEME_ENV = "CORSPROOF_GOOD_SCHEME"


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
        "--connect",
        metavar="WS_URL",
        default=os.environ.get(CONNECT_ENV),
        help="run every browser on this Playwright browser server (python -m playwright run-server "
        f"--unsafe) instead of launching it here; env {CONNECT_ENV}",
    )
    group.addoption(
        "--sites-host",
        metavar="ADDRESS",
        default=os.environ.get(SITES_HOST_ENV, "127.0.0.1"),
        help="the address the sites listen on, reachable from the browsers (a browser server elsewhere); "
        f"the browsers are told to find every *.localhost name there; env {SITES_HOST_ENV}",
    )
    group.addoption(
        "--good-scheme",
        choices=["http", "https"],
        default=os.environ.get(GOOD_SCHEME_ENV, "http"),
        help="serve good and app.good over http or https (a throwaway CA's certificate, accepted by the "
        f"browsers); thirdparty and evil stay on http; env {GOOD_SCHEME_ENV} (default: http)",
    )
    group.addoption(
        "--shard",
        metavar="I/N",
        default=None,
        help="run only shard I of N: every lane (browser x cookie profile) whole in one shard; "
        "merge the shards' reports with corsproof report merge",
    )
    group.addoption(
        "--browser-build",
        default=os.environ.get(BUILD_ENV, "auto"),
        help=f"auto (Playwright's build, else the system's), playwright or system; env {BUILD_ENV}",
    )


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright defaults to Chromium alone; corsproof's claims are about every engine.
    remote = config.getoption("--connect") is not None or config.getoption("--sites-host") != "127.0.0.1"
    if not config.option.browser:
        # WebKit runs here only (corsproof/webkit.py): a remote run's default is the other two.
        config.option.browser = [name for name in DEFAULT_BROWSERS if not (remote and name == "webkit")]
    if remote and "webkit" in config.option.browser:
        raise pytest.UsageError(
            "--browser webkit runs on this machine only (Debian's WebKitGTK over WebDriver, with the sites on "
            "loopback): drop --connect and --sites-host for it, or run it separately"
        )
    undriven = [name for name in config.option.browser if name not in SUITE_ENGINES]
    if undriven:
        raise pytest.UsageError(
            f"corsproof's suite drives {', '.join(SUITE_ENGINES)}, not {', '.join(undriven)}: every expectation "
            "was measured on them."
        )
    config.stash[DRIVER_NOTES] = set()
    config.stash[UNMEASURED] = set()
    config.addinivalue_line(
        "markers",
        "unmeasured(browser, why): no expectation of this module's was measured in that browser yet; "
        "its tests are deselected there and the run's summary says so",
    )
    seed = getattr(config.option, "randomly_seed", 0)
    tracing = config.getoption("--tracing", "off") != "off"
    traces = Path(tempfile.mkdtemp(prefix="corsproof-traces-")) if tracing else None
    config.stash[ENGINE] = ScenarioEngine(seed=seed if isinstance(seed, int) else 0, trace_dir=traces)
    config.addinivalue_line(
        "markers", "cookie_independent: involves no cookie, so it runs under the first chosen cookie profile only"
    )
    config.addinivalue_line(
        "markers",
        "slow: needs its cookies older than a browser's time window; its context is made when the run "
        "starts and it runs last, so that the wait overlaps the rest of the run",
    )
    config.stash[AGED_STARTS] = set()
    config.stash[LADDERS] = {}
    config.stash[AGING] = {}
    _check_sites_host(config.getoption("--sites-host"))
    config.stash[LENT_BROWSERS_PATH] = None
    if config.getoption("--video", "off") != "off":
        try:
            config.stash[LENT_BROWSERS_PATH] = video.lend_system_ffmpeg()
        except video.NoFfmpeg as error:
            raise pytest.UsageError(str(error)) from None
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(LaneGroups(), "corsproof-lane-groups")


def pytest_unconfigure(config: pytest.Config) -> None:
    if ENGINE in config.stash:
        config.stash[ENGINE].discard_traces()
    lent = config.stash.get(LENT_BROWSERS_PATH, None)
    if lent is not None:
        shutil.rmtree(lent, ignore_errors=True)


# pytest-playwright's options that change what a run records or emulates, and their "not set" values.
PLAYWRIGHT_ONLY: dict[str, tuple[object, ...]] = {
    "--video": ("off",),
    "--device": (None,),
    "--tracing": ("off",),
    "--screenshot": ("off",),
    "--slowmo": (0,),
    "--browser-channel": (None,),
}


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = []
    if config.getoption("--video", "off") != "off" and "firefox" in config.option.browser:
        lines.append(video.FIREFOX_NOTE)
    given = [name for name, unset in PLAYWRIGHT_ONLY.items() if config.getoption(name, unset[0]) not in unset]
    if given and "webkit" in config.option.browser:
        lines.append(
            f"{', '.join(given)}: Playwright's, which WebKit's lanes (driven over WebDriver, corsproof/webkit.py) "
            "run without; Chromium and Firefox take them"
        )
    return lines


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "cookie_profile" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--cookie-profile") or [p.value for p in CookieProfile]
        profiles = [CookieProfile.parse(value) for value in chosen]
        if metafunc.definition.get_closest_marker("cookie_independent"):
            # The behaviour under test involves no cookie: one profile proves it, the others
            # would repeat the same run.
            profiles = profiles[:1]
        metafunc.parametrize("cookie_profile", profiles, ids=[p.value for p in profiles], scope="session")


def _check_sites_host(host: str) -> None:
    """An address the sites cannot listen on ends the run in one line, before any test."""
    try:
        bind_socket(host).close()
    except (OSError, ValueError) as error:
        raise pytest.UsageError(
            f"--sites-host {host}: the sites cannot listen there ({error}); give an IPv4 address of this machine "
            "that the browsers can reach"
        ) from None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    notes: set[str] = config.stash[DRIVER_NOTES]
    for note in sorted(notes):
        terminalreporter.write_line(f"corsproof driver: {note}", yellow=True)
    gaps: set[str] = config.stash.get(UNMEASURED, set())
    for gap in sorted(gaps):
        terminalreporter.write_line(f"corsproof not measured: {gap}", yellow=True)
