"""Browsers kept from one audit to the next, each audit in fresh contexts of its own.

A browser launched with one audit's names mapped (corsproof/names.py) serves that audit only; a
launch costs real CPU (stock Firefox ESR 153 ~3.5 s of it on this project's machine, Chromium
~0.5 s, Playwright's driver ~0.4 s). Led to the names by the audit's own forward proxy instead
(corsproof/serving/name_proxy.py, given to each context, as WebKit is given it at launch), one
browser per engine, build and cookie profile serves audit after audit: what an audit can see of
another lives in a context (cookies, cache, permissions, the proxy), and each of its lanes has a
context of its own, closed when the lane ends.

Playwright's sync API belongs to the thread that started it: the pool's one thread runs every
audit's browser work, whichever thread asked (a pytest session's, with pytest-playwright's own
Playwright in it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from playwright.sync_api import Playwright, sync_playwright
from playwright.sync_api._context_manager import PlaywrightContextManager

from corsproof.browsers import BrowserSession, Engine, find_build
from corsproof.profiles import CookieProfile

T = TypeVar("T")
Key = tuple[Engine, str, CookieProfile, bool]  # engine, build preference, cookie profile, headless


class BrowserPool:
    """A thread with a Playwright, and the browsers launched on it, kept until close()."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-browsers")
        self._manager: PlaywrightContextManager | None = None
        self._playwright: Playwright | None = None
        self._sessions: dict[Key, BrowserSession] = {}

    def call(self, work: Callable[..., T], *args: Any) -> T:
        """work(*args) on the pool's thread; its result, or its exception raised here."""
        return self._thread.submit(work, *args).result()

    def playwright(self) -> Playwright:
        """The pool's Playwright (on the pool's thread), started when first needed: an audit in
        WebKit alone starts none."""
        if self._playwright is None:
            self._manager = sync_playwright()
            self._playwright = self._manager.start()
        return self._playwright

    def session(self, engine: Engine, build: str, profile: CookieProfile, headless: bool) -> BrowserSession:
        """The kept browser of engine, build preference and profile (on the pool's thread),
        launched when first asked for, and again if it has gone (crashed, or killed)."""
        key = (engine, build, profile, headless)
        kept = self._sessions.get(key)
        if kept is not None and kept.browser.is_connected():
            return kept
        if kept is not None:
            del self._sessions[key]
            with contextlib.suppress(Exception):  # gone already; its profiles folder is removed here
                kept.close()
        browser_type = getattr(self.playwright(), engine)
        found = find_build(engine, browser_type.executable_path, build)
        session = BrowserSession(browser_type, found, profile, headless)
        self._sessions[key] = session
        return session

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
