"""A process group's members read from /proc, and waited for: the WebKit sessions and the browser
server each run in a group of their own and are stopped as one, their helpers included."""

from __future__ import annotations

import os
import select
import time
from pathlib import Path


def running_in_group(group: int) -> list[int]:
    """The processes of a group that still run. An exited one that nobody has reaped yet (a zombie,
    which a container's init may leave) runs no more and holds nothing but its exit status."""
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit() and _runs_in(int(entry), group)]


def _runs_in(pid: int, group: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # ended since the listing: not a member any more
        return False
    # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ")".
    state, _, pgrp = stat.rpartition(")")[2].split()[:3]
    return int(pgrp) == group and state != "Z"


def wait_for_group_exit(group: int, deadline: float) -> bool:
    """Wait, on each member's pidfd (readable when it exits: no polling), until the group is
    empty; False at the deadline (a time.monotonic() value)."""
    for pid in running_in_group(group):
        try:
            descriptor = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            # The pidfd holds the pid: asked again now, it cannot be another process's, reused
            # after the member ended between the listing and the open.
            if _runs_in(pid, group):
                ready, _, _ = select.select([descriptor], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    return False
        finally:
            os.close(descriptor)
    return not running_in_group(group)
