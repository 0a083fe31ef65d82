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
from corsproof.browsers import BUILD_ENV, DRIVEN
from corsproof.profiles import CookieProfile
from corsproof.serving.runner import bind_socket
from corsproof.suite.engine import Engine as ScenarioEngine
from corsproof.suite.selection import LaneGroups
from corsproof.suite.state import AGED_STARTS, AGING, DRIVER_NOTES, ENGINE, LENT_BROWSERS_PATH

DEFAULT_BROWSERS = ["chromium", "firefox"]
CONNECT_ENV = "CORSPROOF_CONNECT"
SITES_HOST_ENV = "CORSPROOF_SITES_HOST"


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
    # pytest-playwright defaults to Chromium alone; corsproof's claims are about both browsers.
    if not config.option.browser:
        config.option.browser = list(DEFAULT_BROWSERS)
    undriven = [name for name in config.option.browser if name not in DRIVEN]
    if undriven:
        raise pytest.UsageError(
            f"corsproof drives {' and '.join(DRIVEN)}, not {', '.join(undriven)}: every expectation was measured "
            "on them, and no WebKit has been measured (nor can Playwright's WebKit be downloaded everywhere)."
        )
    config.stash[DRIVER_NOTES] = set()
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


def pytest_report_header(config: pytest.Config) -> list[str]:
    if config.getoption("--video", "off") != "off" and "firefox" in config.option.browser:
        return [video.FIREFOX_NOTE]
    return []


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
