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
