"""A page opened on one of the sites, and what its JavaScript saw when it fetched from good."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from playwright.sync_api import Frame, Page

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
    """A page on one of the sites, with the client code (corsproof/serving/static/client.js) loaded."""

    page: Page
    network: ChromiumNetworkLog | None  # None in Firefox, which reports no reasons

    def fetch(self, url: str, init: dict[str, Any] | None = None, frame: Frame | None = None) -> FetchResult:
        """Run fetch(url, init) in the page (or one of its frames), through the same code the
        page's buttons use."""
        where = frame or self.page.main_frame
        result = where.evaluate("([url, init]) => window.corsproof.probe(url, init)", [url, init or {}])
        return FetchResult(**result)

    def fetch_all(self, fetches: list[tuple[str, dict[str, Any]]]) -> list[FetchResult]:
        """fetch() each (url, init) in turn, in one evaluate, through the same client code."""
        results = self.page.evaluate(
            """async (fetches) => { const out = [];
              for (const [url, init] of fetches) out.push(await window.corsproof.probe(url, init));
              return out; }""",
            fetches,
        )
        return [FetchResult(**result) for result in results]

    def cors_error(self, url: str) -> str | None:
        """Chromium's Network.CorsError for the last blocked request to url (None in Firefox)."""
        if self.network is None:
            return None
        return self.network.wait_for_cors_error(url)
