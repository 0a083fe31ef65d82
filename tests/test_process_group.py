"""A process group is waited for on its members' pidfds: done when every member has exited, and
False, not a hang, at the deadline."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

from corsproof.process_group import running_in_group, wait_for_group_exit


def test_a_group_is_waited_for_until_its_last_member_has_exited_and_no_longer() -> None:
    leader = subprocess.Popen(["sh", "-c", "sleep 600 & sleep 600 & wait"], start_new_session=True)
    try:
        started_by = time.monotonic() + 10
        while len(running_in_group(leader.pid)) < 3:  # the shell and its two sleeps
            assert time.monotonic() < started_by, "sh did not start its two sleeps within 10 s"
            os.sched_yield()
        assert wait_for_group_exit(leader.pid, time.monotonic()) is False  # all running, no time left
        os.killpg(leader.pid, signal.SIGKILL)
        assert wait_for_group_exit(leader.pid, time.monotonic() + 10) is True
        assert running_in_group(leader.pid) == []  # the unreaped leader, a zombie, runs no more
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(leader.pid, signal.SIGKILL)
        leader.wait(10)
