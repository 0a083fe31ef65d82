"""A page opened on one of the sites, and what its JavaScript saw when it fetched from good."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from playwright.sync_api import BrowserContext, Frame, Page

from corsproof.devtools import ChromiumNetworkLog

Outcome = Literal["read", "opaque", "blocked"]


@dataclass(frozen=True)
class FetchResult:
    """What the page's JavaScript could see of one fetch()."""

    outcome: Outcome
    status: int | None = None
    body: str | None = None
    error: str | None = None
    type: str | None = None
    headers: dict[str, str] | None = None  # response headers the page could read


@dataclass
class ClientPage:
    page: Page
    network: ChromiumNetworkLog | None  # None in Firefox, which reports no reasons

    @classmethod
    def open(cls, context: BrowserContext, url: str, chromium: bool) -> "ClientPage":
        page = context.new_page()
        network = ChromiumNetworkLog.attach(page) if chromium else None
        page.goto(url)
        return cls(page, network)

    def fetch(self, url: str, init: dict[str, Any] | None = None, frame: Frame | None = None) -> FetchResult:
        """Run fetch(url, init) in the page (or one of its frames), through the same code the
        page's buttons use."""
        where = frame or self.page.main_frame
        result = where.evaluate("([url, init]) => window.corsproof.probe(url, init)", [url, init or {}])
        return FetchResult(**result)

    def cors_error(self, url: str) -> str | None:
        """Chromium's Network.CorsError for the last blocked request to url (None in Firefox)."""
        if self.network is None:
            return None
        return self.network.wait_for_cors_error(url)


def log_in(context: BrowserContext, good_url: str, password: str, samesite: str = "none") -> None:
    """Log in on good through its real form, as a person would; SameSite of the cookie chosen."""
    page = context.new_page()
    page.goto(good_url)
    page.fill("input[name=password]", password)
    page.select_option("select[name=samesite]", samesite)
    page.click("#login")
    page.wait_for_selector("#status:has-text('You are logged in.')")
    page.close()
