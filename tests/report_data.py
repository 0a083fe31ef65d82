"""A small behaviour report made without a browser, for the report's own tests."""

from __future__ import annotations

from typing import Any

from corsproof import report
from corsproof.model import SESSION, Observation, outcome
from corsproof.pages import FetchResult
from corsproof.serving.recorder import Exchange

PAGE = "http://thirdparty.localhost:1"
BROWSERS = [
    {
        "name": name,
        "version": version,
        "build": "stock",
        "executable": f"/usr/bin/{name}",
        "cookie_profile": profile,
        "deviations": [],
    }
    for name, version in (("chromium", "156.0"), ("firefox", "153.8"))
    for profile in ("default", "third-party-allowed")
]


def observation(page: str, cookie: bool) -> Observation:
    headers = {"origin": PAGE, "sec-fetch-site": "cross-site", **({"cookie": "session=1"} if cookie else {})}
    exchange = Exchange("good", "GET", "/private", "probe=p", headers, 200, {"access-control-allow-origin": PAGE})
    return Observation(PAGE, FetchResult(page, 200 if page == "read" else None), (exchange,), SESSION)  # type: ignore[arg-type]


def sample(firefox_unset_cookie: bool = True) -> dict[str, Any]:
    """Two scenarios in two lanes each per browser; in the 3P-allowed lane Firefox sends the
    cookie of the second one and Chromium does not (a disagreement), unless told otherwise."""
    cells = []
    for browser in ("chromium", "firefox"):
        for profile in ("default", "third-party-allowed"):
            allowed = profile == "third-party-allowed"
            seen = observation("read", allowed)
            expect = outcome("read", "listed", cookies=SESSION if allowed else frozenset())
            cells.append(
                report.cell("article", "Fetch", "allowlist-lets-thirdparty-in", browser, profile, expect, seen, None)
            )
            sends = allowed and browser == "firefox" and firefox_unset_cookie
            unset = observation("blocked", sends)
            failure = (
                None
                if browser == "chromium" or not sends
                else "unset-cookie: expected because Lax by default; "
                "cookies at the target: expected [], saw ['session']"
            )
            cells.append(
                report.cell(
                    "cookie_matrix",
                    "CookieRequest",
                    "unset-cookie",
                    browser,
                    profile,
                    outcome("blocked", "Lax by default"),
                    unset,
                    failure,
                )
            )
    return report.build(cells, BROWSERS)
