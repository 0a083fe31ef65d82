"""What Chromium says about a blocked request, through the DevTools protocol.

Chromium reports why it blocked a request (Network.loadingFailed corsErrorStatus.corsError) and
which cookies it withheld (Network.requestWillBeSentExtraInfo associatedCookies[].blockedReasons).
Firefox reports neither to Playwright: over WebDriver BiDi a CORS failure is only a TypeError.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import CDPSession, Frame, Page

REASON_DEADLINE_S = 5.0


@dataclass
class ChromiumNetworkLog:
    """CORS errors and withheld cookies, by request URL, for one page."""

    _session: CDPSession
    # request id -> every URL it went to, redirects included; the last is where it is now.
    _chains: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    cors_errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    blocked_cookies: dict[str, list[tuple[str, tuple[str, ...]]]] = field(default_factory=lambda: defaultdict(list))
    # Requests whose cookie report (Network.requestWillBeSentExtraInfo) has arrived.
    _reported: set[str] = field(default_factory=set)
    # Set-Cookie lines Chromium refused to store, by request id: (cookie line, blocked reasons).
    refused_set_cookies: dict[str, list[tuple[str, tuple[str, ...]]]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def attach(cls, page: Page, frame: Frame | None = None) -> ChromiumNetworkLog:
        """Listen to a page, or to one of its frames that runs in its own process (an
        out-of-process iframe, such as a sandboxed one: its requests reach only its own target)."""
        session = page.context.new_cdp_session(frame or page)
        log = cls(session)
        session.on("Network.requestWillBeSent", log._on_request)
        session.on("Network.loadingFailed", log._on_failed)
        session.on("Network.requestWillBeSentExtraInfo", log._on_extra_info)
        session.on("Network.responseReceivedExtraInfo", log._on_response_extra_info)
        session.send("Network.enable")
        return log

    def _on_request(self, event: dict[str, Any]) -> None:
        # A redirect is a new requestWillBeSent with the same id: keep the whole chain, so a
        # failure after a redirect is found under the URL the page fetched.
        self._chains[event["requestId"]].append(event["request"]["url"])

    def _on_failed(self, event: dict[str, Any]) -> None:
        status = event.get("corsErrorStatus")
        if status:
            for url in self._chains.get(event["requestId"], []):
                self.cors_errors[url].append(status["corsError"])

    def _on_extra_info(self, event: dict[str, Any]) -> None:
        # ExtraInfo may arrive before requestWillBeSent; keep it under the request id until then.
        self._reported.add(event["requestId"])
        for cookie in event.get("associatedCookies", []):
            reasons = tuple(cookie.get("blockedReasons", []))
            if reasons:
                self.blocked_cookies[event["requestId"]].append((cookie["cookie"]["name"], reasons))

    def _on_response_extra_info(self, event: dict[str, Any]) -> None:
        for blocked in event.get("blockedCookies", []):
            self.refused_set_cookies[event["requestId"]].append(
                (blocked["cookieLine"], tuple(blocked.get("blockedReasons", [])))
            )

    def set_cookie_refusals(self, url: str) -> list[tuple[str, tuple[str, ...]]]:
        """(Set-Cookie line, blocked reasons) for each cookie a response from url could not set."""
        self._session.send("Runtime.evaluate", {"expression": "0"})  # let events in flight arrive
        return [
            refusal
            for request_id, refusals in self.refused_set_cookies.items()
            if url in self._chains.get(request_id, [])
            for refusal in refusals
        ]

    def _pump_until(self, ready: Callable[[], bool], deadline_s: float) -> bool:
        """Wait until ready() holds or the deadline passes; True when it holds.

        DevTools events travel apart from the page's own answer, so a fetch can settle before its
        events are delivered. Each DevTools round trip lets pending events in; the loop ends as
        soon as they are there.
        """
        deadline = time.monotonic() + deadline_s
        while not ready():
            if time.monotonic() > deadline:
                return False
            self._session.send("Runtime.evaluate", {"expression": "0"})
        return True

    def wait_for_cors_error(self, url: str, deadline_s: float = REASON_DEADLINE_S) -> str | None:
        """The last CORS error reported for url, waiting for the event (until a deadline)."""
        if not self._pump_until(lambda: bool(self.cors_errors.get(url)), deadline_s):
            return None
        return self.cors_errors[url][-1]

    def cookie_blocks(self, url: str) -> list[tuple[str, tuple[str, ...]]]:
        """(cookie name, blocked reasons) for every cookie Chromium withheld from requests to url."""
        return [
            block
            for request_id, blocks in self.blocked_cookies.items()
            if self._chains.get(request_id, [None])[-1] == url
            for block in blocks
        ]

    def wait_for_cookie_report(
        self, url: str, deadline_s: float = REASON_DEADLINE_S
    ) -> list[tuple[str, tuple[str, ...]]]:
        """cookie_blocks(url), once Chromium's cookie report on a request to url has arrived."""
        self._pump_until(lambda: any(self._chains.get(r, [None])[-1] == url for r in self._reported), deadline_s)
        return self.cookie_blocks(url)

    def wait_for_cookie_blocks(
        self, url: str, deadline_s: float = REASON_DEADLINE_S
    ) -> list[tuple[str, tuple[str, ...]]]:
        """cookie_blocks(url), once at least one block was reported (or the deadline passed)."""
        self._pump_until(lambda: bool(self.cookie_blocks(url)), deadline_s)
        return self.cookie_blocks(url)
