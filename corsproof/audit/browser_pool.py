"""Browsers kept from one audit to the next, each audit in fresh contexts of its own.

A browser launched with one audit's names mapped (corsproof/names.py) serves that audit only; a
launch costs real CPU (stock Firefox ESR 153 ~3.5 s of it on this project's machine, Chromium
~0.5 s, Playwright's driver ~0.4 s). Led to the names by the audit's own forward proxy instead
(corsproof/serving/name_proxy.py, given to each context, as WebKit is given it at launch), one
browser per engine, build and cookie profile serves audit after audit: what an audit can see of
another lives in a context (cookies, cache, storage, service workers, permissions, the proxy;
measured in both browsers), and each of its lanes has a context of its own, closed when the lane
ends. Chromium's third-party profiles need a persistent profile, a browser per context: each of
their lanes still has a browser of its own, on a fresh profile removed when the lane ends.

Playwright's sync API belongs to the thread that started it: the pool's one thread runs every
audit's browser work, whichever thread asked (a pytest session's, with pytest-playwright's own
Playwright in it).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from playwright.sync_api import Playwright, sync_playwright
from playwright.sync_api._context_manager import PlaywrightContextManager

from corsproof.browsers import BrowserBuild, BrowserSession, Engine, find_build
from corsproof.profiles import CookieProfile

T = TypeVar("T")
SIGNAL_SLICE_S = 0.5  # the longest a Ctrl-C waits to be taken while an audit runs
Key = tuple[BrowserBuild, CookieProfile, bool]  # the executable, cookie profile, headless


class Interrupted(Exception):
    """The audit's caller was interrupted (Ctrl-C): its work on the pool's thread stops too."""


class BrowserPool:
    """A thread with a Playwright, and the browsers launched on it, kept until close()."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-browsers")
        self._manager: PlaywrightContextManager | None = None
        self._playwright: Playwright | None = None
        self._sessions: dict[Key, BrowserSession] = {}
        self._stop = threading.Event()  # the running call's
        # The thread started now: an executor starts it at its first submit and counts it only
        # once started, so a Ctrl-C in that wait left it uncounted and the next call on a second
        # thread, beside the first's work (seen in the interruption test, as its failure in CI).
        self._thread.submit(lambda: None).result()

    def call(self, work: Callable[..., T], *args: Any) -> T:
        """work(*args) on the pool's thread; its result, or its exception raised here. Interrupted
        while it waits or runs, the caller leaves at once and the work stops at its next
        check_interrupted() (the servers it talks to end with the caller's block)."""
        stop = threading.Event()  # this call's own: set whenever the caller leaves early

        def started() -> T:
            self._stop = stop
            self.check_interrupted()
            return work(*args)

        try:
            future = self._thread.submit(started)
            # In slices: a Ctrl-C that lands just before a lock wait begins is taken only when the
            # wait ends (CPython checks for signals when the wait is interrupted, and this one was
            # not), which was the whole audit: seen under load, the interruption test's Ctrl-C
            # taken 30 s late. A slice's end lets it in.
            while not concurrent.futures.wait([future], timeout=SIGNAL_SLICE_S).done:
                pass
            return future.result()
        except BaseException:
            stop.set()
            raise

    def check_interrupted(self) -> None:
        """Raise Interrupted (on the pool's thread) if the call it serves was interrupted."""
        if self._stop.is_set():
            raise Interrupted("the audit was interrupted")

    def playwright(self) -> Playwright:
        """The pool's Playwright (on the pool's thread), started when first needed: an audit in
        WebKit alone starts none."""
        if self._playwright is None:
            self._manager = sync_playwright()
            self._playwright = self._manager.start()
        return self._playwright

    def browser(self, engine: Engine, build: str, profile: CookieProfile, headless: bool) -> BrowserSession:
        """The kept browser of engine, executable and profile (on the pool's thread), launched when
        first asked for, and again if it has gone (crashed, or killed). For Chromium's third-party
        profiles that is the plain browser that tells the version: each of their contexts is a
        browser of its own on a fresh profile (BrowserSession.new_context), to be closed with
        BrowserSession.close_context, which takes its folder too."""
        browser_type = getattr(self.playwright(), engine)
        found = find_build(engine, browser_type.executable_path, build)  # CORSPROOF_CHROMIUM... read now
        key = (found, profile, headless)
        kept = self._sessions.get(key)
        if kept is None or not kept.browser.is_connected():
            if kept is not None:
                with contextlib.suppress(Exception):  # gone already
                    kept.close()
            kept = self._sessions[key] = BrowserSession(browser_type, found, profile, headless)
        return kept

    def close(self) -> None:
        """Close every kept browser and the Playwright, then the thread."""
        try:
            self.call(self._close)
        finally:
            self._thread.shutdown()

    def _close(self) -> None:
        try:
            for session in self._sessions.values():
                with contextlib.suppress(Exception):  # one gone already must not keep the others open
                    session.close()
        finally:
            self._sessions.clear()
            if self._manager is not None:
                self._manager.__exit__(None, None, None)
                self._manager = self._playwright = None


_kept: BrowserPool | None = None


@contextlib.contextmanager
def kept() -> Iterator[BrowserPool]:
    """Until the block ends, every audit in this process uses one pool (a test session's audits,
    the cors_audit fixture's); outside one, each audit has a pool of its own, closed when it ends."""
    global _kept
    if _kept is not None:  # nested: the outer block's pool serves and closes
        yield _kept
        return
    pool = BrowserPool()
    _kept = pool
    try:
        yield pool
    finally:
        _kept = None
        pool.close()


@contextlib.contextmanager
def borrowed() -> Iterator[BrowserPool]:
    """The pool kept() holds, or one for this audit alone."""
    if _kept is not None:
        yield _kept
        return
    with contextlib.closing(BrowserPool()) as pool:
        yield pool
