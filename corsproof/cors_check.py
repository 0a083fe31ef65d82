"""Why a CORS request failed, derived from what good recorded — for browsers that do not say.

Chromium reports its reason over DevTools (Network.CorsError); Firefox reports none to
Playwright. This module follows the Fetch standard's "CORS check" and "CORS-preflight fetch"
(https://fetch.spec.whatwg.org/#cors-check, #cors-preflight-fetch) over the exchanges good
recorded, and names the failure with Chromium's Network.CorsError values so the two can be
compared. The checks run in the order Chromium runs them (cors_error.h / cors.cc): the
preflight's Allow-Origin and Allow-Credentials before its status, then methods, then headers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from corsproof.serving.recorder import Exchange

# The redirect statuses a fetch follows (Fetch standard, "redirect status").
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# RFC 9110 token: what Allow-Methods / Allow-Headers items must be.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# Methods every preflight allows (the CORS-safelisted methods), compared case-sensitively.
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})


def _origin_error(
    origin: str | None, allow_origin: str | None, credentials: bool, allow_credentials: str | None
) -> str | None:
    """The CORS check (Fetch 4.9) on one response's headers; None when it passes."""
    if allow_origin is None:
        return "MissingAllowOriginHeader"
    if "," in allow_origin or " " in allow_origin.strip():
        # Several header lines arrive joined by ", "; Chromium refuses any list outright.
        return "MultipleAllowOriginValues"
    value = allow_origin.strip()
    if value == "*":
        return "WildcardOriginNotAllowed" if credentials else None
    if value != "null" and not _is_origin(value):
        return "InvalidAllowOriginValue"
    if value != (origin or "null"):
        return "AllowOriginMismatch"
    if credentials and allow_credentials != "true":
        return "InvalidAllowCredentials"
    return None


def _is_origin(value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


def _parse_list(value: str | None) -> list[str] | None:
    """A comma-separated list of tokens; None when an item is not a token (a malformed list)."""
    if value is None:
        return []
    items = [item.strip() for item in value.split(",")]
    items = [item for item in items if item]
    return items if all(_TOKEN.match(item) for item in items) else None


def check_response(exchange: Exchange, credentials: bool) -> str | None:
    """The CORS check on a response (the final one, or a redirect of a CORS request)."""
    return _origin_error(
        exchange.origin,
        exchange.response_header("access-control-allow-origin"),
        credentials,
        exchange.response_header("access-control-allow-credentials"),
    )


def check_preflight(preflight: Exchange, credentials: bool) -> str | None:
    """The CORS-preflight fetch's checks (Fetch 4.8) on one preflight response.

    What the request needs comes from the preflight itself: Access-Control-Request-Method and
    Access-Control-Request-Headers, as the browser sent them.
    """
    if preflight.status in REDIRECT_STATUSES and preflight.response_header("location"):
        return "PreflightDisallowedRedirect"
    error = check_response(preflight, credentials)
    if error is not None:
        return "Preflight" + error
    if not 200 <= preflight.status <= 299:
        return "PreflightInvalidStatus"
    methods = _parse_list(preflight.response_header("access-control-allow-methods"))
    if methods is None:
        return "InvalidAllowMethodsPreflightResponse"
    headers = _parse_list(preflight.response_header("access-control-allow-headers"))
    if headers is None:
        return "InvalidAllowHeadersPreflightResponse"
    method = preflight.header("access-control-request-method") or ""
    wanted = [name.strip().lower() for name in (preflight.header("access-control-request-headers") or "").split(",")]
    wildcard = not credentials
    if method not in SAFELISTED_METHODS and method not in methods and not (wildcard and "*" in methods):
        return "MethodDisallowedByPreflightResponse"
    allowed = {name.lower() for name in headers}
    for name in filter(None, wanted):
        # "*" never covers Authorization (Fetch: "CORS non-wildcard request-header name").
        if name not in allowed and not (wildcard and "*" in allowed and name != "authorization"):
            return "HeaderDisallowedByPreflightResponse"
    return None


def _has_userinfo(location: str) -> bool:
    return "@" in (urlsplit(location).netloc or "")


def derive(exchanges: Sequence[Exchange], credentials: bool) -> str | None:
    """The reason a CORS fetch failed, from every exchange it made in order; None if it passed.

    A preflight is checked as a preflight; any other response as a CORS response. A redirect
    response is CORS-checked, then its Location is checked for credentials (userinfo).
    """
    for exchange in exchanges:
        if exchange.is_preflight:
            error = check_preflight(exchange, credentials)
            if error is not None:
                return error
            continue
        error = check_response(exchange, credentials)
        if error is not None:
            return error
        location = exchange.response_header("location")
        if exchange.status in REDIRECT_STATUSES and location and _has_userinfo(location):
            return "RedirectContainsCredentials"
    return None
