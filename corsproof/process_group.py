"""A process group's members read from /proc, and waited for: the WebKit sessions and the browser
server each run in a group of their own and are stopped as one, their helpers included."""

from __future__ import annotations

import contextlib
import os
import select
import time
from pathlib import Path


def running_in_group(group: int) -> list[int]:
    """The processes of a group that still run. An exited one that nobody has reaped yet (a zombie,
    which a container's init may leave) runs no more and holds nothing but its exit status."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):  # ended since the listing: not a member any more
                stat = Path(f"/proc/{entry}/stat").read_text()
                # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ")".
                state, _, pgrp = stat.rpartition(")")[2].split()[:3]
                if int(pgrp) == group and state != "Z":
                    pids.append(int(entry))
    return pids


def wait_for_group_exit(group: int, deadline: float) -> bool:
    """Wait, on each member's pidfd (readable when it exits: no polling), until the group is
    empty; False at the deadline (a time.monotonic() value)."""
    for pid in running_in_group(group):
        try:
            descriptor = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            ready, _, _ = select.select([descriptor], [], [], max(0.0, deadline - time.monotonic()))
        finally:
            os.close(descriptor)
        if not ready:
            return False
    return not running_in_group(group)
