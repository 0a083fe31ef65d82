"""corsproof's own CORS check, on hand-made exchanges: each rule of the Fetch standard, one test.

The e2e suite checks that it agrees with Chromium on real requests; these tests pin each rule
down without a browser, so a wrong edit names the rule it broke.
"""

from __future__ import annotations

import pytest

from corsproof.cors_check import derive
from corsproof.serving.recorder import Exchange

PAGE = "http://thirdparty.localhost:8002"


def exchange(
    method: str = "GET",
    status: int = 200,
    origin: str | None = PAGE,
    request: dict[str, str] | None = None,
    **response: str,
) -> Exchange:
    headers = {"origin": origin} if origin is not None else {}
    return Exchange(
        site="good",
        method=method,
        path="/cors-lab/resource",
        query="probe=p",
        request_headers={**headers, **(request or {})},
        status=status,
        response_headers={name.replace("_", "-"): value for name, value in response.items()},
    )


def preflight(method: str = "PUT", headers: str | None = None, status: int = 200, **response: str) -> Exchange:
    request = {"access-control-request-method": method}
    if headers is not None:
        request["access-control-request-headers"] = headers
    return exchange("OPTIONS", status, request=request, **response)


@pytest.mark.parametrize(
    ("allow_origin", "credentials", "allow_credentials", "reason"),
    [
        (None, False, None, "MissingAllowOriginHeader"),
        ("*", False, None, None),
        ("*", True, "true", "WildcardOriginNotAllowed"),
        (PAGE, True, "true", None),
        (PAGE, True, None, "InvalidAllowCredentials"),
        (PAGE, True, "True", "InvalidAllowCredentials"),
        (PAGE + "/", False, None, "AllowOriginMismatch"),
        (PAGE.upper(), False, None, "AllowOriginMismatch"),
        ("null", False, None, "AllowOriginMismatch"),
        ("invalid.origin", False, None, "InvalidAllowOriginValue"),
        ("", False, None, "InvalidAllowOriginValue"),
        (f"{PAGE}, {PAGE}", False, None, "MultipleAllowOriginValues"),
        (f"*, {PAGE}", False, None, "MultipleAllowOriginValues"),
    ],
)
def test_cors_check_of_a_response(
    allow_origin: str | None, credentials: bool, allow_credentials: str | None, reason: str | None
) -> None:
    response: dict[str, str] = {}
    if allow_origin is not None:
        response["access_control_allow_origin"] = allow_origin
    if allow_credentials is not None:
        response["access_control_allow_credentials"] = allow_credentials
    assert derive([exchange(**response)], credentials) == reason


def test_an_opaque_origin_matches_only_null() -> None:
    assert derive([exchange(origin="null", access_control_allow_origin="null")], False) is None
    assert derive([exchange(origin="null", access_control_allow_origin=PAGE)], False) == "AllowOriginMismatch"


@pytest.mark.parametrize(
    ("request_method", "request_headers", "credentials", "response", "reason"),
    [
        ("PUT", None, False, {"access_control_allow_methods": "PUT"}, None),
        ("PUT", None, False, {}, "MethodDisallowedByPreflightResponse"),
        ("patch", None, False, {"access_control_allow_methods": "PATCH"}, "MethodDisallowedByPreflightResponse"),
        ("SUPER", None, False, {"access_control_allow_methods": "*"}, None),
        ("PUT", None, True, {"access_control_allow_methods": "*"}, "MethodDisallowedByPreflightResponse"),
        ("GET", "x-test", False, {"access_control_allow_headers": "X-TEST"}, None),
        ("GET", "x-test", False, {}, "HeaderDisallowedByPreflightResponse"),
        ("GET", "x-test", False, {"access_control_allow_headers": "*"}, None),
        ("GET", "x-test", True, {"access_control_allow_headers": "*"}, "HeaderDisallowedByPreflightResponse"),
        ("GET", "authorization", False, {"access_control_allow_headers": "*"}, "HeaderDisallowedByPreflightResponse"),
        ("GET", "authorization", False, {"access_control_allow_headers": "*, authorization"}, None),
        (
            "GET",
            "x-test",
            False,
            {"access_control_allow_headers": "x-test,Bad value"},
            "InvalidAllowHeadersPreflightResponse",
        ),
        (
            "GET",
            "x-test",
            False,
            {"access_control_allow_headers": "x-test", "access_control_allow_methods": "Bad value"},
            "InvalidAllowMethodsPreflightResponse",
        ),
    ],
)
def test_preflight_methods_and_headers(
    request_method: str, request_headers: str | None, credentials: bool, response: dict[str, str], reason: str | None
) -> None:
    allow = (
        {"access_control_allow_origin": PAGE, "access_control_allow_credentials": "true"}
        if credentials
        else {"access_control_allow_origin": "*"}
    )
    assert derive([preflight(request_method, request_headers, **allow, **response)], credentials) == reason


def test_preflight_origin_is_checked_before_its_status() -> None:
    # Chromium's order: a 404 preflight without Allow-Origin is a missing Allow-Origin.
    assert derive([preflight(status=404)], False) == "PreflightMissingAllowOriginHeader"
    assert derive([preflight(status=404, access_control_allow_origin="*")], False) == "PreflightInvalidStatus"


def test_a_redirected_preflight_is_refused_whatever_its_headers() -> None:
    redirected = preflight(status=302, location="http://other.localhost/", access_control_allow_origin="*")
    assert derive([redirected], False) == "PreflightDisallowedRedirect"


def test_a_redirect_is_cors_checked_then_its_location_is_checked_for_credentials() -> None:
    unchecked = exchange(status=302, location="http://other.localhost/")
    assert derive([unchecked], False) == "MissingAllowOriginHeader"
    userinfo = exchange(status=302, location="http://user:pw@other.localhost/", access_control_allow_origin="*")
    assert derive([userinfo], False) == "RedirectContainsCredentials"


def test_every_hop_is_checked_in_order() -> None:
    hops = [
        exchange(status=307, location="http://other.localhost/", access_control_allow_origin="*"),
        exchange(origin="null", access_control_allow_origin=PAGE),
    ]
    assert derive(hops, False) == "AllowOriginMismatch"
