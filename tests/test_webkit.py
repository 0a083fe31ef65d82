"""WebKit's processes (Xvfb, WebKitWebDriver, MiniBrowser and its helpers) leave with the session,
even when a context was never closed (a fixture that failed half-way)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from corsproof.profiles import CookieProfile
from corsproof.webkit import WebKitSession


def group_alive(pgid: int) -> bool:
    """A process of the group still runs. Zombies do not count: the helpers, orphaned when their
    leader is killed, are reaped by the machine's init, which in a container may never do so."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ")".
            state, _, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
            if int(group) == pgid and state != "Z":
                return True
    return False


def test_closing_the_session_stops_every_process_it_started_even_of_an_open_context() -> None:
    session = WebKitSession(CookieProfile.DEFAULT)
    groups: list[int] = []
    with contextlib.ExitStack() as stack:
        stack.callback(session.close)
        context = session.new_context()
        assert context.page.evaluate("1 + 1") == 2
        assert session._xvfb is not None
        groups = [session._xvfb.pid, context._driver_process.pid]
        assert all(group_alive(group) for group in groups)
    assert groups and not any(group_alive(group) for group in groups)


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
