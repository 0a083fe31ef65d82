"""A lane: one browser and cookie profile, one context and one page that every scenario reuses.

A fresh context per scenario costs 40-500 times the fetch it exists for (a fresh page alone is
~300 ms in Firefox over WebDriver BiDi, a Chromium persistent profile a whole browser process).
So a lane keeps one context and one page, and navigates that page where a scenario needs it.

What scenarios could share is then reset or kept apart, and checked:
- cookies: cleared before every group of scenarios, the jar checked empty, then the group's
  starting state made (a log-in, the matrix cookies) and snapshotted; after every scenario the
  engine compares the jar with the snapshot (`changed`) and makes the start anew if it differs;
- HTTP and preflight caches are keyed by URL, and every scenario's URLs carry its own probe, so
  no entry made for one scenario can answer another (canary tests prove it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playwright.sync_api import BrowserContext, Page

from corsproof.browsers import BrowserSession
from corsproof.devtools import ChromiumNetworkLog
from corsproof.pages import ClientPage
from servers.cookie_lab import MATRIX_NAMES
from servers.cors_lab import LAB_COOKIE_PATH
from servers.good import PASSWORD, SESSION_COOKIE, SameSite
from servers.sites import Sites

# The matrix cookies good stores in a first-party visit: SameSite=None without Secure is refused
# when set (RFC 6265bis §5.6.7), so it never exists to travel; WebKit keeps it (measured with
# WebKitGTK 2.50.6: it does not enforce that rule).
STORED_MATRIX_COOKIES = MATRIX_NAMES - {"none_insecure"}
STORED_BY = {"webkit": MATRIX_NAMES}


@dataclass(frozen=True)
class Start:
    """The state a group of scenarios starts from; scenarios with the same Start share a run."""

    login: SameSite | None = None  # logged in on good through its form, with this SameSite
    matrix_cookies: bool = False  # good's cookie-matrix cookies set in a first-party visit

    @property
    def label(self) -> str:
        parts = [f"logged in (SameSite={self.login})" if self.login else "logged out"]
        return ", ".join(parts + (["matrix cookies set"] if self.matrix_cookies else []))

    @property
    def cookies(self) -> frozenset[str]:
        """The cookies this state sets (some browsers refuse one of them): the only ones good may receive."""
        return (frozenset({SESSION_COOKIE}) if self.login else frozenset()) | (
            MATRIX_NAMES if self.matrix_cookies else frozenset()
        )


LOGGED_OUT = Start()
LOGGED_IN = Start(login="none")


class IsolationError(AssertionError):
    """State that scenarios share was not what it must be."""


class Lane:
    def __init__(
        self,
        session: BrowserSession,
        sites: Sites,
        https_good: str | None = None,
        context_options: dict[str, Any] | None = None,
    ) -> None:
        self.session = session
        self.browser = session.info.name
        self.profile = session.info.cookie_profile
        self.sites = sites
        self.https_good = https_good  # the https good's origin, where the run serves one
        # good over https (the scheme-not-checked attack's, or every good under --good-scheme https)
        # has a throwaway CA's certificate (trustme): it is not under test.
        options = {**(context_options or {}), "ignore_https_errors": True}
        # Where good's cookies are seen (good's pages at each cookie path), read after every
        # scenario: WebKit's context reads its jar one URL at a time, each in a window of its own
        # (corsproof/webkit.py); Playwright's reads the whole jar and needs neither.
        places = tuple(sites.url("good", path) for path in ("/favicon.ico", f"{LAB_COOKIE_PATH}/"))
        self.context: BrowserContext = session.new_context(cookie_places=places, jar_windows=True, **options)
        self.page: Page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.tracing = self.context.tracing  # None where the browser has no traces (WebKit: corsproof/webkit.py)
        self.network = ChromiumNetworkLog.attach(self.page) if self.browser == "chromium" else None
        self._jar: list[tuple[Any, ...]] = []

    def begin(self, start: Start) -> None:
        """Clear every cookie, check the jar is empty, then make the starting state."""
        self.context.clear_cookies()
        left = self.context.cookies()
        if left:
            raise IsolationError(f"cookies survived clearing the {self.browser} context: {left}")
        if start.login:
            log_in(self.page, self.sites.url("good"), start.login)
        if start.matrix_cookies:
            self._set_matrix_cookies()
        self._jar = self._cookie_jar()

    def changed(self) -> str | None:
        """What changed in the cookie jar since begin(), or None."""
        now = self._cookie_jar()
        if now == self._jar:
            return None
        return f"cookie jar was {self._jar}, is now {now}"

    def _cookie_jar(self) -> list[tuple[Any, ...]]:
        return sorted((c["name"], c["value"], c["domain"], c.get("partitionKey")) for c in self.context.cookies())

    def open(self, url: str, fresh: bool = False) -> ClientPage:
        """The lane's page at url: navigated there unless it already is (fresh: navigate anyway)."""
        if fresh or self.page.url != url:
            self.page.goto(url)
        return ClientPage(self.page, self.network)

    def _set_matrix_cookies(self) -> None:
        """A first-party visit to good sets every matrix cookie; check what the browser stored."""
        self.page.goto(self.sites.url("good", "/cookie-lab/set-all"))
        # HttpOnly: never readable from script, even on good's own page.
        readable = set(self.page.evaluate("document.cookie.split('; ').map(c => c.split('=')[0])"))
        if "http_only" in readable or "none_secure" not in readable:
            raise IsolationError(f"document.cookie on good after setting the matrix cookies: {sorted(readable)}")
        stored = {cookie["name"] for cookie in self.context.cookies()} & MATRIX_NAMES
        if stored != STORED_BY.get(self.browser, STORED_MATRIX_COOKIES):
            raise IsolationError(
                f"{self.browser} stored {sorted(stored)}: SameSite=None without Secure must be refused "
                "(but in WebKit, which keeps it), the rest kept"
            )

    def close(self) -> None:
        self.context.close()


_SUBMIT_LOGIN = """([password, samesite]) => {
  const form = document.querySelector("form[action='/login']");
  form.elements.password.value = password;
  form.elements.samesite.value = samesite;
  form.requestSubmit();
}"""


def log_in(page: Page, good_url: str, samesite: SameSite = "none") -> None:
    """Log in on good through its real form (a POST, good's Set-Cookie, a redirect home), with
    the SameSite of the cookie chosen. The form is filled and submitted by script: a click by
    Playwright costs ~300 ms in Firefox over WebDriver BiDi, and the log-in is set-up, not a claim."""
    page.goto(good_url)
    with page.expect_navigation():
        page.evaluate(_SUBMIT_LOGIN, [PASSWORD, samesite])
    status = page.text_content("#status")
    if status != "You are logged in.":
        raise IsolationError(f"logging in on good failed: the page says {status!r}")
