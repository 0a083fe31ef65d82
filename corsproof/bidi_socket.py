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
from pathlib import Path

_SYS_PIDFD_OPEN = 434  # the same number on every Linux architecture (the unified syscall table)
_SYS_PIDFD_GETFD = 438


def disable_nagle(executable: str) -> str | None:
    """Turn Nagle's algorithm off on every connection accepted by the Firefox processes (launched
    from `executable`) that descend from this one. None when done, else why not, in one line."""
    if not sys.platform.startswith("linux"):
        return "the driver's socket keeps Nagle's algorithm (only Linux lends a process's socket)"
    binary = os.path.realpath(executable)
    try:
        for pid in _main_processes(binary):
            _accepted_sockets_nodelay(pid)
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        return (
            f"the driver's socket keeps Nagle's algorithm ({reason}: this process may not trace the "
            "browser): ~50 ms per awaited evaluate instead of ~8 ms; results are the same"
        )
    return None


def _main_processes(binary: str) -> list[int]:
    """The browser processes below this one whose parent is not the same browser (its content
    processes are children of the main one)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The field after "(comm)" is the state, then the parent's pid; comm may hold spaces.
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone since the listing
    mine = {os.getpid()}
    changed = True
    while changed:  # every descendant of this process
        changed = False
        for pid, parent in parents.items():
            if parent in mine and pid not in mine:
                mine.add(pid)
                changed = True

    def runs_binary(pid: int) -> bool:
        try:
            return os.readlink(f"/proc/{pid}/exe") == binary
        except OSError:
            return False

    return [pid for pid in mine if runs_binary(pid) and not runs_binary(parents[pid])]


def _accepted_sockets_nodelay(pid: int) -> None:
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
        listening = {s.getsockname()[1] for s in tcp if s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)}
        for borrowed in tcp:
            if borrowed.getsockname()[1] in listening:  # the listener and the connections it accepted
                borrowed.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


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
