"""The corpus app on Express with the `cors` package (tests/corpus/express/app.js), run by node in a
process of its own: npm_install() puts the pinned packages (package-lock.json) in
tests/corpus/express/node_modules, serve() runs the app on a loopback port and yields its URL.

Both raise NodeMissing when node or npm is not on this machine; a test turns that into a skip with
NodeMissing's message.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.corpus import Configuration, SameSite

APP_DIR = Path(__file__).resolve().parent / "express"
LOCKFILE = APP_DIR / "package-lock.json"
NODE_MODULES = APP_DIR / "node_modules"
# Written into node_modules after a successful `npm ci`: the hash of the lockfile it installed.
STAMP = NODE_MODULES / ".corsproof-installed"
INSTALL_DEADLINE_S = 180.0
START_DEADLINE_S = 15.0
STOP_DEADLINE_S = 10.0
SKIP_REASON = "node and npm are not on this machine: the Express member of the corpus needs them"
_LISTENING = re.compile(r"^listening on (http://127\.0\.0\.1:\d+)$")


class NodeMissing(RuntimeError):
    """node or npm is not on PATH."""


def _tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise NodeMissing(SKIP_REASON)
    return node, npm


_installed = threading.Lock()
_done: list[str] = []  # the lockfile hash installed by this process


def npm_install(deadline_s: float = INSTALL_DEADLINE_S) -> None:
    """`npm ci` of tests/corpus/express, once: skipped when node_modules already holds this lockfile's
    install (by this session, or an earlier one). A lock on the app's folder keeps concurrent
    sessions (a run's two halves) from installing over each other. TimeoutError past deadline_s;
    RuntimeError when npm fails."""
    _node, npm = _tools()
    wanted = hashlib.sha256(LOCKFILE.read_bytes()).hexdigest()
    with _installed:
        if wanted in _done:
            return
        # The app's folder is the lock (outside node_modules, which npm ci removes): no lock file is
        # left anywhere, and one checkout's sessions (the two halves of a run) wait for each other.
        lock = os.open(APP_DIR, os.O_RDONLY)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another session's install is itself bounded by its deadline
            if not (STAMP.is_file() and STAMP.read_text().strip() == wanted):
                _npm_ci(npm, deadline_s)
                STAMP.write_text(wanted + "\n")
        finally:
            os.close(lock)  # and the lock with it
        _done.append(wanted)


def _npm_ci(npm: str, deadline_s: float) -> None:
    try:
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
            cwd=APP_DIR,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=deadline_s,
        )
    except subprocess.TimeoutExpired as error:  # run() has killed and reaped npm
        raise TimeoutError(f"npm ci in {APP_DIR} did not finish within {deadline_s}s") from error
    if done.returncode != 0:
        raise RuntimeError(f"npm ci in {APP_DIR} failed ({done.returncode}):\n{done.stderr[-3000:]}")


@contextmanager
def serve(
    configuration: Configuration,
    samesite: SameSite,
    start_deadline_s: float = START_DEADLINE_S,
    stop_deadline_s: float = STOP_DEADLINE_S,
) -> Iterator[str]:
    """Runs app.js with CORPUS_CORS=configuration and CORPUS_SAMESITE=samesite (None: "unset") on a
    free loopback port and yields its URL (http://127.0.0.1:PORT), read from the line the app prints
    when it listens. Installs the packages first (npm_install). TimeoutError if it does not listen
    within start_deadline_s; RuntimeError with its stderr if it exits first (a configuration the
    cors package cannot express exits 2); the process is stopped after, within stop_deadline_s."""
    node, _npm = _tools()
    npm_install()
    env = os.environ | {"CORPUS_CORS": configuration, "CORPUS_SAMESITE": samesite or "unset", "PORT": "0"}
    # stderr in a file, not a pipe nobody reads while the app runs (a full pipe would stall it).
    with tempfile.TemporaryFile() as errors:
        app = subprocess.Popen(
            [node, "app.js"],
            cwd=APP_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        url: list[str] = []
        listening = threading.Event()

        def read_stdout() -> None:
            """Finds the listening line, then drains stdout until the app exits (EOF)."""
            assert app.stdout is not None
            for line in app.stdout:
                match = _LISTENING.match(line.strip())
                if match and not url:
                    url.append(match.group(1))
                    listening.set()
            listening.set()  # EOF: the app has exited without listening, or is done

        reader = threading.Thread(target=read_stdout, name="corpus-express-stdout", daemon=True)
        reader.start()
        try:
            if not listening.wait(start_deadline_s):
                raise TimeoutError(f"the Express app ({configuration}) did not listen within {start_deadline_s}s")
            if not url:
                app.wait(stop_deadline_s)
                errors.seek(0)
                said = errors.read().decode(errors="replace")[-3000:]
                raise RuntimeError(
                    f"the Express app ({configuration}) exited {app.returncode} before listening:\n{said}"
                )
            yield url[0]
        finally:
            _stop(app, stop_deadline_s)
            reader.join(stop_deadline_s)
            assert app.stdout is not None
            app.stdout.close()


def _stop(app: subprocess.Popen[str], deadline_s: float) -> None:
    """SIGTERM, then SIGKILL if it has not exited within deadline_s; reaped either way."""
    if app.poll() is not None:
        return
    app.terminate()
    try:
        app.wait(deadline_s)
    except subprocess.TimeoutExpired:
        app.kill()
        app.wait(deadline_s)
