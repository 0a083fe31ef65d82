"""Local Network Access as data: can a public website reach your localhost dev server or your router?

evil is the public site; the dev server (loopback) and the router (a private address) answer as
such servers really do (servers/local_network.py). Each case is one request evil's page makes,
each column a browser and how the permission prompt was answered (corsproof/suite/local_network.py).

What the cells show (Chromium 156, Firefox ESR 153, measured 2026-12):
- Without the permission, no subresource request leaves the browser: the server sees no HTTP
  request (not even a preflight), whatever it would have answered. Headless Chromium refuses at
  once; Firefox holds the request on its prompt until network.lna.prompt.timeout, then refuses.
- Navigations are not gated: a form POST or a link to the router still reaches it (Firefox:
  network.lna.allow_top_level_navigation; Chromium checks subresources only).
- With the permission, it is plain CORS again: `*` is readable without credentials, a reflected
  origin with credentials, no CORS header is not.
- Private Network Access is gone: no preflight carries Access-Control-Request-Private-Network, and
  an `Access-Control-Allow-Private-Network: true` answer opens nothing the permission does not.
- An insecure public page (http://evil.test): Chromium refuses it even with the permission
  (InsecureLocalNetwork); Firefox ESR 153 treats it like a secure page
  (network.lna.block_insecure_contexts is off by default).

Sources: the Local Network Access explainer (WICG/local-network-access) and its permission;
web-platform-tests fetch/local-network-access/ (address spaces simulated per port, as here) and
fetch/private-network-access/ (the PNA preflights it replaced); Chromium's DevTools
Network.CorsError (LocalNetworkAccessPermissionDenied, InsecureLocalNetwork); Firefox's
network.lna.* preferences.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from corsproof.lna import LNA_CHECK
from corsproof.model import ANY, Expect, Expectations, outcome
from corsproof.pages import Outcome
from corsproof.report import tables
from corsproof.report.areas import Area
from corsproof.suite.local_network import STATES, How, LocalRequest

NOT_GRANTED = ("no-decision", "denied")
NEVER_SENT = (
    "without the person's permission the browser does not send a public page's request to a {space} "
    "address: the server sees no HTTP request, not even a preflight, whatever it would answer"
)
SPACE = {"dev": "loopback", "router": "private"}


def never_sent(target: str, page: Outcome | None = "blocked", **fields: Any) -> Expect:
    """Blocked by Local Network Access: nothing reaches the target, the page sees a failure."""
    why = NEVER_SENT.format(space=SPACE[target])
    reason = "LocalNetworkAccessPermissionDenied"  # Chromium's DevTools, for a frame too
    return Expect(why, page, preflights=0, requests=0, reason=reason, spec_reason=LNA_CHECK, **fields)


def lna(target: str, granted: Expect, page: Outcome | None = "blocked") -> Expectations:
    """Not granted: never sent (in both browsers), the page seeing page; granted: what CORS then does."""
    blocked = never_sent(target, page)
    return {(ANY, state): blocked for state in NOT_GRANTED} | {(ANY, "granted"): granted}


def case(id: str, target: str, route: str, how: How, granted: Expect, credentials: bool = False) -> LocalRequest:
    return LocalRequest(id, target, route, how, lna(target, granted), credentials)


READ = "with the permission it is plain CORS, and the answer passes its check"
case_list: list[LocalRequest] = [
    case("dev-server-answering-star", "dev", "/star", "fetch", outcome("read", READ + ": `*`, no credentials")),
    case(
        "dev-server-reflecting-origin-with-credentials",
        "dev",
        "/reflect",
        "fetch",
        outcome("read", READ + ": the origin reflected, credentials allowed"),
        credentials=True,
    ),
    case(
        "dev-server-without-cors-headers",
        "dev",
        "/none",
        "fetch",
        outcome(
            "blocked",
            "with the permission the request is sent, and CORS blocks the answer: it has no "
            "Access-Control-Allow-Origin",
            reason="MissingAllowOriginHeader",
        ),
    ),
    case(
        "dev-server-with-obsolete-allow-private-network",
        "dev",
        "/pna",
        "fetch",
        outcome("read", READ + "; Access-Control-Allow-Private-Network plays no part in it"),
    ),
    case(
        "dev-server-preflighted-post-with-credentials",
        "dev",
        "/reflect",
        "fetch-post",
        outcome("read", READ + ": its preflight first, then the POST", preflights=1),
        credentials=True,
    ),
    case(
        "dev-server-preflighted-post-with-obsolete-allow-private-network",
        "dev",
        "/pna",
        "fetch-post",
        outcome(
            "read", READ + ": a plain CORS preflight (no Private Network Access header), then the POST", preflights=1
        ),
    ),
    case(
        "router-reflecting-origin-with-credentials",
        "router",
        "/reflect",
        "fetch",
        outcome("read", READ + ": a private address is gated like loopback"),
        credentials=True,
    ),
]
ROUTER_IMG = LocalRequest(
    "router-image",
    "router",
    "/img",
    "img",
    lna("router", outcome("opaque", "with the permission the image loads: the page sees it, cannot read it")),
)
# A blocked frame is seen by no page event: Chromium fires load for its error page and Firefox
# fires nothing. Only the server (and Chromium's DevTools) can tell.
ROUTER_IFRAME = LocalRequest(
    "router-iframe",
    "router",
    "/frame",
    "iframe",
    lna("router", Expect("with the permission the router's page loads in the frame", None), page=None),
)
# Navigations go through in every state: LNA gates subresources, not where the person goes.
NAVIGATES = (
    "a top-level navigation is not gated: the router gets the request in every state, though the page "
    "reads nothing (Firefox: network.lna.allow_top_level_navigation; Chromium checks subresources)"
)
NAVIGATION_WAYS: tuple[tuple[str, str, How, str], ...] = (
    ("router-form-post", "/form", "form-post", "router got a form"),
    ("router-navigation", "/frame", "navigate", "router's admin page"),
)
NAVIGATIONS = [
    LocalRequest(id, "router", route, how, {(ANY, ANY): Expect(NAVIGATES, None, text=text)})
    for id, route, how, text in NAVIGATION_WAYS
]
INSECURE = (
    "Chromium refuses a local request from an insecure page (http://evil.test) before it asks for "
    "any permission: nothing is sent, even granted"
)
INSECURE_FIREFOX = (
    "Firefox ESR 153 treats an insecure page as it treats a secure one "
    "(network.lna.block_insecure_contexts is off by default)"
)


def insecure(base: LocalRequest) -> LocalRequest:
    """base, from http://evil.test: Chromium refuses in every state; Firefox as from a secure page."""
    chromium = Expect(
        INSECURE, "blocked", preflights=0, requests=0, reason="InsecureLocalNetwork", spec_reason=LNA_CHECK
    )
    firefox = {("firefox", state): expect for (_, state), expect in base.expect.items()}
    firefox = {key: dataclasses.replace(e, why=f"{INSECURE_FIREFOX}: {e.why}") for key, e in firefox.items()}
    return LocalRequest(
        f"{base.id}-from-insecure-page",
        base.target,
        base.route,
        base.how,
        {("chromium", ANY): chromium} | firefox,
        base.credentials,
        insecure=True,
    )


LOCAL_REQUESTS: tuple[LocalRequest, ...] = (
    *case_list,
    ROUTER_IMG,
    ROUTER_IFRAME,
    *NAVIGATIONS,
    insecure(case_list[0]),
    insecure(case_list[1]),
)


def local_network_table(data: dict[str, Any]) -> str:
    """Did the request reach the local server, and could the page read it, per case and lane."""
    cells = tables.area_cells(data, AREA.name)
    lanes = [(b, s) for b in tables.browsers(data, AREA.name) for s in STATES]
    rows = []
    for request in LOCAL_REQUESTS:
        row = [f"`{request.id}`"]
        for browser, state in lanes:
            cell = cells.get((AREA.name, request.id, browser, state))
            if cell is None:
                row.append("—")
                continue
            b = cell["behaviour"]
            # Nothing sent, nothing read: what the page saw matters once a request went out.
            read = {"read": ", read", "opaque": ", shown, unread", "blocked": ", not read"}.get(b["page"] or "", "")
            row.append(f"**sent**{read}" if b["requests"] > 0 else "not sent")
        rows.append(row)
    return tables.table(["request from evil's public page"] + [f"{b} {s}" for b, s in lanes], rows)


AREA = Area("local_network", rank=6, tables={"local-network": local_network_table})
