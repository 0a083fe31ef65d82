"""The cookie matrix: when good's cookies really travel, in Chromium and Firefox, per profile.

good sets its matrix cookies in a first-party visit; a page on good, on its same-site sibling or
on thirdparty then asks good in eight ways. Every cell — one cookie, one requester, one way, one
browser and profile — asserts whether that cookie was in the Cookie header good received and, in
Chromium, the blocked reasons DevTools gave for the cookies it withheld. One test per requester
runs its eight requests and reports every wrong cell at once.
"""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import BrowserContext

from corsproof.devtools import ChromiumNetworkLog
from corsproof.profiles import CookieProfile
from corsproof.scenarios import pick
from e2e.cookie_matrix import ALL_COOKIES, MATRIX, SET_CROSS_SITE, SET_EXPECT, STORED, Row, cell_for
from e2e.cookie_requests import make_request
from servers.cookie_lab import MATRIX_NAMES
from servers.sites import Sites

REQUESTER_PAGES = {"good": "/cookie-lab/blank", "sibling": "/", "thirdparty": "/"}
_probes = itertools.count()


def set_matrix_cookies(context: BrowserContext, sites: Sites) -> None:
    """A first-party visit to good sets every matrix cookie; check what the browser stored."""
    page = context.new_page()
    page.goto(sites.url("good", "/cookie-lab/set-all"))
    # HttpOnly: never readable from script, even on good's own page.
    readable = set(page.evaluate("document.cookie.split('; ').map(c => c.split('=')[0])"))
    page.close()
    assert "http_only" not in readable and "none_secure" in readable, f"document.cookie on good: {readable}"
    stored = {cookie["name"] for cookie in context.cookies()} & MATRIX_NAMES
    assert stored == STORED, f"stored {sorted(stored)}: SameSite=None without Secure must be refused, the rest kept"


def run_row(
    row: Row, how: str, context: BrowserContext, sites: Sites, chromium: bool, blocks_expected: bool
) -> tuple[set[str], dict[str, tuple[str, ...]]]:
    """Make one request; what good received of the matrix cookies, and Chromium's reasons
    (waited for when some are expected, else read once the DevTools events in flight are in)."""
    page = context.new_page()
    network = ChromiumNetworkLog.attach(page) if chromium else None
    page.goto(sites.url(row.who, REQUESTER_PAGES[row.who]))
    probe = f"cookie-matrix-{next(_probes)}"
    url = sites.url("good", f"/cookie-lab/echo?probe={probe}")
    make_request(page, how, url)
    exchanges = sites.recorder.for_probe(probe)
    # Once, in a loaded CI run, Chromium made a request twice (a retry); that is the same request
    # as long as both carried the same cookies, which is what a cell asserts.
    carried = {frozenset(set(e.cookies) & MATRIX_NAMES) for e in exchanges}
    assert exchanges and len(carried) == 1, f"{row.who} {how}: requests at good disagree: " + "; ".join(
        f"{e.method} {e.status} {e.request_headers}" for e in exchanges
    )
    request = exchanges[-1]
    reasons: dict[str, tuple[str, ...]] = {}
    if network is not None:
        blocks = network.wait_for_cookie_blocks(url) if blocks_expected else network.settled_cookie_blocks(url)
        reasons = {name: why for name, why in blocks if name in MATRIX_NAMES}
    page.close()
    return set(request.cookies) & MATRIX_NAMES, reasons


@pytest.mark.parametrize("who", list(REQUESTER_PAGES))
def test_cookie_matrix(
    who: str, context: BrowserContext, sites: Sites, browser_name: str, cookie_profile: CookieProfile, request: pytest.FixtureRequest
) -> None:
    chromium = browser_name == "chromium"
    set_matrix_cookies(context, sites)
    wrong: list[str] = []
    cells = 0
    for row in (row for row in MATRIX if row.who == who):
        cell = cell_for(row, browser_name, cookie_profile.value)
        for how in row.hows:
            sent, reasons = run_row(row, how, context, sites, chromium, bool(set(cell.chromium_reasons) - cell.sent))
            for cookie in sorted(ALL_COOKIES):
                cells += 1
                if (cookie in sent) != (cookie in cell.sent):
                    wrong.append(f"{who} {how} {cookie}: sent={cookie in sent}, expected {cookie in cell.sent} because {cell.why}")
            if chromium:
                expected = {name: why for name, why in cell.chromium_reasons.items() if name not in cell.sent}
                if reasons != expected:
                    wrong.append(f"{who} {how}: Chromium's blocked reasons {reasons}, expected {expected}")
    request.node.user_properties.append(("cookie_matrix_cells", str(cells)))
    assert not wrong, "\n".join(wrong)


def test_cookies_set_by_a_cross_site_response(
    context: BrowserContext, sites: Sites, browser_name: str, cookie_profile: CookieProfile
) -> None:
    """A credentialed CORS response from good sets cookies on thirdparty's request: which are kept,
    in which partition (seen by thirdparty's next request, or by good's own pages), and in Chromium
    why the others were refused (Network.responseReceivedExtraInfo blockedCookies)."""
    cell = pick(SET_EXPECT, browser_name, cookie_profile.value, "setting cookies cross-site")
    thirdparty = context.new_page()
    network = ChromiumNetworkLog.attach(thirdparty) if browser_name == "chromium" else None
    thirdparty.goto(sites.url("thirdparty"))
    refused: dict[str, tuple[str, ...]] = {}
    for name, query in SET_CROSS_SITE.items():
        url = sites.url("good", f"/cookie-lab/set?name={name}&{query}")
        status = thirdparty.evaluate("async url => (await fetch(url, {credentials: 'include'})).status", url)
        assert status == 200
        if network is not None:
            refused.update({line.split("=", 1)[0]: why for line, why in network.set_cookie_refusals(url)})
    stored = {cookie["name"] for cookie in context.cookies()} & set(SET_CROSS_SITE)
    back_probe, top_probe = f"set-back-{next(_probes)}", f"set-top-{next(_probes)}"
    thirdparty.evaluate("async url => { await fetch(url, {credentials: 'include'}); }", sites.url("good", f"/cookie-lab/echo?probe={back_probe}"))
    thirdparty.goto(sites.url("good", f"/cookie-lab/echo?probe={top_probe}"))
    (back,) = sites.recorder.for_probe(back_probe)
    (top,) = sites.recorder.for_probe(top_probe)
    seen = (stored, set(back.cookies) & set(SET_CROSS_SITE), set(top.cookies) & set(SET_CROSS_SITE))
    assert seen == (cell.stored, cell.read_back, cell.first_party), f"expected because {cell.why}; saw {seen}"
    if network is not None:
        assert refused == cell.chromium_refused, f"expected because {cell.why}; Chromium refused {refused}"
