"""Nagle's algorithm off on the socket stock Firefox's WebDriver BiDi server accepted from Playwright.

Why: Firefox turns Nagle's algorithm off (TCP_NODELAY) on the connections it opens, not on the one
its Remote Agent accepts from Playwright's driver. A message Firefox writes while an earlier one is
still unacknowledged then waits for the driver's delayed ACK, 40 ms on Linux, and an awaited
`page.evaluate` (a fetch) took ~53 ms instead of ~8 ms on this project's machine: two thirds of
the Firefox suite's time. Only the driver's channel changes: the sites' traffic, the browser and
every observation stay as they were.

How: pidfd_getfd(2) (Linux 5.6+) gives this process a copy of the browser's socket, and an option
set on the copy is set on the socket itself. It needs the right to trace the browser, which a
process has over its own children's children unless the system forbids it; where it cannot, the
run says so and is only slower. Playwright exposes neither the browser's process nor its socket,
hence /proc. (The other cure, quick ACKs on loopback with `ip route ... quickack 1`, needs root and
changes the whole machine.)
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

_SYS_PIDFD_OPEN = 434  # the same number on every Linux architecture (the unified syscall table)
_SYS_PIDFD_GETFD = 438


def disable_nagle(executable: str) -> str | None:
    """Turn Nagle's algorithm off on every connection accepted by the Firefox processes (launched
    from `executable`) that descend from this one. None when done, else why not, in one line."""
    if not sys.platform.startswith("linux"):
        return "the driver's socket keeps Nagle's algorithm (only Linux lends a process's socket)"
    try:
        for pid in main_processes(os.path.realpath(executable)):
            with accepted_connections(pid) as connections:
                for connection in connections:
                    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        return (
            f"the driver's socket keeps Nagle's algorithm ({reason}: this process may not trace the "
            "browser): ~50 ms per awaited evaluate instead of ~8 ms; results are the same"
        )
    return None


def main_processes(binary: str) -> list[int]:
    """The processes below this one that run `binary` and whose parent does not (a browser's
    content processes are children of its main one)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The field after "(comm)" is the state, then the parent's pid; comm may hold spaces.
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone since the listing
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    below, waiting = [], list(children.get(os.getpid(), []))
    while waiting:
        pid = waiting.pop()
        below.append(pid)
        waiting += children.get(pid, [])

    def runs_binary(pid: int) -> bool:
        try:
            return os.readlink(f"/proc/{pid}/exe") == binary
        except OSError:
            return False

    return [pid for pid in below if runs_binary(pid) and not runs_binary(parents[pid])]


@contextlib.contextmanager
def accepted_connections(pid: int) -> Iterator[list[socket.socket]]:
    """Copies of the TCP connections the process accepted (their local port is one it listens
    on); an option set on a copy is set on the process's socket. The copies close on exit."""
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = libc.syscall(_SYS_PIDFD_OPEN, pid, 0)
    if pidfd < 0:
        raise OSError(ctypes.get_errno(), "pidfd_open")
    with contextlib.ExitStack() as copies:  # our copies only: the browser's sockets stay open
        copies.callback(os.close, pidfd)
        tcp: list[socket.socket] = []
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            borrowed = _borrow(libc, pidfd, fd) if _is_socket(fd) else None
            if borrowed is not None:
                copies.enter_context(borrowed)
                if borrowed.family in (socket.AF_INET, socket.AF_INET6) and borrowed.type == socket.SOCK_STREAM:
                    tcp.append(borrowed)
        listens = {s: bool(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)) for s in tcp}
        ports = {s.getsockname()[1] for s, listening in listens.items() if listening}
        yield [s for s, listening in listens.items() if not listening and s.getsockname()[1] in ports]


def _is_socket(fd: Path) -> bool:
    try:
        return os.readlink(fd).startswith("socket:")
    except OSError:
        return False


def _borrow(libc: ctypes.CDLL, pidfd: int, fd: Path) -> socket.socket | None:
    copy = libc.syscall(_SYS_PIDFD_GETFD, pidfd, int(fd.name), 0)
    if copy < 0:
        code = ctypes.get_errno()
        if code == errno.EBADF:
            return None  # closed since the listing
        raise OSError(code, "pidfd_getfd")
    return socket.socket(fileno=copy)
