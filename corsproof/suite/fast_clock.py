"""The aged lane's fast clock: each browser run through libfaketime, its own clock ten times real speed.

What is under test is a cookie's age as the browser judges it (Chromium's two-minute
Lax-allowing-unsafe window; Firefox and WebKit, which have none, send the old cookie all the same),
so the browser's clock, not the test's, is what must move. Debian's `faketime` wrapper puts
libfaketime in every process the browser starts, where cookies are kept and judged too (Chromium's
network service, Firefox's parent process, WebKit's network process), and shares one start time
among them (in WebKit, among the processes of one context: each context is a MiniBrowser of its
own, started through the wrapper). Measured with Chromium 156 and libfaketime 0.9.10: a
Max-Age=30 cookie gone after 3.6 s of real time; a cookie without SameSite sent on a cross-site
POST at ~114 browser-seconds, withheld from ~129. The stock thresholds are untouched. A fast
clock makes every timer, expiry and cache lifetime of that browser ten times shorter, so only the
aged lane's own browsers run on it; the suite checks the clock in each of them every run
(e2e/test_aged_cookies.py).

Stock Firefox ESR hangs as it starts under libfaketime alone (see faketime_shim.c): its wrapper
has faketime start a shell that preloads libstdc++ (without it first, Firefox still hangs:
measured), the libfaketime faketime chose, then the shim, built here from its source with the
system's C compiler. WebKit runs MiniBrowser through the wrapper; its WebDriver, which keeps the command timeouts, stays
on real time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAKETIME = "/usr/bin/faketime"
COMPILER = "cc"
SHIM_SOURCE = Path(__file__).with_name("faketime_shim.c")
# The shim's symbols: the versions libfaketime asks for, and its own node for the rest.
SHIM_VERSIONS = "GLIBC_2.2 { };\nCORSPROOF_SHIM { global: __time; __ftime; local: *; };\n"
RATE = 10  # browser-seconds per real second
INSTALL = "apt-get install faketime gcc (scripts/setup installs them)"


class FastClockUnavailable(RuntimeError):
    """The fast clock cannot be had here; the message says what to install."""


@dataclass(frozen=True)
class FastClock:
    """A launch setting: the browser started through a wrapper, written into directory, that runs
    the executable the launch names under faketime at rate. Each wrapper notes its faketime's pid
    (the shell's, which exec keeps), so that shared memory a killed faketime could not remove is
    removed when the clock's block ends."""

    rate: int
    directory: Path

    def launch_options(self, engine: str, options: dict[str, Any]) -> dict[str, Any]:
        return {**options, "executable_path": str(self.wrap(engine, options["executable_path"]))}

    def wrap(self, engine: str, executable: str) -> Path:
        """The wrapper for engine's executable, written once."""
        named = hashlib.sha256(executable.encode()).hexdigest()[:12]
        wrapper = self.directory / f"{engine}-at-{self.rate}x-{named}"
        if not wrapper.exists():
            command = [FAKETIME, "-f", f"+0 x{self.rate}"]
            if engine == "firefox":
                # faketime sets LD_PRELOAD to its libfaketime (after any already there) for the
                # shell, which puts libstdc++ before it and the shim after, as Firefox needs.
                preload = f'LD_PRELOAD="libstdc++.so.6:$LD_PRELOAD:{self._shim()}"'
                command += ["/bin/sh", "-c", f'{preload} exec "$0" "$@"']
            pids = shlex.quote(str(self.directory / "pids"))
            line = shlex.join([*command, executable])
            wrapper.write_text(f'#!/bin/sh\necho $$ >> {pids}\nexec {line} "$@"\n', encoding="utf-8")
            wrapper.chmod(0o755)
        return wrapper

    def _shim(self) -> Path:
        shim = self.directory / "libcorsproof-faketime-shim.so"
        if any(c.isspace() or c in ':"$`\\' for c in str(shim)):
            # LD_PRELOAD is split at spaces and colons: the shim would be dropped, and Firefox would hang.
            raise FastClockUnavailable(f"Firefox's shim cannot be preloaded from {shim}: set TMPDIR to a plain path")
        if shim.exists():  # built for another Firefox executable of this clock
            return shim
        versions = self.directory / "shim.map"
        versions.write_text(SHIM_VERSIONS, encoding="utf-8")
        lacking = missing("firefox")
        if lacking is not None:
            raise FastClockUnavailable(lacking)
        try:
            built = subprocess.run(
                [
                    COMPILER,
                    "-shared",
                    "-fPIC",
                    "-O2",
                    "-o",
                    str(shim),
                    str(SHIM_SOURCE),
                    f"-Wl,--version-script={versions}",
                ],
                capture_output=True,
                text=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise FastClockUnavailable(f"{COMPILER} could not build {SHIM_SOURCE.name}: {error}") from None
        if built.returncode != 0:
            raise FastClockUnavailable(f"{COMPILER} could not build {SHIM_SOURCE.name}: {built.stderr.strip()}")
        return shim

    @property
    def deviation(self) -> str:
        return f"its clock runs {self.rate}x real speed (libfaketime), so that its cookies age {self.rate}x faster"

    def remove_leftovers(self) -> None:
        """The shared memory of each faketime this clock started, once its browsers are closed
        (faketime removes its own when it outlives its browser; a killed process group leaves it)."""
        pids = self.directory / "pids"
        for pid in pids.read_text().split() if pids.exists() else ():
            for name in (f"faketime_shm_{pid}", f"sem.faketime_sem_{pid}"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"/dev/shm/{name}")


def missing(engine: str) -> str | None:
    """What this machine lacks to run engine on a fast clock, and how to get it, in one line; None if nothing."""
    lacking = []
    if not os.access(FAKETIME, os.X_OK):
        lacking.append(FAKETIME)
    if engine == "firefox" and shutil.which(COMPILER) is None:
        lacking.append(f"a C compiler ({COMPILER}, to build Firefox's shim)")
    return f"{' and '.join(lacking)} missing: {INSTALL}" if lacking else None


@contextlib.contextmanager
def fast_clock(rate: int = RATE) -> Iterator[FastClock]:
    """A fast clock whose wrappers, and whatever shared memory its killed processes left, are
    removed when the block ends. A wrapper, not LD_PRELOAD set here: faketime reaches the browser's
    every process with one start time, and no other process of the run is touched."""
    directory = Path(tempfile.mkdtemp(prefix="corsproof-fast-clock-"))
    clock = FastClock(rate, directory)
    try:
        yield clock
    finally:
        clock.remove_leftovers()
        shutil.rmtree(directory, ignore_errors=True)
