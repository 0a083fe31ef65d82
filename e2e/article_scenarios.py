"""The article's claims as scenarios, each with what today's browsers really do and why.

Sources: the article (../shared/article.txt); the Fetch standard's CORS check and CORS-preflight
fetch; Chromium's third-party cookie blocking (DevTools blocked reason "UserPreferences") and
Firefox's Total Cookie Protection (cookieBehavior 5, third-party cookies partitioned).
"""

from __future__ import annotations

from corsproof.scenarios import Expect, Scenario, by_profile, everywhere

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

ARTICLE_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        id="simple-get-without-cors-reaches-good-but-is-unreadable",
        claim="The request was successful, but the result was not available (Same-Origin Policy)",
        client="thirdparty",
        policy="no-cors",
        path="/api/public",
        logged_in=False,
        expect=everywhere(
            Expect(
                "blocked",
                "a simple GET needs no preflight, so it is sent; with no Access-Control-Allow-Origin "
                "the CORS check fails and fetch() rejects with a TypeError",
                chromium_error="MissingAllowOriginHeader",
            )
        ),
    ),
    Scenario(
        id="allow-origin-star-makes-the-public-api-readable",
        claim="Access-Control-Allow-Origin: * lets any host read the response",
        client="thirdparty",
        policy="article-allow-all",
        path="/api/public",
        logged_in=False,
        expect=everywhere(Expect("read", "`*` passes the CORS check of a request without credentials", body=PUBLIC)),
    ),
    Scenario(
        id="put-json-needs-a-preflight-that-is-not-answered",
        claim="A non-simple method or content type breaks thirdparty again: it needs a preflight",
        client="thirdparty",
        policy="article-allow-all",
        path="/api/public",
        init=PUT_JSON,
        logged_in=False,
        expect=everywhere(
            Expect(
                "blocked",
                "PUT and application/json are not CORS-safelisted, so the browser sends OPTIONS first; "
                "good has no OPTIONS route and answers 405, a preflight must be 2xx, the PUT never leaves",
                preflight=True,
                reached=False,
                chromium_error="PreflightInvalidStatus",
            )
        ),
    ),
    Scenario(
        id="custom-header-needs-a-preflight-that-is-not-answered",
        claim="Any header that is not allowed for simple requests requires a preflight",
        client="thirdparty",
        policy="article-allow-all",
        path="/api/public",
        init={"headers": {"X-Requested-With": "corsproof"}},
        logged_in=False,
        expect=everywhere(
            Expect(
                "blocked",
                "X-Requested-With is not a CORS-safelisted request header, so a preflight is sent "
                "and fails with 405",
                preflight=True,
                reached=False,
                chromium_error="PreflightInvalidStatus",
            )
        ),
    ),
    Scenario(
        id="answered-preflight-lets-put-json-through",
        claim="With Allow-Methods / Allow-Headers on the preflight, thirdparty can access the response again",
        client="thirdparty",
        policy="article-preflight",
        path="/api/public",
        init=PUT_JSON,
        logged_in=False,
        expect=everywhere(
            Expect(
                "read",
                "the 204 preflight allows PUT and Content-Type, so the PUT is sent and `*` exposes it",
                body='"method":"PUT"',
                preflight=True,
            )
        ),
    ),
    Scenario(
        id="evil-sees-please-login-first-without-credentials",
        claim="No matter if we are logged in or not, evil sees 'Please login first'",
        client="evil",
        policy="article-preflight",
        path="/private",
        expect=everywhere(
            Expect(
                "read",
                "fetch() defaults to credentials 'same-origin', so no cookie goes cross-origin and `*` "
                "exposes good's 401 answer",
                body=LOGIN_FIRST,
            )
        ),
    ),
    Scenario(
        id="credentials-include-with-star-is-refused",
        claim="credentials: 'include' with Access-Control-Allow-Origin: * will not work",
        client="evil",
        policy="article-preflight",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            Expect(
                "blocked",
                "`*` never passes the CORS check of a credentialed request; " + COOKIE_WITHHELD,
                chromium_error="WildcardOriginNotAllowed",
            ),
            Expect(
                "blocked",
                "`*` never passes the CORS check of a credentialed request, although the cookie was "
                "sent: the article's 'won't send the actual cookie' holds only while third-party "
                "cookies are blocked",
                cookie_sent=True,
                chromium_error="WildcardOriginNotAllowed",
            ),
        ),
    ),
    Scenario(
        id="star-with-allow-credentials-is-refused",
        claim="Allow-Origin * with Allow-Credentials: true still does not work for thirdparty",
        client="thirdparty",
        policy="article-credentials-wildcard",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            Expect(
                "blocked",
                "the CORS check rejects `*` for credentialed requests even with Allow-Credentials: true; "
                + COOKIE_WITHHELD,
                chromium_error="WildcardOriginNotAllowed",
            ),
            Expect(
                "blocked",
                "the CORS check rejects `*` for credentialed requests; the cookie went, the data did not",
                cookie_sent=True,
                chromium_error="WildcardOriginNotAllowed",
            ),
        ),
    ),
    Scenario(
        id="one-origin-with-credentials-thirdparty-reads-private-data",
        claim="Naming thirdparty's origin with credentials gives it the private data",
        client="thirdparty",
        policy="article-one-origin",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            Expect(
                "read",
                "the CORS check passes, but today's default browsers contradict the article: "
                + COOKIE_WITHHELD
                + ", so thirdparty reads 'Please login first'",
                body=LOGIN_FIRST,
            ),
            Expect("read", COOKIE_ALLOWED + " and the exact origin passes the CORS check", body=PRIVATE, cookie_sent=True),
        ),
    ),
    Scenario(
        id="one-origin-with-credentials-evil-is-locked-out",
        claim="evil.com is locked out",
        client="evil",
        policy="article-one-origin",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            Expect(
                "blocked",
                "Allow-Origin names thirdparty, not evil: the CORS check fails",
                chromium_error="AllowOriginMismatch",
            ),
            Expect(
                "blocked",
                "Allow-Origin names thirdparty, not evil: the CORS check fails, yet the credentialed "
                "request was carried out with the victim's cookie (the CSRF gap)",
                cookie_sent=True,
                chromium_error="AllowOriginMismatch",
            ),
        ),
    ),
    Scenario(
        id="allowlist-lets-thirdparty-in",
        claim="A whitelist allows several origins with credentials",
        client="thirdparty",
        policy="article-allowlist",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            Expect("read", "thirdparty is listed; " + COOKIE_WITHHELD, body=LOGIN_FIRST),
            Expect("read", "thirdparty is listed; " + COOKIE_ALLOWED, body=PRIVATE, cookie_sent=True),
        ),
    ),
    Scenario(
        id="allowlist-lets-the-same-site-sibling-read-private-data",
        claim="Where the article's credentialed step still works by default: a same-site origin",
        client="sibling",
        policy="article-allowlist",
        path="/private",
        init=CREDENTIALS,
        expect=everywhere(
            Expect(
                "read",
                "app.good.localhost is same-site with good.localhost, so good's cookie is first-party "
                "under every cookie profile, and the sibling is listed",
                body=PRIVATE,
                cookie_sent=True,
            )
        ),
    ),
    Scenario(
        id="allowlist-keeps-evil-out",
        claim="...and no other origin",
        client="evil",
        policy="article-allowlist",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            Expect(
                "blocked",
                "evil is not listed, so no Access-Control-Allow-Origin is sent",
                chromium_error="MissingAllowOriginHeader",
            ),
            Expect(
                "blocked",
                "evil is not listed, so no Access-Control-Allow-Origin; the request still ran with the cookie",
                cookie_sent=True,
                chromium_error="MissingAllowOriginHeader",
            ),
        ),
    ),
    Scenario(
        id="starlette-wildcard-with-credentials-reflects-evil",
        claim="Do not send the request's Origin back as the CORS origin: any site reads private data",
        client="evil",
        policy="starlette-wildcard-credentials",
        path="/private",
        init=CREDENTIALS,
        expect=by_profile(
            Expect(
                "read",
                "Starlette answers allow_origins=['*'] + allow_credentials=True by reflecting evil's "
                "origin with Allow-Credentials: true; only the browser's cookie blocking saves the "
                "victim: " + COOKIE_WITHHELD,
                body=LOGIN_FIRST,
            ),
            Expect(
                "read",
                "Starlette reflects evil's origin with Allow-Credentials: true and " + COOKIE_ALLOWED
                + ": evil reads the victim's private data",
                body=PRIVATE,
                cookie_sent=True,
            ),
        ),
    ),
)
