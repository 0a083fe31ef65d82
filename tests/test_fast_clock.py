"""The aged lane's fast clock (corsproof/suite/fast_clock.py) outside any browser: a program run
through its wrapper sees time pass ten times faster, and what faketime shares among a browser's
processes is gone when the clock's block ends, even when the process group was killed (as
WebKit's is). Whether each browser's cookies age on it: e2e/test_aged_cookies.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from corsproof.suite import fast_clock

# Five seconds by the program's own clock: a sleep is measured and timed by that clock.
SLEEP_5S = "import time; start = time.monotonic(); time.sleep(5); print(time.monotonic() - start)"


def test_a_wrapped_program_sleeps_five_seconds_of_its_clock_in_half_a_second_of_ours() -> None:
    """The program's five seconds pass (by its clock), in well under five real ones: at ten times
    real speed, half a second and start-up."""
    with fast_clock.fast_clock() as clock:
        wrapper = clock.wrap("chromium", sys.executable)
        began = time.monotonic()
        said = subprocess.run([str(wrapper), "-c", SLEEP_5S], capture_output=True, text=True, timeout=30, check=True)
        real_s = time.monotonic() - began
    assert float(said.stdout) >= 5, f"the program's clock says {said.stdout.strip()} s passed"
    assert real_s < 5 / 2, f"its five seconds took {real_s:.2f} s of real time: its clock is not {fast_clock.RATE}x"


def _shared_memory() -> set[str]:
    return {name for name in os.listdir("/dev/shm") if "faketime" in name}


def test_a_killed_process_group_leaves_no_shared_memory_behind() -> None:
    """SIGKILL to the group (WebKit's contexts are stopped so) gives faketime no chance to remove
    its shared memory; the clock's block removes it."""
    before = _shared_memory()
    with fast_clock.fast_clock() as clock:
        wrapper = clock.wrap("chromium", "/bin/sh")
        # faketime makes its shared memory before it starts the program: the program's first line says it runs.
        command = [str(wrapper), "-c", "echo running; exec sleep 600"]
        running = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
        try:
            assert running.stdout is not None and running.stdout.readline() == "running\n"
            assert _shared_memory() - before, "faketime made no shared memory: nothing to prove here"
        finally:
            os.killpg(running.pid, signal.SIGKILL)
            running.communicate(timeout=10)
        assert _shared_memory() - before, "the killed faketime removed its own: the case under test did not happen"
    assert _shared_memory() - before == set()
