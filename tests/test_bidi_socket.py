"""Stock Firefox's WebDriver BiDi socket runs without Nagle's algorithm (corsproof/bidi_socket.py),
and where that cannot be done the run says why instead of failing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from corsproof import bidi_socket
from corsproof.browsers import BrowserSession


@pytest.mark.only_browser("firefox")
@pytest.mark.cookie_independent
def test_the_driver_connection_of_stock_firefox_has_nagle_off(browser_session: BrowserSession) -> None:
    """Playwright's one connection to the browser: without TCP_NODELAY an awaited evaluate waits
    ~40 ms for a delayed ACK."""
    if browser_session.build.build != "stock" or browser_session.connect is not None:
        pytest.fail("this test is about a stock Firefox launched here, which the run did not launch")
    assert browser_session.driver_note is None
    launched = bidi_socket.main_processes(os.path.realpath(browser_session.build.executable))
    assert launched, "no Firefox below this process"
    for main in launched:  # this session's and any other this run launched (a lane of its own each)
        with bidi_socket.accepted_connections(main) as connections:
            assert [c.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for c in connections] == [1]


def test_a_browser_that_cannot_be_reached_is_said_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process that no longer exists: pidfd_open fails as it would without the right to trace
    monkeypatch.setattr(bidi_socket, "main_processes", lambda binary: [gone.pid])
    note = bidi_socket.disable_nagle("/usr/bin/firefox-esr")
    assert note is not None and "keeps Nagle's algorithm" in note and "results are the same" in note
