"""The audit's kept browsers (corsproof/audit/browser_pool.py): which audits may use them, one
pool for a block's audits, and a browser that has gone launched again. That an audit sees nothing
of the one before it in them is tests/test_audit_setup.py's canary."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corsproof.audit import browser_pool
from corsproof.audit.attackers import Origin
from corsproof.audit.login import Login
from corsproof.audit.run import Plan, _launched_with_names
from corsproof.profiles import CookieProfile


@pytest.fixture(autouse=True)
def no_outer_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test makes its own pools: a cors_audit session's, open for the rest of a run that has
    used it (a pytest of e2e/ and tests/ together), would serve them all (seen failing)."""
    monkeypatch.setattr(browser_pool, "_kept", None)


def plan(app_origin: str, *trusted: str) -> Plan:
    return Plan(None, Origin.parse(app_origin), trusted, login=Login("url", "/login"))


@pytest.mark.parametrize(
    ("app_origin", "trusted", "own_launch"),
    [
        ("https://api.shop.example", ("https://www.shop.example",), False),  # names only: the proxy leads
        ("http://localhost:8000", ("http://localhost:3000",), True),  # a local app: its public website's port
        ("https://api.shop.example", ("http://localhost:3000",), True),  # a trusted localhost: its control's page
        ("https://api.shop.example", ("http://127.0.0.1:3000",), True),  # loopback, by address
        ("https://api.shop.example", ("http://127.1:3000",), True),  # the same, as a browser reads 127.1
        ("https://api.shop.example", ("http://2130706433:3000",), True),  # and 2130706433
        ("https://api.shop.example", ("https://*.shop.example",), False),  # a pattern: its member's names
    ],
)
def test_an_audit_with_an_origin_on_the_machine_launches_its_own_browsers(
    app_origin: str, trusted: tuple[str, ...], own_launch: bool
) -> None:
    """A proxy changes what a browser does with loopback (Chromium proxies it only because Playwright
    asks; Firefox, made to, no longer counts http://localhost secure): such an audit maps its names
    at launch instead."""
    assert _launched_with_names(plan(app_origin, *trusted)) is own_launch


def test_the_audits_of_a_block_share_one_pool_and_one_alone_has_its_own() -> None:
    """kept() holds one pool for every audit in its block, nested blocks included; outside one,
    borrowed() gives each audit a pool of its own."""
    with browser_pool.kept() as outer, browser_pool.kept() as inner, browser_pool.borrowed() as used:
        assert outer is inner is used
    with browser_pool.borrowed() as first, browser_pool.borrowed() as second:
        assert first is not second


def test_a_kept_browser_that_has_gone_is_launched_again() -> None:
    """A browser that crashed or was killed between two audits is not handed to the second."""
    with browser_pool.kept() as pool:

        def kept_browser() -> Any:
            return pool.browser("chromium", "auto", CookieProfile.DEFAULT, True).browser

        first = pool.call(kept_browser)
        assert pool.call(kept_browser) is first  # kept while it lives
        pool.call(first.close)
        again = pool.call(kept_browser)
        assert again is not first
        assert pool.call(again.is_connected)


def test_a_persistent_chromium_profile_is_the_lanes_alone_and_leaves_no_folder() -> None:
    """Chromium's third-party profiles are a browser per context: the kept session's plain browser
    serves audit after audit, while each lane's context is a browser of its own on a fresh profile,
    its folder gone once the lane's context is closed."""
    with browser_pool.kept() as pool:

        def lane() -> tuple[Any, Path]:
            session = pool.browser("chromium", "auto", CookieProfile.THIRD_PARTY_ALLOWED, True)
            context = session.new_context()
            (folder,) = session._folders.values()
            assert folder.is_dir()
            session.close_context(context)
            return session.browser, folder

        first, first_folder = pool.call(lane)
        second, second_folder = pool.call(lane)
        assert first is second, "the plain browser is kept"
        assert first_folder != second_folder, "each lane's profile is fresh"
        assert not first_folder.exists() and not second_folder.exists()


@pytest.fixture
def ctrl_c_taken() -> Iterator[None]:
    """Python's own Ctrl-C handler, as a person's terminal run has it: a run started in the
    background of a shell without job control (`cmd &` in a script) inherits SIGINT ignored, and
    Python then installs none (seen: the test's Ctrl-C lost, the call run to its end)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


@pytest.mark.usefixtures("ctrl_c_taken")
def test_an_interrupted_call_stops_its_work_at_the_next_check() -> None:
    """Ctrl-C while an audit runs on the pool's thread: the caller leaves at once and the work
    stops at its next check, rather than run on against servers that have stopped; the pool's
    next call runs."""
    with browser_pool.kept() as pool:
        began, release = threading.Event(), threading.Event()
        checks: list[str] = []

        def audit() -> None:
            began.set()
            release.wait(30)
            try:
                pool.check_interrupted()
            except browser_pool.Interrupted:
                checks.append("stopped")
                raise
            checks.append("ran on")

        def interrupt_once_begun() -> None:
            began.wait(30)
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

        threading.Thread(target=interrupt_once_begun).start()
        with pytest.raises(KeyboardInterrupt):
            pool.call(audit)
        release.set()
        assert pool.call(lambda: "next") == "next"
        assert checks == ["stopped"]
