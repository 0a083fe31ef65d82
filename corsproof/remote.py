"""A Playwright browser server on this machine, in a process group of its own, for --connect.

`python -m playwright run-server` (the driver inside the Python package: nothing to download)
serves the browsers of whoever connects; --unsafe lets a client name the executable, which
corsproof does to run the stock browsers. The port comes from the OS; the server says which.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from corsproof.process_group import wait_for_group_exit

START_DEADLINE_S = 30.0
STOP_DEADLINE_S = 10.0


@dataclass(frozen=True)
class BrowserServer:
    url: str  # ws://HOST:PORT/, for --connect
    process_group: int


@contextlib.contextmanager
def browser_server(host: str = "127.0.0.1") -> Iterator[BrowserServer]:
    """Serve browsers until the block ends. The whole process group ends with it."""
    command = [sys.executable, "-m", "playwright", "run-server", "--host", host, "--port", "0", "--unsafe"]
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        yield BrowserServer(_wait_for_url(server), server.pid)
    finally:
        _stop(server)


def _wait_for_url(server: subprocess.Popen[str]) -> str:
    found: list[str] = []
    said: list[str] = []

    def read() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            said.append(line)
            match = re.search(r"Listening on (ws://\S+)", line)
            if match:
                found.append(match.group(1))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(START_DEADLINE_S)
    if not found:
        raise RuntimeError(f"the browser server did not start within {START_DEADLINE_S} s: {''.join(said)[-500:]!r}")
    return found[0]


def _stop(server: subprocess.Popen[str]) -> None:
    """End the whole process group (the Python launcher, the Node driver, its browsers): TERM,
    then KILL for what is still there at the deadline. Returns once every member has exited."""
    group = server.pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(STOP_DEADLINE_S)
        if wait_for_group_exit(group, time.monotonic() + STOP_DEADLINE_S):
            break
    if server.stdout is not None:
        server.stdout.close()
