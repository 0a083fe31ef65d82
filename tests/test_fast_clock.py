"""The aged lane's fast clock (corsproof/suite/fast_clock.py) outside any browser: a program run
through its wrapper reads its clock running ten times as fast as the kernel's, and what faketime
shares among a browser's processes is gone when the clock's block ends, even when the process
group was killed (as WebKit's is). Whether each browser's cookies age on it: e2e/test_aged_cookies.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from corsproof.suite import fast_clock

# The program's clock against the kernel's count of seconds since boot (/proc/uptime, a file that
# libfaketime does not touch), over three seconds of the program's own sleep.
RATIO = """
import time
def uptime(): return float(open("/proc/uptime").read().split()[0])
kernel, own = uptime(), time.monotonic()
time.sleep(3)
print((time.monotonic() - own) / (uptime() - kernel))
"""


def test_a_wrapped_program_reads_its_clock_running_at_the_rate_of_the_kernels() -> None:
    """Over one interval, the program's clock moves rate times as far as the kernel's uptime: a
    ratio of two clocks, measured inside the program, not a duration asserted."""
    with fast_clock.fast_clock() as clock:
        wrapper = clock.wrap("chromium", sys.executable)
        said = subprocess.run([str(wrapper), "-c", RATIO], capture_output=True, text=True, timeout=60, check=True)
    ratio = float(said.stdout)
    assert fast_clock.RATE / 2 < ratio < fast_clock.RATE * 2, f"the program's clock ran {ratio:.1f}x the kernel's"


def _shared_memory(pids: Path) -> set[str]:
    """The shared memory of the faketimes whose pids the clock noted (not another run's)."""
    noted = pids.read_text().split() if pids.exists() else []
    names = {f"faketime_shm_{pid}" for pid in noted} | {f"sem.faketime_sem_{pid}" for pid in noted}
    return names & set(os.listdir("/dev/shm"))


def test_a_killed_process_group_leaves_no_shared_memory_behind() -> None:
    """SIGKILL to the group (WebKit's contexts are stopped so) gives faketime no chance to remove
    its shared memory; the clock's block removes it."""
    with fast_clock.fast_clock() as clock:
        pids = clock.directory / "pids"
        wrapper = clock.wrap("chromium", "/bin/sh")
        # faketime makes its shared memory before it starts the program: the program's first line says it runs.
        command = [str(wrapper), "-c", "echo running; exec sleep 600"]
        running = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
        try:
            assert running.stdout is not None and running.stdout.readline() == "running\n"
            made = _shared_memory(pids)
            assert made, "faketime made no shared memory: nothing to prove here"
        finally:
            os.killpg(running.pid, signal.SIGKILL)
            running.communicate(timeout=10)
        assert _shared_memory(pids) == made, "the killed faketime removed its own: the case under test did not happen"
        kept = pids.read_text()
    assert not {name for name in made if os.path.exists(f"/dev/shm/{name}")}, f"left behind by the faketime of {kept}"
