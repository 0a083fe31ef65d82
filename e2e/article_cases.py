"""The article's claims as scenarios, each with what today's browsers really do and why.

Sources: the article (../shared/article.txt); the Fetch standard's CORS check and CORS-preflight
fetch; Chromium's third-party cookie blocking (DevTools blocked reason "UserPreferences") and
Firefox's Total Cookie Protection (cookieBehavior 5, third-party cookies partitioned).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from corsproof.model import SESSION, Expectations, by_profile, everywhere, outcome
from corsproof.report.areas import Area
from corsproof.suite.lane import LOGGED_IN, LOGGED_OUT
from corsproof.suite.scenarios import Api, Fetch

PUT_JSON = {"method": "PUT", "headers": {"Content-Type": "application/json"}, "body": "{}"}
CREDENTIALS = {"credentials": "include"}
PRIVATE = "PRIVATE"
LOGIN_FIRST = "Please login first"
PUBLIC = "good's public data"

COOKIE_WITHHELD = (
    "third-party cookies are withheld by default and by the 'block third-party cookies' setting "
    "(Chromium: blocked reason UserPreferences; Firefox: Total Cookie Protection partitions good's "
    "cookie, cookieBehavior 1 rejects it), so good never sees the session"
)
COOKIE_ALLOWED = "with third-party cookies allowed, good's SameSite=None; Secure cookie travels"


def claim(
    *,
    id: str,
    claim: str,
    client: str,
    policy: str,
    path: str,
    expect: Expectations,
    init: Mapping[str, Any] | None = None,
    logged_in: bool = True,
) -> Fetch:
    """One of the article's claims: a page on client fetches path under good's policy."""
    start = LOGGED_IN if logged_in else LOGGED_OUT
    return Fetch(id, Api(policy, path), expect, client, init or {}, start=start, source=claim)


ARTICLE_SCENARIOS: tuple[Fetch, ...] = (
    claim(
        id="simple-get-without-cors-reaches-good-but-is-unreadable",
        claim="The request was successful, but the result was not available (Same-Origin Policy)",
        client="thirdparty",
        policy="no-cors",
        path="/api/public",
        logged_in=False,
        expect=everywhere(
            outcome(
                "blocked",
                "a simple GET needs no preflight, so it is sent; with no Access-Control-Allow-Origin "
                "the CORS check fails and fetch() rejects with a TypeError",
                reason="MissingAllowOriginHeader",
            )
        ),
    ),
    claim(
        id="allow-origin-star-makes-the-public-api-readable",
        claim="Access-Control-Allow-Origin: * lets any host read the response",
        client="thirdparty",
        policy="article-allow-all",
        path="/api/public",
        logged_in=False,
        expect=everywhere(outcome("read", "`*` passes the CORS check of a request without credentials", body=PUBLIC)),
    ),
    claim(
        id="put-json-needs-a-preflight-that-is-not-answered",
        claim="A non-simple method or content type breaks thirdparty again: it needs a preflight",
        client="thirdparty",
        policy="article-allow-all",
        path="/api/public",
        init=PUT_JSON,
        logged_in=False,
        expect=everywhere(
            outcome(
                "blocked",
                "PUT and application/json are not CORS-safelisted, so the browser sends OPTIONS first; "
                "good has no OPTIONS route and answers 405, a preflight must be 2xx, the PUT never leaves",
                preflights=1,
                requests=0,
                reason="PreflightInvalidStatus",
            )
        ),
    ),
    claim(
        id="custom-header-needs-a-preflight-that-is-not-answered",
        claim="Any header that is not allowed for simple requests requires a preflight",
        client="thirdparty",
        policy="article-allow-all",
        path="/api/public",
        init={"headers": {"X-Requested-With": "corsproof"}},
        logged_in=False,
        expect=everywhere(
            outcome(
                "blocked",
                "X-Requested-With is not a CORS-safelisted request header, so a preflight is sent and fails with 405",
                preflights=1,
                requests=0,
                reason="PreflightInvalidStatus",
            )
        ),
    ),
    claim(
        id="answered-preflight-lets-put-json-through",
        claim="With Allow-Methods / Allow-Headers on the preflight, thirdparty can access the response again",
        client="thirdparty",
        policy="article-preflight",
        path="/api/public",
        init=PUT_JSON,
        logged_in=False,
        expect=everywhere(
            outcome(
                "read",
                "the 204 preflight allows PUT and Content-Type, so the PUT is sent and `*` exposes it",
                body='"method":"PUT"',
                preflights=1,
            )
        ),
    ),
    claim(
        id="evil-sees-please-login-first-without-credentials",
        claim="No matter if we are logged in or not, evil sees 'Please login first'",
        client="evil",
        policy="article-preflight",
        path="/private",
        expect=everywhere(
            outcome(
                "read",
                "fetch() defaults to credentials 'same-origin', so no cookie goes cross-origin and `*` "
                "exposes good's 401 answer",
                body=LOGIN_FIRST,
            )
        ),
    ),
    claim(
        id="credentials-include-with-star-is-refused",
        claim="credentials: 'include' with Access-Control-Allow-Origin: * will not work",
        client="evil",
        policy="article-preflight",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            outcome(
                "blocked",
                "`*` never passes the CORS check of a credentialed request; " + COOKIE_WITHHELD,
                reason="WildcardOriginNotAllowed",
            ),
            outcome(
                "blocked",
                "`*` never passes the CORS check of a credentialed request, although the cookie was "
                "sent: the article's 'won't send the actual cookie' holds only while third-party "
                "cookies are blocked",
                cookies=SESSION,
                reason="WildcardOriginNotAllowed",
            ),
        ),
    ),
    claim(
        id="star-with-allow-credentials-is-refused",
        claim="Allow-Origin * with Allow-Credentials: true still does not work for thirdparty",
        client="thirdparty",
        policy="article-credentials-wildcard",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            outcome(
                "blocked",
                "the CORS check rejects `*` for credentialed requests even with Allow-Credentials: true; "
                + COOKIE_WITHHELD,
                reason="WildcardOriginNotAllowed",
            ),
            outcome(
                "blocked",
                "the CORS check rejects `*` for credentialed requests; the cookie went, the data did not",
                cookies=SESSION,
                reason="WildcardOriginNotAllowed",
            ),
        ),
    ),
    claim(
        id="one-origin-with-credentials-thirdparty-reads-private-data",
        claim="Naming thirdparty's origin with credentials gives it the private data",
        client="thirdparty",
        policy="article-one-origin",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            outcome(
                "read",
                "the CORS check passes, but today's default browsers contradict the article: "
                + COOKIE_WITHHELD
                + ", so thirdparty reads 'Please login first'",
                body=LOGIN_FIRST,
            ),
            outcome(
                "read", COOKIE_ALLOWED + " and the exact origin passes the CORS check", body=PRIVATE, cookies=SESSION
            ),
        ),
    ),
    claim(
        id="one-origin-with-credentials-evil-is-locked-out",
        claim="evil.com is locked out",
        client="evil",
        policy="article-one-origin",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            outcome(
                "blocked",
                "Allow-Origin names thirdparty, not evil: the CORS check fails",
                reason="AllowOriginMismatch",
            ),
            outcome(
                "blocked",
                "Allow-Origin names thirdparty, not evil: the CORS check fails, yet the credentialed "
                "request was carried out with the victim's cookie (the CSRF gap)",
                cookies=SESSION,
                reason="AllowOriginMismatch",
            ),
        ),
    ),
    claim(
        id="allowlist-lets-thirdparty-in",
        claim="A whitelist allows several origins with credentials",
        client="thirdparty",
        policy="article-allowlist",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            outcome("read", "thirdparty is listed; " + COOKIE_WITHHELD, body=LOGIN_FIRST),
            outcome("read", "thirdparty is listed; " + COOKIE_ALLOWED, body=PRIVATE, cookies=SESSION),
        ),
    ),
    claim(
        id="allowlist-lets-the-same-site-sibling-read-private-data",
        claim="Where the article's credentialed step still works by default: a same-site origin",
        client="sibling",
        policy="article-allowlist",
        path="/private",
        init=CREDENTIALS,
        expect=everywhere(
            outcome(
                "read",
                "app.good.localhost is same-site with good.localhost, so good's cookie is first-party "
                "under every cookie profile, and the sibling is listed",
                body=PRIVATE,
                cookies=SESSION,
            )
        ),
    ),
    claim(
        id="allowlist-keeps-evil-out",
        claim="...and no other origin",
        client="evil",
        policy="article-allowlist",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            outcome(
                "blocked",
                "evil is not listed, so no Access-Control-Allow-Origin is sent",
                reason="MissingAllowOriginHeader",
            ),
            outcome(
                "blocked",
                "evil is not listed, so no Access-Control-Allow-Origin; the request still ran with the cookie",
                cookies=SESSION,
                reason="MissingAllowOriginHeader",
            ),
        ),
    ),
    claim(
        id="starlette-wildcard-with-credentials-reflects-evil",
        claim="Do not send the request's Origin back as the CORS origin: any site reads private data",
        client="evil",
        policy="starlette-wildcard-credentials",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            outcome(
                "read",
                "Starlette answers allow_origins=['*'] + allow_credentials=True by reflecting evil's "
                "origin with Allow-Credentials: true; only the browser's cookie blocking saves the "
                "victim: " + COOKIE_WITHHELD,
                body=LOGIN_FIRST,
            ),
            outcome(
                "read",
                "Starlette reflects evil's origin with Allow-Credentials: true and "
                + COOKIE_ALLOWED
                + ": evil reads the victim's private data",
                body=PRIVATE,
                cookies=SESSION,
            ),
        ),
    ),
)

AREA = Area("article", rank=1)
