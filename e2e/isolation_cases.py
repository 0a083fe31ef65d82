"""Canaries: pairs of scenarios that would see each other's state if the engine let it through.

Scenarios of a group share one browser context and page (corsproof/suite/lane.py). The writer of each
pair leaves what a scenario can leave behind — a cookie set by a response, an HTTP cache entry
and a preflight cache entry — and the reader, run right after it in the same group, must find
none of it: the cookie never reaches good, and good sees the reader's own preflight and request.
"""

from __future__ import annotations

from corsproof.model import everywhere, outcome
from corsproof.report.areas import Area
from corsproof.suite.lane import LOGGED_OUT
from corsproof.suite.scenarios import Fetch, Lab

CREDENTIALS = {"credentials": "include"}
# The lab answers every request with Set-Cookie: lab=1 (Path=/cors-lab; SameSite=None; Secure).
# From the same-site sibling it is a first-party cookie, kept under every cookie profile of
# Chromium and Firefox. WebKit's default policy (no-third-party) refuses it: it keeps only the cookies
# of the main document's own host (measured with WebKitGTK 2.50.6), so there it sets nothing to leak.
WRITER_REFUSED = {("webkit", "default")}
SETS_A_COOKIE = Lab({"acao": "{origin}", "acac": "true"})
# Cacheable for ten minutes, and so is its preflight (X-Test is not CORS-safelisted).
CACHED = Lab({"acao": "*", "acah": "x-test", "max_age": "600", "cache": "max-age=600"})
PREFLIGHTED = {"headers": {"X-Test": "1"}}

COOKIE_CANARY = (
    Fetch(
        "cookie-writer",
        SETS_A_COOKIE,
        everywhere(
            outcome("read", "good's lab answers the sibling's credentialed fetch and sets the lab cookie, first-party")
        ),
        client="sibling",
        init=CREDENTIALS,
        start=LOGGED_OUT,
    ),
    Fetch(
        "cookie-reader",
        SETS_A_COOKIE,
        everywhere(
            outcome(
                "read",
                "the reader's credentialed fetch to the "
                "same path carries no cookie: the writer's was cleared before it ran",
            )
        ),
        client="sibling",
        init=CREDENTIALS,
        start=LOGGED_OUT,
    ),
)
CACHE_CANARY = (
    Fetch(
        "cache-writer",
        CACHED,
        everywhere(outcome("read", "a cacheable answer after a cacheable preflight", preflights=1)),
        init=PREFLIGHTED,
        start=LOGGED_OUT,
    ),
    Fetch(
        "cache-reader",
        CACHED,
        everywhere(
            outcome(
                "read",
                "the same lab answer for another scenario: its own "
                "probe makes another URL, so neither cache entry of the writer serves it",
                preflights=1,
            )
        ),
        init=PREFLIGHTED,
        start=LOGGED_OUT,
    ),
)

AREA = Area("isolation", rank=7)
