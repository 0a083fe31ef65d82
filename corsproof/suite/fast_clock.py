"""The aged lane's fast clock: Chromium run through libfaketime, its own clock ten times real speed.

What is under test is a cookie's age as the browser judges it (Chromium's two-minute
Lax-allowing-unsafe window), so the browser's clock, not the test's, is what must move: Debian's
`faketime` wrapper puts libfaketime in every process Chromium starts, its network service too,
where a cookie's age and expiry are decided (measured with Chromium 156 and libfaketime 0.9.10: a
Max-Age=30 cookie gone after 3.6 s of real time; a cookie without SameSite sent on a cross-site POST
at ~114 browser-seconds, withheld from ~129). The stock threshold is untouched. A fast clock makes
every timer, expiry and cache lifetime of that browser ten times shorter, so only the aged lane's
own browser runs on it; the suite checks the clock every run (e2e/test_aged_cookies.py).

Firefox is not run on it: with libfaketime preloaded stock Firefox ESR hangs as it starts (its
allocator's lock meets libfaketime's first call; libfaketime issues #130 and #373), and it treats a
cookie without SameSite as None at any age, so its aged lane waits in real time. WebKit neither:
it has no age window (no Lax by default) and runs under WebDriver, whose timeouts would run fast.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAKETIME = "/usr/bin/faketime"
RATE = 10  # browser-seconds per real second
INSTALL = "apt-get install faketime (scripts/setup installs it)"


@dataclass(frozen=True)
class FastClock:
    """A launch setting: the browser started through a wrapper, written into directory for the
    executable the launch names, that runs it under faketime at rate."""

    rate: int
    directory: Path

    def launch_options(self, engine: str, options: dict[str, Any]) -> dict[str, Any]:
        wrapper = self.directory / f"{engine}-at-{self.rate}x"
        executable = shlex.quote(options["executable_path"])
        wrapper.write_text(f'#!/bin/sh\nexec {FAKETIME} -f "+0 x{self.rate}" {executable} "$@"\n', encoding="utf-8")
        wrapper.chmod(0o755)
        return {**options, "executable_path": str(wrapper)}

    @property
    def deviation(self) -> str:
        return f"its clock runs {self.rate}x real speed (libfaketime), so that its cookies age {self.rate}x faster"


def available() -> bool:
    return os.access(FAKETIME, os.X_OK)


@contextlib.contextmanager
def fast_clock(rate: int = RATE) -> Iterator[FastClock]:
    """A fast clock whose wrappers are removed when the block ends. A wrapper, not LD_PRELOAD set
    here: faketime reaches the browser's every process and leaves no /dev/shm files behind
    (measured), and no other process of the run is touched."""
    directory = Path(tempfile.mkdtemp(prefix="corsproof-fast-clock-"))
    try:
        yield FastClock(rate, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
