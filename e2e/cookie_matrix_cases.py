"""When does good's cookie travel? The cookie matrix as data.

good sets one cookie per attribute set (servers/cookie_lab.py MATRIX_COOKIES) in a first-party
visit; then a page on good itself, on its same-site sibling or on cross-site thirdparty asks good
for /cookie-lab/echo in one of eight ways (corsproof/requests.py). A row says, for a requester
and some ways of asking, which cookies reach good per browser and cookie profile, why, and in
Chromium which blocked reasons DevTools names for the cookies it withholds.

Sources: RFC 6265bis (draft-ietf-httpbis-rfc6265bis-20) §5.2 "same-site" and "SameSite" rules,
§5.6.7 (SameSite=None requires Secure); CHIPS (draft-cutler-httpbis-partitioned-cookies);
Chromium: chromestatus 5088147346030592 (SameSite=Lax by default, with the two-minute
"Lax-allowing-unsafe" exception for top-level POSTs) and the DevTools protocol's
Network.CookieBlockedReason; Firefox: network.cookie.sameSite.laxByDefault (off in release) and
Total Cookie Protection (network.cookie.cookieBehavior 5); WPT cookies/samesite/*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corsproof.model import ANY, Expect, Expectations, everywhere
from corsproof.report import tables
from corsproof.report.areas import Area
from corsproof.requests import HOWS
from corsproof.suite.scenarios import CookieRequest, CrossSiteSet

# The matrix cookies (see servers/cookie_lab.py): each name says its attributes.
NONE_SECURE = "none_secure"  # SameSite=None; Secure
NONE_INSECURE = "none_insecure"  # SameSite=None without Secure
LAX = "lax"
STRICT = "strict"
UNSET = "unset"  # no SameSite attribute
LAX_INSECURE = "lax_insecure"
PARTITIONED = "partitioned"  # SameSite=None; Secure; Partitioned, set while good was top-level
HTTP_ONLY = "http_only"  # SameSite=None; Secure; HttpOnly

ALL_COOKIES = frozenset({NONE_SECURE, NONE_INSECURE, LAX, STRICT, UNSET, LAX_INSECURE, PARTITIONED, HTTP_ONLY})
# SameSite=None without Secure is refused when set (RFC 6265bis §5.6.7): it never exists to travel.
STORED = ALL_COOKIES - {NONE_INSECURE}
NONE = frozenset[str]()

SUBRESOURCES = ("fetch-include", "xhr-with-credentials", "img", "iframe")
NO_CREDENTIALS = ("fetch-omit",)

Reasons = dict[str, tuple[str, ...]]


def cell(sent: frozenset[str], why: str, chromium_reasons: Reasons | None = None) -> Expect:
    """Which matrix cookies reach good, why, and Chromium's reasons for the ones it withholds."""
    reasons = {name: why for name, why in (chromium_reasons or {}).items() if name not in sent}
    # requests=None: once, in a loaded CI run, Chromium made a matrix request twice (a retry); that
    # is the same request as long as both carried the same cookies, which check() asserts.
    return Expect(why, cookies=sent, cookie_reasons=reasons, requests=None)


@dataclass(frozen=True)
class Row:
    who: str  # the requesting page's site: good, sibling or thirdparty
    hows: tuple[str, ...]
    expect: Expectations


# Chromium's reasons for a cross-site subresource: SameSite first, then the user's third-party
# setting for every cookie (the partitioned cookie belongs to good's partition and is not even
# considered, so it has no reason).
_SAMESITE_REASONS: Reasons = {
    LAX: ("SchemefulSameSiteLax",),
    LAX_INSECURE: ("SchemefulSameSiteLax",),
    STRICT: ("SchemefulSameSiteStrict",),
    UNSET: ("SchemefulSameSiteUnspecifiedTreatedAsLax",),
}
_THIRD_PARTY_BLOCKED_REASONS: Reasons = {
    NONE_SECURE: ("UserPreferences",),
    HTTP_ONLY: ("UserPreferences",),
    **{name: reasons + ("UserPreferences",) for name, reasons in _SAMESITE_REASONS.items()},
}

CROSS_SITE_WITHHELD = cell(
    NONE,
    "a cross-site subresource request: Lax/Strict/unset cookies are withheld by SameSite, and "
    "SameSite=None ones by third-party cookie blocking (Chromium: UserPreferences; Firefox: Total "
    "Cookie Protection keeps good's unpartitioned cookies out of thirdparty's partition, "
    "cookieBehavior 1 rejects them)",
)

MATRIX: tuple[Row, ...] = (
    Row("good", NO_CREDENTIALS, everywhere(cell(NONE, "credentials: 'omit' sends no cookie, even same-origin"))),
    Row(
        "good",
        ("fetch-same-origin",) + SUBRESOURCES + ("link", "form-post"),
        everywhere(cell(STORED, "a same-origin request: every stored cookie goes, whatever its SameSite")),
    ),
    Row(
        "sibling",
        NO_CREDENTIALS + ("fetch-same-origin",),
        everywhere(cell(NONE, "app.good is another origin: 'omit' and 'same-origin' send no cookie")),
    ),
    Row(
        "sibling",
        SUBRESOURCES + ("link", "form-post"),
        everywhere(
            cell(
                STORED,
                "app.good.localhost is same-site with good.localhost: SameSite restricts nothing, "
                "third-party cookie rules do not apply, and the partitioned cookie's partition "
                "(good.localhost's site) is the sibling's too",
            )
        ),
    ),
    Row(
        "thirdparty",
        NO_CREDENTIALS + ("fetch-same-origin",),
        everywhere(cell(NONE, "thirdparty is another origin: 'omit' and 'same-origin' send no cookie")),
    ),
    Row(
        "thirdparty",
        SUBRESOURCES,
        {
            (ANY, "default"): cell(CROSS_SITE_WITHHELD.cookies, CROSS_SITE_WITHHELD.why, _THIRD_PARTY_BLOCKED_REASONS),
            (ANY, "third-party-blocked"): cell(
                CROSS_SITE_WITHHELD.cookies, CROSS_SITE_WITHHELD.why, _THIRD_PARTY_BLOCKED_REASONS
            ),
            ("chromium", "third-party-allowed"): cell(
                frozenset({NONE_SECURE, HTTP_ONLY}),
                "third-party cookies allowed: SameSite=None; Secure cookies go; Chromium treats a cookie "
                "without SameSite as Lax, so it stays (SchemefulSameSiteUnspecifiedTreatedAsLax); the "
                "partitioned cookie lives in good's partition, not thirdparty's",
                _SAMESITE_REASONS,
            ),
            ("firefox", "third-party-allowed"): cell(
                frozenset({NONE_SECURE, HTTP_ONLY, UNSET}),
                "third-party cookies allowed (cookieBehavior 0): SameSite=None cookies go, and so does the "
                "cookie without SameSite — Firefox ESR 153 does not treat it as Lax "
                "(network.cookie.sameSite.laxByDefault is off): a difference from Chromium",
            ),
        },
    ),
    Row(
        "thirdparty",
        ("link",),
        everywhere(
            cell(
                STORED - {STRICT},
                "a top-level GET navigation to good is first-party: every cookie but Strict goes (Lax "
                "allows top-level GETs; the partitioned cookie's partition is good's, now top-level)",
                {STRICT: ("SchemefulSameSiteStrict",)},
            )
        ),
    ),
    Row(
        "thirdparty",
        ("form-post",),
        {
            ("chromium", ANY): cell(
                frozenset({NONE_SECURE, HTTP_ONLY, PARTITIONED, UNSET}),
                "a top-level cross-site POST: Lax and Strict stay; the cookie without SameSite goes only "
                "because it was set less than two minutes ago (Chromium's Lax-allowing-unsafe exception "
                "for defaulted Lax)",
                {
                    LAX: ("SchemefulSameSiteLax",),
                    LAX_INSECURE: ("SchemefulSameSiteLax",),
                    STRICT: ("SchemefulSameSiteStrict",),
                },
            ),
            ("firefox", ANY): cell(
                frozenset({NONE_SECURE, HTTP_ONLY, PARTITIONED, UNSET}),
                "a top-level cross-site POST: Lax and Strict stay; the cookie without SameSite goes "
                "because Firefox treats it as SameSite=None, whatever its age",
            ),
        },
    ),
)


# WebKit (WebKitGTK 2.50.6, MiniBrowser) where it differs: it keeps SameSite=None without Secure
# (it does not enforce RFC 6265bis §5.6.7), has no Lax by default (a cookie without SameSite is
# None), no CHIPS (the Partitioned cookie is an ordinary SameSite=None one), and its default policy
# (no-third-party) sends cookies set first-party to every site; ITP withholds them all.
WEBKIT_STORED = ALL_COOKIES
WEBKIT_NONE_LIKE = frozenset({NONE_SECURE, NONE_INSECURE, HTTP_ONLY, PARTITIONED, UNSET})
WEBKIT_KEEPS_INSECURE_NONE = "WebKit also keeps and sends SameSite=None without Secure"


def webkit(profiles: dict[str, Expect] | Expect) -> Expectations:
    """WebKit's cell under each cookie profile (or one for all)."""
    if isinstance(profiles, Expect):
        return {("webkit", ANY): profiles}
    return {("webkit", profile): expect for profile, expect in profiles.items()}


WEBKIT_MATRIX: tuple[Row, ...] = (
    Row(
        "good",
        ("fetch-same-origin",) + SUBRESOURCES + ("link", "form-post"),
        webkit(cell(WEBKIT_STORED, f"a same-origin request: every stored cookie goes; {WEBKIT_KEEPS_INSECURE_NONE}")),
    ),
    Row(
        "sibling",
        SUBRESOURCES + ("link", "form-post"),
        webkit(
            cell(WEBKIT_STORED, f"app.good is same-site with good: every cookie goes; {WEBKIT_KEEPS_INSECURE_NONE}")
        ),
    ),
    Row(
        "thirdparty",
        SUBRESOURCES,
        webkit(
            {
                "default": cell(
                    WEBKIT_NONE_LIKE,
                    "WebKit's default (no-third-party) refuses only cookies a third party sets: good's "
                    "first-party cookies go cross-site unless SameSite=Lax or Strict; without SameSite a "
                    "cookie is None (no Lax by default), and Partitioned means nothing to it (no CHIPS)",
                ),
                "third-party-allowed": cell(
                    WEBKIT_NONE_LIKE,
                    "every cookie but Lax and Strict goes cross-site: without SameSite a cookie is None in "
                    "WebKit, SameSite=None needs no Secure, and Partitioned means nothing to it (no CHIPS)",
                ),
                "third-party-blocked": cell(
                    NONE, "ITP (Safari's Intelligent Tracking Prevention) sends no cookie to a third party"
                ),
            }
        ),
    ),
    Row(
        "thirdparty",
        ("link",),
        webkit(
            cell(
                WEBKIT_STORED - {STRICT},
                "a top-level GET navigation is first-party: every cookie but Strict goes; "
                + WEBKIT_KEEPS_INSECURE_NONE,
            )
        ),
    ),
    Row(
        "thirdparty",
        ("form-post",),
        webkit(
            cell(
                WEBKIT_NONE_LIKE,
                "a top-level cross-site POST: Lax and Strict stay; the cookie without SameSite goes, as "
                "SameSite=None in WebKit, whatever its age (no Lax by default, so no two-minute window)",
            )
        ),
    ),
)
_WEBKIT_CELLS = {(row.who, how): row.expect for row in WEBKIT_MATRIX for how in row.hows}

# One scenario per requester and way of asking: each asserts every matrix cookie of its cell.
COOKIE_REQUESTS: tuple[CookieRequest, ...] = tuple(
    CookieRequest(f"{row.who}-{how}", row.who, how, {**row.expect, **_WEBKIT_CELLS.get((row.who, how), {})})
    for row in MATRIX
    for how in row.hows
)


# Setting cookies cross-site: thirdparty's credentialed fetch gets a Set-Cookie from good.
SET_CROSS_SITE: dict[str, str] = {
    "x_none": "samesite=none&secure=1",
    "x_partitioned": "samesite=none&secure=1&partitioned=1",
    "x_lax": "samesite=lax&secure=1",
    "x_unset": "samesite=unset&secure=1",
}


def set_cell(
    stored: frozenset[str],
    read_back: frozenset[str],
    first_party: frozenset[str],
    why: str,
    chromium_refused: Reasons | None = None,
) -> Expect:
    """After thirdparty's fetches set the x_ cookies: which the browser kept, which thirdparty's
    next credentialed request to good carries, which good's own top-level page then gets."""
    return Expect(
        why,
        requests=2,
        cookies=None,
        stored=stored,
        cookies_each=(read_back, first_party),
        set_refusals=chromium_refused if chromium_refused is not None else {},
    )


CHROMIUM_WITHHELD = set_cell(
    frozenset({"x_partitioned"}),
    frozenset({"x_partitioned"}),
    NONE,
    "third-party cookies blocked (by default and by the setting): only the Partitioned cookie is kept, in "
    "thirdparty's partition (CHIPS), so it comes back to good from thirdparty but never to good's own pages",
    {"x_none": ("UserPreferences",), "x_lax": ("UserPreferences",), "x_unset": ("UserPreferences",)},
)
SET_EXPECT: Expectations = {
    ("chromium", "default"): CHROMIUM_WITHHELD,
    ("chromium", "third-party-allowed"): set_cell(
        frozenset({"x_none", "x_partitioned"}),
        frozenset({"x_none", "x_partitioned"}),
        frozenset({"x_none"}),
        "SameSite=None is kept unpartitioned and good's own pages see it; Lax and unset (Lax by default) "
        "cannot be set from a cross-site request",
        {"x_lax": ("SchemefulSameSiteLax",), "x_unset": ("SchemefulSameSiteUnspecifiedTreatedAsLax",)},
    ),
    ("firefox", "default"): set_cell(
        frozenset({"x_none", "x_partitioned", "x_unset"}),
        frozenset({"x_none", "x_partitioned", "x_unset"}),
        NONE,
        "Total Cookie Protection keeps every third-party cookie, partitioned under thirdparty: good sees them "
        "from thirdparty, never on its own pages; Lax cannot be set cross-site; unset counts as None",
    ),
    ("firefox", "third-party-allowed"): set_cell(
        frozenset({"x_none", "x_partitioned", "x_unset"}),
        frozenset({"x_none", "x_partitioned", "x_unset"}),
        frozenset({"x_none", "x_unset"}),
        "cookieBehavior 0: None and unset cookies are kept unpartitioned and reach good's own pages; the "
        "Partitioned one stays in thirdparty's partition; Lax cannot be set cross-site",
    ),
    ("chromium", "third-party-blocked"): CHROMIUM_WITHHELD,
    ("firefox", "third-party-blocked"): set_cell(
        NONE, NONE, NONE, "cookieBehavior 1 rejects every third-party cookie, Partitioned ones included"
    ),
    ("webkit", "default"): set_cell(
        NONE, NONE, NONE, "WebKit's default policy, no-third-party, refuses every cookie a third party sets"
    ),
    ("webkit", "third-party-allowed"): set_cell(
        frozenset({"x_none", "x_partitioned", "x_unset", "x_lax"}),
        frozenset({"x_none", "x_partitioned", "x_unset"}),
        frozenset({"x_none", "x_partitioned", "x_unset", "x_lax"}),
        "--cookies-policy=always keeps every cookie a cross-site response sets, SameSite=Lax included (RFC "
        "6265bis refuses Lax and Strict from a cross-site response; Chromium does): Lax is then withheld from "
        "thirdparty's fetch but reaches good's own pages; no CHIPS, so the Partitioned one is unpartitioned",
    ),
    ("webkit", "third-party-blocked"): set_cell(
        NONE, NONE, NONE, "ITP (Safari's Intelligent Tracking Prevention) refuses every cookie a third party sets"
    ),
}

CROSS_SITE_SET = CrossSiteSet("cookies-set-by-a-cross-site-response", SET_CROSS_SITE, SET_EXPECT)

# The tables of README.md and docs/cookie-matrix.md, made from a report (corsproof tables).
COOKIE_LABELS = {
    HTTP_ONLY: "HttpOnly",
    LAX: "Lax",
    LAX_INSECURE: "Lax (not Secure)",
    NONE_SECURE: "None",
    PARTITIONED: "Partitioned",
    STRICT: "Strict",
    UNSET: "unset",
}
NONE_INSECURE_LABEL = "None (not Secure)"
SET_LABELS = {
    "x_none": "`SameSite=None; Secure`",
    "x_partitioned": "`… ; Partitioned`",
    "x_lax": "`SameSite=Lax; Secure`",
    "x_unset": "no SameSite, `Secure`",
}


def _cookies(sent: list[str]) -> str:
    """'all', 'none', 'all but X' or the list, by the names the docs use; "all" is every cookie a
    browser keeps by the RFC, and "+ None (not Secure)" marks the one only WebKit keeps and sends."""
    names = set(sent) & STORED
    extra = " + " + NONE_INSECURE_LABEL if NONE_INSECURE in sent else ""
    if names == STORED:
        return "all" + extra
    if not names:
        return extra[3:] or "none"
    missing = sorted(COOKIE_LABELS[n] for n in STORED - names)
    if len(missing) <= 3:
        return "all but " + ", ".join(missing) + extra
    return ", ".join(sorted(COOKIE_LABELS[n] for n in names)) + extra


def matrix_table(data: dict[str, Any], requesters: tuple[str, ...] = ("good", "sibling", "thirdparty")) -> str:
    """Which of good's cookies reach good, per requester, way of asking and lane."""
    cells, lanes = tables.area_cells(data, AREA.name), tables.lanes(data, AREA.name)
    rows = []
    for who in requesters:
        for how in HOWS:
            found = [cells.get((AREA.name, f"{who}-{how}", b, p)) for b, p in lanes]
            rows.append([who, how] + [_cookies(c["behaviour"]["cookies"]) if c else "—" for c in found])
    return tables.table(["requester", "way"] + [f"{b} {p}" for b, p in lanes], rows)


def _kept(cell: dict[str, Any], name: str) -> str:
    """What became of one cookie set cross-site, in one lane."""
    if name not in cell["behaviour"]["stored"]:
        refused = cell["behaviour"].get("set_refusals", {}).get(name)
        return "refused" + (f" (`{', '.join(refused)}`)" if refused else "")
    read_back, first_party = (set(hop["cookies"]) for hop in cell["evidence"])
    if name in first_party:
        return "kept; good's own pages see it"
    return "kept, partitioned: only thirdparty's requests carry it" if name in read_back else "kept, never sent"


def cross_site_set_table(data: dict[str, Any]) -> str:
    """What each browser keeps of the cookies good's answers set on thirdparty's fetches."""
    cells, lanes = tables.area_cells(data, AREA.name), tables.lanes(data, AREA.name)
    rows = [
        [label] + [_kept(cells[(AREA.name, CROSS_SITE_SET.id, b, p)], name) for b, p in lanes]
        for name, label in SET_LABELS.items()
    ]
    return tables.table(["cookie set cross-site"] + [f"{b} {p}" for b, p in lanes], rows)


AREA = Area(
    "cookie_matrix",
    rank=2,
    tables={
        "cookie-matrix": matrix_table,
        "cookie-matrix-thirdparty": lambda data: matrix_table(data, ("thirdparty",)),
        "cookies-set-cross-site": cross_site_set_table,
    },
)
