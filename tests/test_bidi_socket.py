"""Stock Firefox's WebDriver BiDi socket runs without Nagle's algorithm (corsproof/bidi_socket.py),
and where that cannot be done the run says why instead of failing."""

from __future__ import annotations

import ctypes
import os
import socket
import subprocess
import sys

import pytest

from corsproof import bidi_socket
from corsproof.browsers import BrowserSession


def _accepted_connections_nodelay(pid: int) -> list[int]:
    """TCP_NODELAY of each connection the process accepted (local port = one it listens on)."""
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = libc.syscall(434, pid, 0)
    assert pidfd >= 0, os.strerror(ctypes.get_errno())
    try:
        copies = []
        for fd in os.listdir(f"/proc/{pid}/fd"):
            if not os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                continue
            copy = libc.syscall(438, pidfd, int(fd), 0)
            if copy >= 0:
                copies.append(socket.socket(fileno=copy))
        tcp = [s for s in copies if s.family == socket.AF_INET and s.type == socket.SOCK_STREAM]
        listening = {s.getsockname()[1] for s in tcp if s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)}
        accepted = [s for s in tcp if s.getsockname()[1] in listening]
        accepted = [s for s in accepted if not s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)]
        flags = [s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in accepted]
        for copy in copies:
            copy.close()
        return flags
    finally:
        os.close(pidfd)


@pytest.mark.only_browser("firefox")
@pytest.mark.cookie_independent
def test_the_driver_connection_of_stock_firefox_has_nagle_off(browser_session: BrowserSession) -> None:
    """Playwright's one connection to the browser: without TCP_NODELAY an awaited evaluate waits
    ~40 ms for a delayed ACK."""
    if browser_session.build.build != "stock" or browser_session.connect is not None:
        pytest.fail("this test is about a stock Firefox launched here, which the run did not launch")
    assert browser_session.driver_note is None
    launched = bidi_socket._main_processes(os.path.realpath(browser_session.build.executable))
    assert launched, "no Firefox below this process"
    for main in launched:  # this session's and any other this run launched (a lane of its own each)
        assert _accepted_connections_nodelay(main) == [1]


def test_a_browser_that_cannot_be_reached_is_said_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process that no longer exists: pidfd_open fails as it would without the right to trace
    monkeypatch.setattr(bidi_socket, "_main_processes", lambda binary: [gone.pid])
    note = bidi_socket.disable_nagle("/usr/bin/firefox-esr")
    assert note is not None and "keeps Nagle's algorithm" in note and "results are the same" in note
