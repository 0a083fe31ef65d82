"""Cookies as people really have them: more than two minutes old.

Chromium sends a cookie without SameSite on a cross-site top-level POST only in the two minutes
after it was set ("Lax-allowing-unsafe", chromestatus 5088147346030592); a real session cookie is
usually older, and then Chromium treats it as Lax. Firefox ESR 153 and WebKitGTK 2.50 treat it as
SameSite=None, whatever its age. These cases run once the cookies of a context made at the start of the run are
over two minutes old: the cookie matrix's form-POST cell from thirdparty, and CSRF by evil's form
against a session cookie without SameSite.
"""

from __future__ import annotations

from corsproof.model import SESSION, Expect, per_browser
from corsproof.report.areas import Area
from corsproof.suite.lane import Start
from corsproof.suite.scenarios import CookieRequest, Forgery
from e2e.cookie_matrix_cases import (
    HTTP_ONLY,
    LAX,
    LAX_INSECURE,
    NONE_SECURE,
    PARTITIONED,
    STRICT,
    UNSET,
    WEBKIT_NONE_LIKE,
    cell,
)

AGE_S = 125  # past Chromium's two-minute window, with a margin

FORM_POST = CookieRequest(
    "thirdparty-form-post-aged",
    "thirdparty",
    "form-post",
    per_browser(
        cell(
            frozenset({NONE_SECURE, HTTP_ONLY, PARTITIONED}),
            "a top-level cross-site POST with cookies over two minutes old: Chromium's Lax-allowing-unsafe "
            "window is over, so the cookie without SameSite is Lax and stays, like Lax and Strict",
            {
                LAX: ("SchemefulSameSiteLax",),
                LAX_INSECURE: ("SchemefulSameSiteLax",),
                STRICT: ("SchemefulSameSiteStrict",),
                UNSET: ("SchemefulSameSiteUnspecifiedTreatedAsLax",),
            },
        ),
        cell(
            frozenset({NONE_SECURE, HTTP_ONLY, PARTITIONED, UNSET}),
            "Firefox treats a cookie without SameSite as None whatever its age: it goes on the cross-site "
            "POST; Lax and Strict stay",
        ),
        cell(
            WEBKIT_NONE_LIKE,
            "WebKit treats a cookie without SameSite as None whatever its age (no Lax by default): it goes on "
            "the cross-site POST, and so does SameSite=None without Secure, which WebKit keeps; Lax and Strict stay",
        ),
    ),
    start=Start(matrix_cookies=True),
)

CSRF_FORM = Forgery(
    "samesite-unset-form-aged",
    "form",
    per_browser(
        Expect(
            "Chromium: a session cookie without SameSite, over two minutes old, is Lax: evil's form POST "
            "arrives without it and good refuses (401) — the fresh cookie's window no longer protects evil",
            None,
            origins=("page",),
            cookies=frozenset(),
            status=401,
            transfers=0,
        ),
        Expect(
            "Firefox: a session cookie without SameSite counts as None, so evil's form POST carries it and "
            "good moves the money, however old the session",
            None,
            origins=("page",),
            cookies=SESSION,
            status=200,
            transfers=1,
        ),
        Expect(
            "WebKit: no Lax by default, so a session cookie without SameSite counts as None: evil's form POST "
            "carries it and good moves the money, however old the session",
            None,
            origins=("page",),
            cookies=SESSION,
            status=200,
            transfers=1,
        ),
    ),
    samesite="unset",
)

AREA = Area("aged_cookies", rank=8)
