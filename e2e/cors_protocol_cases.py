"""The Fetch standard's CORS protocol as scenarios, each mirroring a web-platform-tests file.

Every case runs from a page on thirdparty against good's /cors-lab/resource (servers/cors_lab.py),
whose query shapes the answer as WPT's resources/preflight.py does. `wpt` names the file under
fetch/api/cors/ that checks the same behaviour; `why` says what the standard requires
(https://fetch.spec.whatwg.org/#http-cors-protocol) or, where a browser differs, what it does.
"""

from __future__ import annotations

from typing import Any

from corsproof.model import ANY, Expect, everywhere, outcome
from corsproof.report.areas import Area
from corsproof.suite.lab import Hop, LabValue
from corsproof.suite.scenarios import Fetch, Lab

STAR = {"acao": "*"}
REFLECT = {"acao": "{origin}"}
CREDENTIALED = {"acao": "{origin}", "acac": "true"}
INCLUDE = {"credentials": "include"}
PAGE_THEN_NULL = ("page", "null")
AUTHORIZATION_BY_WILDCARD = (
    "Chromium still accepts it (a DevTools deprecation issue only) and Firefox ESR 153 keeps "
    "network.cors_preflight.authorization_covered_by_wildcard on by default"
)


def case(
    id: str, wpt: str, lab: dict[str, LabValue], expect: Expect, webkit: Expect | None = None, **more: Any
) -> Fetch:
    """A fetch by thirdparty's page from good's CORS lab; wpt: the file under fetch/api/cors/ it mirrors.
    No case depends on a cookie: the page is logged out, and the same is expected under every
    profile; in every browser, but where WebKit differs (webkit: what it does, and why)."""
    expectations = everywhere(expect) | ({("webkit", ANY): webkit} if webkit is not None else {})
    return Fetch(id, Lab(lab), expectations, source=wpt, **more)


def read(why: str, **more: Any) -> Expect:
    return outcome("read", why, **more)


def blocked(reason: str, why: str, **more: Any) -> Expect:
    return outcome("blocked", why, reason=reason, **more)


def preflight_refused(reason: str, why: str) -> Expect:
    """The preflight went out and failed: the request itself never reached good."""
    return outcome("blocked", why, reason=reason, preflights=1, requests=0)


def header(name: str, value: str = "") -> dict[str, Any]:
    return {"headers": {name: value}}


def _basic() -> list[Fetch]:
    wpt = "cors-basic.any.js"
    return [
        case(
            "basic-no-allow-origin-is-unreadable",
            wpt,
            {},
            blocked(
                "MissingAllowOriginHeader",
                "a cors-mode response without Access-Control-Allow-Origin fails the CORS check",
            ),
        ),
        case(
            "basic-allow-origin-star-is-readable",
            wpt,
            STAR,
            read("`*` passes the CORS check of a request without credentials"),
        ),
        case(
            "basic-no-cors-is-opaque-but-sent",
            wpt,
            STAR,
            outcome("opaque", "mode no-cors gives an opaque response (status 0), yet the request reached good"),
            init={"mode": "no-cors"},
        ),
        case(
            "keepalive-no-allow-origin-is-unreadable",
            "cors-keepalive.any.js",
            {},
            blocked("MissingAllowOriginHeader", "keepalive changes when a request may outlive its page, not CORS"),
            init={"keepalive": True},
        ),
        case(
            "keepalive-allow-origin-star-is-readable",
            "cors-keepalive.any.js",
            STAR,
            read("a keepalive CORS fetch passes the same CORS check"),
            init={"keepalive": True},
        ),
        case(
            "no-cors-post-is-sent-and-opaque",
            "cors-basic.any.js",
            {},
            outcome("opaque", "a simple POST in no-cors mode is sent whatever the server's CORS headers"),
            init={"mode": "no-cors", "method": "POST", "body": "x"},
        ),
    ]


def _no_preflight() -> list[Fetch]:
    """CORS-safelisted methods and request headers send no preflight (cors-no-preflight.any.js)."""
    wpt = "cors-no-preflight.any.js"
    simple: list[tuple[str, dict[str, Any]]] = [
        ("post", {"method": "POST", "body": "x"}),
        ("head", {"method": "HEAD"}),
        ("accept", header("Accept", "*/*")),
        ("accept-language", header("Accept-Language", "fr")),
        ("content-language", header("Content-Language", "fr")),
        (
            "content-type-form-urlencoded",
            {"method": "POST", "body": "a=b", **header("Content-Type", "application/x-www-form-urlencoded")},
        ),
        ("content-type-multipart", {"method": "POST", "body": "x", **header("Content-Type", "multipart/form-data")}),
        ("content-type-text-plain", {"method": "POST", "body": "x", **header("Content-Type", "text/plain")}),
        (
            "content-type-odd-case-with-charset",
            {"method": "POST", "body": "x", **header("Content-Type", "Text/Plain;charset=utf-8")},
        ),
        ("range-bytes", header("Range", "bytes=0-")),
    ]
    cases = [
        case(
            f"safelisted-{name}-needs-no-preflight",
            wpt,
            STAR,
            read("safelisted methods and header values make a simple request: no OPTIONS at good"),
            init=init,
        )
        for name, init in simple
    ]
    # WPT's fetch/api/cors/cors-no-preflight has no Range case: Range became safelisted later
    # (whatwg/fetch#1312), mirrored in fetch/range/general.any.js.
    return cases


def _not_safelisted() -> list[Fetch]:
    """Headers outside the safelist, or with values beyond its limits, need a preflight."""
    wpt = "cors-preflight-not-cors-safelisted.any.js"
    allow_all = {**STAR, "acah": "accept,accept-language,authorization,content-language,content-type,range,x-test"}
    unsafe: list[tuple[str, str, str]] = [
        ("accept-over-128-bytes", "Accept", "a" * 129),
        ("accept-with-quote", "Accept", '"'),
        ("accept-language-at-sign", "Accept-Language", "@"),
        ("content-language-control-char", "Content-Language", "\x01"),
        ("content-type-text-html", "Content-Type", "text/html"),
        ("content-type-json", "Content-Type", "application/json"),
        ("content-type-long-parameter", "Content-Type", "text/plain; long=" + "a" * 128),
        ("range-without-equals", "Range", "bytes 0-"),
        ("authorization", "Authorization", "basics"),
        ("custom-header", "X-Test", "hi"),
    ]
    return [
        case(
            f"{name}-needs-a-preflight",
            wpt,
            allow_all,
            read(
                f"{header_name} with this value is not CORS-safelisted: the browser asks first, naming it "
                "in Access-Control-Request-Headers",
                preflights=1,
            ),
            init=header(header_name, value),
        )
        for name, header_name, value in unsafe
    ]


def _preflight() -> list[Fetch]:
    wpt = "cors-preflight.any.js"
    return [
        case(
            "delete-allowed-by-allow-methods",
            wpt,
            {**STAR, "acam": "DELETE"},
            read("DELETE is listed in Access-Control-Allow-Methods", preflights=1),
            init={"method": "DELETE"},
        ),
        case(
            "delete-not-allowed-without-allow-methods",
            wpt,
            STAR,
            preflight_refused("MethodDisallowedByPreflightResponse", "DELETE is not safelisted and not listed"),
            init={"method": "DELETE"},
        ),
        case(
            "patch-allowed-by-allow-methods",
            wpt,
            {**STAR, "acam": "PATCH"},
            read("PATCH is listed", preflights=1),
            init={"method": "PATCH"},
        ),
        case(
            "put-lowercase-is-normalised",
            "cors-preflight-star.any.js",
            {**STAR, "acam": "PUT"},
            read("fetch() upper-cases put to PUT (method normalisation), which is listed", preflights=1),
            init={"method": "put"},
        ),
        case(
            "patch-lowercase-is-not-normalised",
            "cors-preflight-star.any.js",
            {**STAR, "acam": "PATCH"},
            preflight_refused(
                "MethodDisallowedByPreflightResponse", "patch is not normalised and methods compare case-sensitively"
            ),
            init={"method": "patch"},
        ),
        case(
            "custom-method-allowed-case-sensitively",
            wpt,
            {**STAR, "acam": "chicken"},
            read("a non-standard method listed with the same case is allowed", preflights=1),
            init={"method": "chicken"},
        ),
        case(
            "custom-header-not-allowed",
            wpt,
            STAR,
            preflight_refused(
                "HeaderDisallowedByPreflightResponse", "X-Test is not listed in Access-Control-Allow-Headers"
            ),
            init=header("X-Test", "1"),
        ),
        case(
            "allow-headers-compare-case-insensitively",
            "cors-preflight-star.any.js",
            {**STAR, "acah": "X-TEST"},
            read("header names compare case-insensitively", preflights=1),
            init=header("x-test", "1"),
        ),
        case(
            "authorization-not-covered-by-star",
            wpt,
            {**STAR, "acah": "*"},
            read(
                "the standard says `*` never covers Authorization (a CORS non-wildcard request-header name), "
                "but both browsers still let it: " + AUTHORIZATION_BY_WILDCARD,
                preflights=1,
                spec_reason="HeaderDisallowedByPreflightResponse",
            ),
            init=header("Authorization", "x"),
        ),
        case(
            "authorization-allowed-by-name",
            wpt,
            {**STAR, "acah": "authorization"},
            read("naming Authorization allows it", preflights=1),
            init=header("Authorization", "x"),
        ),
        case(
            "authorization-allowed-next-to-star",
            "cors-preflight-star.any.js",
            {**STAR, "acah": "*, authorization"},
            read("`*` plus the name Authorization allows it", preflights=1),
            init=header("Authorization", "x"),
        ),
    ]


def _preflight_star() -> list[Fetch]:
    wpt = "cors-preflight-star.any.js"
    return [
        case(
            "allow-methods-star-without-credentials",
            wpt,
            {**STAR, "acam": "*"},
            read("`*` allows any method for a request without credentials", preflights=1),
            init={"method": "SUPER"},
        ),
        case(
            "allow-headers-star-without-credentials",
            wpt,
            {**STAR, "acah": "*"},
            read("`*` allows any header (but Authorization) without credentials", preflights=1),
            init=header("X-Test", "1"),
        ),
        case(
            "allow-methods-star-is-literal-with-credentials",
            wpt,
            {**CREDENTIALED, "acam": "*"},
            preflight_refused(
                "MethodDisallowedByPreflightResponse",
                "with credentials `*` is a literal method name, so PUT is not listed",
            ),
            init={"method": "PUT", **INCLUDE},
        ),
        case(
            "allow-headers-star-is-literal-with-credentials",
            wpt,
            {**CREDENTIALED, "acah": "*"},
            preflight_refused("HeaderDisallowedByPreflightResponse", "with credentials `*` is a literal header name"),
            init={**header("X-Test", "1"), **INCLUDE},
        ),
        case(
            "credentialed-preflight-with-listed-method",
            wpt,
            {**CREDENTIALED, "acam": "PUT"},
            read("with credentials, an exact origin, Allow-Credentials: true and the listed method pass", preflights=1),
            init={"method": "PUT", **INCLUDE},
        ),
    ]


def _preflight_status() -> list[Fetch]:
    wpt = "cors-preflight-status.any.js"
    force = header("X-Test", "1")
    allow = {**STAR, "acah": "x-test"}
    cases = [
        case(
            "preflight-status-204-passes",
            wpt,
            {**allow, "pstatus": "204"},
            read("any 2xx is an ok status", preflights=1),
            init=force,
        ),
    ]
    cases += [
        case(
            f"preflight-status-{status}-fails",
            wpt,
            {**allow, "pstatus": str(status)},
            preflight_refused("PreflightInvalidStatus", f"{status} is not an ok status (2xx): the preflight fails"),
            init=force,
        )
        for status in (300, 404, 500)
    ]
    return cases


def _preflight_validation() -> list[Fetch]:
    force = header("X-Test", "1")
    return [
        case(
            "preflight-without-allow-origin",
            "cors-origin.any.js",
            {**STAR, "p_acao": "", "acah": "x-test"},
            preflight_refused(
                "PreflightInvalidAllowOriginValue", "an empty Allow-Origin on the preflight is no origin at all"
            ),
            init=force,
        ),
        case(
            "preflight-origin-mismatch",
            "cors-origin.any.js",
            {"acao": "{origin}", "p_acao": "http://example.localhost", "acah": "x-test"},
            preflight_refused("PreflightAllowOriginMismatch", "the preflight names another origin"),
            init=force,
        ),
        case(
            "preflight-star-with-credentials",
            "cors-preflight-star.any.js",
            {**CREDENTIALED, "p_acao": "*", "acah": "x-test"},
            preflight_refused("PreflightWildcardOriginNotAllowed", "`*` on a credentialed preflight fails"),
            init={**force, **INCLUDE},
        ),
        case(
            "preflight-without-allow-credentials",
            "cors-cookies.any.js",
            {**CREDENTIALED, "p_acac": "false", "acah": "x-test"},
            preflight_refused(
                "PreflightInvalidAllowCredentials", "a credentialed preflight needs Allow-Credentials: true"
            ),
            init={**force, **INCLUDE},
        ),
        case(
            "malformed-allow-headers",
            "cors-preflight-response-validation.any.js",
            {**STAR, "acah": "x-test,Bad value"},
            preflight_refused(
                "InvalidAllowHeadersPreflightResponse",
                "`Bad value` is not a token, so the whole Allow-Headers list fails to parse",
            ),
            init=force,
        ),
        case(
            "malformed-allow-methods",
            "cors-preflight-response-validation.any.js",
            {**STAR, "acah": "x-test", "acam": "Bad value"},
            preflight_refused(
                "InvalidAllowMethodsPreflightResponse",
                "`Bad value` is not a token, so Allow-Methods fails to parse, even for a GET",
            ),
            init=force,
        ),
    ]


def _allow_origin() -> list[Fetch]:
    """Access-Control-Allow-Origin must equal the serialized origin, byte for byte."""
    wpt = "cors-origin.any.js"
    mismatch = "AllowOriginMismatch"
    cases = [
        case("allow-origin-exact-match", wpt, REFLECT, read("the exact serialized origin passes")),
        case(
            "allow-origin-is-good-own-origin",
            wpt,
            {"acao": "{good}"},
            blocked(mismatch, "naming the target's own origin is not naming the requester (WPT's KO cases)"),
        ),
        case(
            "allow-origin-null-for-a-real-origin",
            wpt,
            {"acao": "null"},
            blocked(mismatch, "`null` matches only an opaque origin"),
        ),
        case(
            "allow-origin-not-a-url",
            wpt,
            {"acao": "invalid.origin"},
            blocked("InvalidAllowOriginValue", "a value that is not *, null or an origin"),
        ),
        case(
            "put-preflight-allow-origin-mismatch",
            wpt,
            {"acao": "{good}", "acam": "PUT"},
            preflight_refused(
                "PreflightAllowOriginMismatch", "PUT needs a preflight; it fails on its Allow-Origin first"
            ),
            init={"method": "PUT"},
        ),
    ]
    near_misses = {
        "trailing-slash": "{origin}/",
        "upper-case-host": "{ORIGIN}",
        "other-port": "{other_port}",
        "https-scheme": "{https}",
    }
    cases += [
        case(
            f"allow-origin-{name}-fails",
            wpt,
            {"acao": value},
            blocked(mismatch, "the origin must match exactly: scheme, host (case included) and port"),
        )
        for name, value in near_misses.items()
    ]
    return cases


def _multiple_origins() -> list[Fetch]:
    wpt = "cors-multiple-origins.sub.any.js"
    return [
        case(
            "two-allow-origin-lines-even-if-one-matches",
            wpt,
            {"acao": ("{origin}", "http://example.localhost")},
            blocked("MultipleAllowOriginValues", "several Allow-Origin lines combine into a list, which never matches"),
        ),
        case(
            "star-and-origin-lines",
            wpt,
            {"acao": ("*", "{origin}")},
            blocked("MultipleAllowOriginValues", "`*, origin` is a list, not `*`"),
        ),
        case(
            "same-origin-twice",
            wpt,
            {"acao": ("{origin}", "{origin}")},
            blocked("MultipleAllowOriginValues", "even the same origin twice is a list"),
        ),
    ]


def _credentials() -> list[Fetch]:
    wpt = "cors-cookies.any.js"
    return [
        case(
            "credentialed-exact-origin-and-true",
            wpt,
            CREDENTIALED,
            read("an exact origin with Allow-Credentials: true passes a credentialed CORS check"),
            init=INCLUDE,
        ),
        case(
            "credentialed-star-refused",
            "cors-preflight-star.any.js",
            {**STAR, "acac": "true"},
            blocked("WildcardOriginNotAllowed", "`*` never passes a credentialed CORS check"),
            init=INCLUDE,
        ),
        case(
            "credentialed-without-allow-credentials",
            wpt,
            REFLECT,
            blocked("InvalidAllowCredentials", "credentials need Allow-Credentials: true"),
            init=INCLUDE,
        ),
        case(
            "allow-credentials-must-be-lowercase-true",
            wpt,
            {**REFLECT, "acac": "True"},
            blocked("InvalidAllowCredentials", "Allow-Credentials must be exactly `true` (case-sensitive)"),
            init=INCLUDE,
        ),
        case(
            "same-origin-credentials-mode-ignores-allow-credentials",
            wpt,
            {**STAR, "acac": "True"},
            read("credentials mode same-origin sends none cross-origin, so `*` passes and ACAC is not checked"),
            init={"credentials": "same-origin"},
        ),
    ]


def _exposure() -> list[Fetch]:
    """Which response headers the page can read (cors-filtering, cors-expose-star)."""
    hidden = {"x-custom": None, "set-cookie": None, "*": None}
    return [
        case(
            "only-safelisted-response-headers-by-default",
            "cors-filtering.sub.any.js",
            STAR,
            read(
                "without Expose-Headers a CORS response shows only the safelisted response headers",
                readable={"content-language": "fr", "content-type": "text/plain; charset=utf-8", **hidden},
            ),
        ),
        case(
            "expose-headers-list",
            "cors-filtering.sub.any.js",
            {**STAR, "aceh": "x-custom, set-cookie"},
            read(
                "listed headers become readable, but Set-Cookie is a forbidden response header name, never exposed",
                readable={"x-custom": "custom", "set-cookie": None},
            ),
        ),
        case(
            "expose-headers-star-without-credentials",
            "cors-expose-star.sub.any.js",
            {**STAR, "aceh": "*"},
            read(
                "`*` exposes every header but Set-Cookie when there are no credentials",
                readable={"x-custom": "custom", "*": "whoa", "set-cookie": None},
            ),
        ),
        case(
            "expose-headers-star-is-literal-with-credentials",
            "cors-expose-star.sub.any.js",
            {**CREDENTIALED, "aceh": "*"},
            read(
                "with credentials `*` names only the header literally called *",
                readable={"x-custom": None, "*": "whoa", "content-language": "fr", "set-cookie": None},
            ),
            init=INCLUDE,
        ),
    ]


def _redirects() -> list[Fetch]:
    cases = [
        case(
            f"redirect-{status}-to-another-origin-taints-origin",
            "cors-redirect.any.js",
            {**STAR, "redirect": str(status), "location": Hop("other", STAR)},
            read(
                f"after a {status} to another origin the request's origin is tainted: the next hop gets "
                "Origin: null, which `*` allows",
                requests=2,
                origins=PAGE_THEN_NULL,
            ),
        )
        for status in (301, 302, 303, 307, 308)
    ]
    cases += [
        case(
            "redirect-same-origin-keeps-origin",
            "cors-redirect.any.js",
            {**STAR, "redirect": "302", "location": Hop("good", STAR)},
            read("a redirect within good keeps the page's Origin", requests=2, origins=("page", "page")),
        ),
        case(
            "redirect-back-to-page-origin-is-still-cors",
            "cors-redirect.any.js",
            {**STAR, "redirect": "302", "location": Hop("page", STAR)},
            read(
                "back on the page's own origin the request stays CORS, with Origin: null",
                requests=2,
                origins=PAGE_THEN_NULL,
            ),
        ),
        case(
            "redirect-tainted-origin-needs-null-or-star",
            "cors-redirect.any.js",
            {**REFLECT, "redirect": "302", "location": Hop("other", {"acao": "{page}"})},
            blocked(
                "AllowOriginMismatch",
                "after a cross-origin redirect the origin is `null`: naming the page fails",
                requests=2,
                origins=PAGE_THEN_NULL,
            ),
        ),
        case(
            "redirect-response-itself-is-cors-checked",
            "cors-redirect.any.js",
            {"redirect": "302", "location": Hop("good", STAR)},
            blocked(
                "MissingAllowOriginHeader",
                "a CORS request's redirect response must pass the CORS check too",
                requests=1,
            ),
        ),
        case(
            "redirect-to-userinfo-url",
            "cors-redirect-credentials.any.js",
            {**STAR, "redirect": "302", "location": Hop("other", STAR, userinfo="user:password")},
            blocked(
                "RedirectContainsCredentials", "a CORS redirect to a URL with credentials (userinfo) is a network error"
            ),
        ),
        case(
            "preflight-answered-with-redirect",
            "cors-preflight-redirect.any.js",
            {**STAR, "acah": "x-test", "predirect": "302", "location": Hop("good", STAR)},
            preflight_refused("PreflightDisallowedRedirect", "a preflight never follows a redirect"),
            init=header("X-Test", "1"),
        ),
        case(
            "redirect-after-preflight-preflights-again",
            "cors-redirect-preflight.any.js",
            {**STAR, "acah": "x-test", "redirect": "307", "location": Hop("other", {**STAR, "acah": "x-test"})},
            read(
                "since whatwg/fetch#204 a redirect after a preflight is followed; the new URL gets its own "
                "preflight; the request after the cross-origin hop says Origin: null (Firefox's second preflight "
                "still carries the real origin, see test_preflight_cache_keeps_tainted_and_real_origins_apart)",
                preflights=2,
                requests=2,
                origins=PAGE_THEN_NULL,
            ),
            init=header("X-Test", "1"),
        ),
        case(
            "redirect-after-preflight-needs-the-second-preflight-to-pass",
            "cors-redirect-preflight.any.js",
            {**STAR, "acah": "x-test", "redirect": "307", "location": Hop("other", STAR)},
            outcome(
                "blocked",
                "the second preflight (to the redirect target) does not allow X-Test",
                reason="HeaderDisallowedByPreflightResponse",
                preflights=2,
                requests=1,
                origins=("page",),
            ),
            init=header("X-Test", "1"),
        ),
    ]
    return cases


def _opaque_origins() -> list[Fetch]:
    return [
        case(
            "sandboxed-iframe-sends-origin-null",
            "sandboxed-iframe.html",
            {"acao": "{page}"},
            blocked(
                "AllowOriginMismatch",
                "a sandboxed iframe has an opaque origin: it sends Origin: null",
                origins=("null",),
            ),
            where="sandboxed-iframe",
        ),
        case(
            "sandboxed-iframe-reads-with-allow-origin-null",
            "sandboxed-iframe.html",
            {"acao": "null"},
            read(
                "Allow-Origin: null lets the opaque origin read — and so every sandboxed or data: document on "
                "any site: that is why trusting null is dangerous",
                origins=("null",),
            ),
            where="sandboxed-iframe",
        ),
        case(
            "data-url-iframe-sends-origin-null",
            "data-url-iframe.html",
            {},
            blocked("MissingAllowOriginHeader", "a data: URL document has an opaque origin", origins=("null",)),
            where="data-iframe",
        ),
        case(
            "data-url-iframe-reads-with-allow-origin-null",
            "data-url-iframe.html",
            {"acao": "null"},
            read("Allow-Origin: null matches Origin: null", origins=("null",)),
            where="data-iframe",
        ),
    ]


def _preflight_cache() -> list[Fetch]:
    """Access-Control-Max-Age, asserted by counting OPTIONS at good over two identical fetches."""
    wpt = "cors-preflight-cache.any.js"
    force = header("X-Test", "1")
    allow = {**STAR, "acah": "x-test"}
    twice = ((({}, force)),)

    def cache(name: str, max_age: str | None, preflights: int, why: str) -> Fetch:
        lab = {**allow, "max_age": max_age} if max_age is not None else allow
        return case(name, wpt, lab, read(why, preflights=preflights, requests=2), init=force, again=twice)

    return [
        cache(
            "max-age-600-reuses-the-preflight",
            "600",
            1,
            "a positive Max-Age caches the preflight: one OPTIONS for two fetches",
        ),
        cache("max-age-0-preflights-every-time", "0", 2, "Max-Age 0 caches nothing"),
        cache("max-age-negative-preflights-every-time", "-1", 2, "a negative Max-Age is not cached"),
        cache(
            "max-age-absent-uses-the-default",
            None,
            1,
            "without Max-Age the browser caches for its default (5 s in the standard and in Chromium)",
        ),
        case(
            "preflight-cache-is-per-url",
            wpt,
            {**allow, "max_age": "600"},
            read("the cache is keyed by URL: another URL preflights again", preflights=2, requests=2),
            init=force,
            again=(({"acah": "x-test, x-other"}, force),),
        ),
        case(
            "preflight-cache-is-per-credentials-mode",
            wpt,
            {**allow, "acao": "{origin}", "acac": "true", "max_age": "600"},
            read("an entry made without credentials does not serve a credentialed request", preflights=2, requests=2),
            init=force,
            again=(({}, {**force, **INCLUDE}),),
        ),
        case(
            "wildcard-cache-entry-does-not-cover-authorization",
            wpt,
            {**STAR, "acah": "*", "max_age": "600"},
            read(
                "Chromium and Firefox do not reuse the cached `*` for Authorization and preflight again "
                "(whatwg/fetch#1919), but then accept `*` for it, where the standard fails the fetch: "
                + AUTHORIZATION_BY_WILDCARD,
                preflights=2,
                requests=2,
                spec_reason="HeaderDisallowedByPreflightResponse",
            ),
            webkit=read(
                "WebKit reuses the cached `*` for Authorization: no second preflight, and the request with "
                "Authorization is sent and read, where the standard fails the fetch (whatwg/fetch#1919)",
                preflights=1,
                requests=2,
            ),
            init=force,
            again=(({}, header("Authorization", "x")),),
        ),
    ]


def _vary_and_lna() -> list[Fetch]:
    return [
        case(
            "loopback-to-loopback-is-not-local-network-access",
            "fetch/local-network-access/ (no cors/ file)",
            STAR,
            read(
                "page and server are both on loopback: no request goes to a more private address space, so "
                "Local Network Access adds no permission prompt or preflight"
            ),
        ),
    ]


WPT_CASES: tuple[Fetch, ...] = tuple(
    _basic()
    + _no_preflight()
    + _not_safelisted()
    + _preflight()
    + _preflight_star()
    + _preflight_status()
    + _preflight_validation()
    + _allow_origin()
    + _multiple_origins()
    + _credentials()
    + _exposure()
    + _redirects()
    + _opaque_origins()
    + _preflight_cache()
    + _vary_and_lna()
)

AREA = Area("cors_protocol", rank=5)
