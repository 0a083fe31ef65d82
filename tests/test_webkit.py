"""WebKit's processes (Xvfb, WebKitWebDriver, MiniBrowser and its helpers) leave with the session,
even when a context was never closed (a fixture that failed half-way); its page tells errors as
Playwright's does; its jar is read where the lanes need it without moving the page."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from corsproof.process_group import running_in_group
from corsproof.profiles import CookieProfile
from corsproof.webkit import WebKitScriptError, WebKitSession, _spawn, _stop
from servers.sites import Sites, running_sites


def test_closing_the_session_stops_every_process_it_started_even_of_an_open_context() -> None:
    session = WebKitSession(CookieProfile.DEFAULT)
    groups: list[int] = []
    with contextlib.ExitStack() as stack:
        stack.callback(session.close)
        context = session.new_context()
        assert context.page.evaluate("1 + 1") == 2
        assert session._xvfb is not None
        groups = [session._xvfb.pid, context._driver_process.pid]
        assert all(running_in_group(group) for group in groups)
    assert groups and not any(running_in_group(group) for group in groups)


def test_helpers_that_outlive_their_leader_are_killed_and_gone_when_stop_returns() -> None:
    """The leader ends on SIGTERM, its helpers ignore it: _stop kills them and returns only once
    they have exited (a killed process takes a moment to go, longer under load: seen once)."""
    for _ in range(10):
        leader = _spawn(["sh", "-c", "trap '' TERM; sleep 600 & sleep 600 & trap - TERM; wait"])
        started_by = time.monotonic() + 10
        while len(running_in_group(leader.pid)) < 3:  # the helpers are started
            assert time.monotonic() < started_by, "sh did not start its two helpers within 10 s"
            os.sched_yield()
        _stop(leader)
        assert running_in_group(leader.pid) == []


def test_an_error_the_page_throws_after_loading_reaches_the_pageerror_listener(tmp_path: Path) -> None:
    """What e2e/test_report_page.py relies on in WebKit: an uncaught error of a click's handler and an
    unhandled rejection are told to the listener at the page's next command; a page that throws
    nothing tells nothing."""
    page_file = tmp_path / "throws.html"
    page_file.write_text(
        "<!doctype html><button id=b onclick=\"throw new Error('from the click')\">b</button>"
        "<button id=r onclick=\"Promise.reject(new Error('unhandled'))\">r</button>"
    )
    session = WebKitSession(CookieProfile.DEFAULT)
    try:
        page = session.new_context().new_page()
        errors: list[str] = []
        page.on("pageerror", errors.append)
        page.goto(page_file.as_uri())
        assert page.evaluate("1 + 1") == 2 and errors == []
        page.click("#b")
        page.click("#r")
        page.evaluate("() => new Promise(done => setTimeout(done))")  # the rejection is told after a task
        # Measured: WebKit mutes a file page's error event to "Script error." (its rejection keeps its words).
        assert errors == ["Script error.", "Error: unhandled"]
    finally:
        session.close()


def test_a_script_that_takes_the_page_away_before_answering_is_the_navigation_expected(tmp_path: Path) -> None:
    """WebDriver fails a script whose document unloads before it answers (a form's submit did so
    once under load): inside expect_navigation that is the navigation, and the block waits for the
    new document; outside, the page's script failed and says so; a page rejecting with the driver's
    words is the page's error."""
    (tmp_path / "next.html").write_text("<!doctype html><p>next</p>")
    (tmp_path / "form.html").write_text('<!doctype html><form action="next.html"></form>')
    never_answers = "() => { document.forms[0].submit(); return new Promise(() => {}); }"
    session = WebKitSession(CookieProfile.DEFAULT)
    try:
        page = session.new_context().new_page()
        page.goto((tmp_path / "form.html").as_uri())
        with page.expect_navigation():
            # The page's own words are the page's error, even inside the block: only the driver's count.
            with pytest.raises(WebKitScriptError) as rejected:
                page.evaluate("() => Promise.reject('Callback was not called before the unload event.')")
            assert type(rejected.value) is WebKitScriptError
            assert page.evaluate(never_answers) is None
        assert page.url.endswith("/next.html?") and page.inner_text("body") == "next"
        page.goto((tmp_path / "form.html").as_uri())
        with pytest.raises(WebKitScriptError, match="unload"):
            page.evaluate(never_answers)
    finally:
        session.close()


@pytest.fixture(scope="module")
def plain_sites() -> Iterator[Sites]:
    """The sites, for WebKit only (the suite's own fixture runs once per browser of the run)."""
    with running_sites() as running:
        yield running


def test_the_jar_is_read_in_a_window_of_its_own_live_and_the_page_stays_where_it_is(plain_sites: Sites) -> None:
    """What the lanes rely on: a cookie place's window, opened at the first read, shows a cookie set
    after it loaded (WebDriver asks the store, not the document), clearing there empties the jar,
    and the page under test is neither moved nor hidden (its animation frames still run); a cookie set
    after the clear stays."""
    place = plain_sites.url("good", "/cookie-lab/blank")
    session = WebKitSession(CookieProfile.THIRD_PARTY_ALLOWED)
    try:
        context = session.new_context(cookie_places=(place,), jar_windows=True)
        page = context.new_page()
        page.goto(plain_sites.url("thirdparty"))
        assert context.cookies() == []
        page.goto(plain_sites.url("good", "/cookie-lab/set?name=late&samesite=lax"))
        page.goto(plain_sites.url("thirdparty"))
        assert [cookie["name"] for cookie in context.cookies()] == ["late"]
        assert page.url == plain_sites.url("thirdparty")
        assert page.evaluate(
            "() => new Promise(done => requestAnimationFrame(() => done(document.visibilityState)))"
        ) == ("visible")
        context.clear_cookies()
        assert context.cookies() == []
        # The next scenario's cookie stays: nothing of the clear is still to come.
        page.goto(plain_sites.url("good", "/cookie-lab/set?name=next&samesite=lax"))
        assert [cookie["name"] for cookie in context.cookies()] == ["next"]
    finally:
        session.close()
