"""good's CORS protocol lab (issue 5): responses shaped by the request, as WPT's resources are.

One resource, /cors-lab/resource, answers every method. Its query says what to answer, in the
manner of WPT's fetch/api/resources/preflight.py and redirect.py:

    acao=V        Access-Control-Allow-Origin: V (repeat the parameter for several header lines;
                  V = "{origin}" reflects the request's Origin)
    acac=V        Access-Control-Allow-Credentials: V
    p_acao, p_acac   the same, for the preflight only (else the preflight uses acao / acac)
    acam, acah    Access-Control-Allow-Methods / -Headers (preflight)
    max_age=N     Access-Control-Max-Age: N (preflight)
    pstatus=N     the preflight's status (default 200)
    predirect=N   the preflight answers N with Location: location
    redirect=N    every other request answers N with Location: location
    location=URL  where redirects point
    aceh=V        Access-Control-Expose-Headers: V (repeatable)
    vary=V, cache=V   Vary and Cache-Control (default Cache-Control: no-store)

Every other response also carries headers a page may or may not see (X-Custom, Content-Language,
Set-Cookie, a header literally named "*") and a body naming the method and the Origin it saw.
good's recorder already logs every exchange, so the lab keeps no state of its own.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from corsproof.cors_check import REDIRECT_STATUSES

LAB_COOKIE_PATH = "/cors-lab"  # where the lab's cookie lives (a jar check must look there too)
# Headers every non-preflight answer carries, to see which of them a page can read.
PROBE_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Custom", "custom"),
    ("Content-Language", "fr"),
    ("Set-Cookie", f"lab=1; Path={LAB_COOKIE_PATH}; SameSite=None; Secure"),
    ("*", "whoa"),
)


class BadParameter(ValueError):
    pass


def _status(request: Request, name: str, default: int | None, allowed: frozenset[int] | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 200 <= int(raw) <= 599:
        raise BadParameter(f"{name} must be an HTTP status between 200 and 599, not {raw!r}")
    if allowed is not None and int(raw) not in allowed:
        raise BadParameter(f"{name} must be one of {sorted(allowed)}, not {raw}")
    return int(raw)


def _allow_origin_lines(request: Request, name: str) -> list[str]:
    origin = request.headers.get("origin")
    lines = []
    for value in request.query_params.getlist(name):
        if value != "{origin}":
            lines.append(value)
        elif origin:  # "{origin}" with no Origin on the request: no header, as a reflecting server does
            lines.append(origin)
    return lines


def _redirect(request: Request, status: int, headers: list[tuple[str, str]]) -> Response:
    location = request.query_params.get("location")
    if not location:
        raise BadParameter("a redirect needs location=<URL>")
    return _response("", status, headers + [("Location", location)])


def _checked(name: str, value: str) -> str:
    """A header value from the query, refused when HTTP cannot carry it (the server would drop the
    connection rather than send it): a control character (CR and LF would end the header),
    surrounding whitespace, or a character outside Latin-1."""
    if any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in value):
        raise BadParameter(f"the {name} header would carry a control character: {value!r}")
    if value != value.strip(" \t"):
        # HTTP trims a field value's surrounding whitespace; the server refuses to send it untrimmed.
        raise BadParameter(f"the {name} header would start or end with whitespace: {value!r}")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise BadParameter(f"the {name} header cannot carry {value!r} (HTTP header values are Latin-1)") from None
    return value


def _response(body: str, status: int, headers: list[tuple[str, str]]) -> Response:
    response = PlainTextResponse(body, status_code=status)
    for name, value in headers:
        value = _checked(name, value)
        # append, not set: several Access-Control-Allow-Origin lines must stay several lines.
        response.headers.append(name, value)
    return response


def _answer(request: Request) -> Response:
    query = request.query_params
    preflight = request.method == "OPTIONS" and "access-control-request-method" in request.headers
    acao = "p_acao" if preflight and "p_acao" in query else "acao"
    acac = "p_acac" if preflight and "p_acac" in query else "acac"
    headers = [("Access-Control-Allow-Origin", value) for value in _allow_origin_lines(request, acao)]
    if acac in query:
        headers.append(("Access-Control-Allow-Credentials", query[acac]))
    if "vary" in query:
        headers.append(("Vary", query["vary"]))
    headers.append(("Cache-Control", query.get("cache", "no-store")))
    if preflight:
        for param, header in (("acam", "Access-Control-Allow-Methods"), ("acah", "Access-Control-Allow-Headers")):
            if param in query:
                headers.append((header, query[param]))
        if "max_age" in query:
            if not query["max_age"].lstrip("-").isdigit():
                raise BadParameter(f"max_age must be an integer, not {query['max_age']!r}")
            headers.append(("Access-Control-Max-Age", query["max_age"]))
        redirect = _status(request, "predirect", None, REDIRECT_STATUSES)
        if redirect is not None:
            return _redirect(request, redirect, headers)
        return _response("", _status(request, "pstatus", 200) or 200, headers)
    redirect = _status(request, "redirect", None, REDIRECT_STATUSES)
    if redirect is not None:
        return _redirect(request, redirect, headers)
    headers += [("Access-Control-Expose-Headers", value) for value in query.getlist("aceh")]
    headers += list(PROBE_HEADERS)
    return _response(f"lab {request.method} origin={request.headers.get('origin', '')}", 200, headers)


class _LabResource:
    """A plain ASGI endpoint: Starlette routes it for every method, where a function endpoint
    would list its methods, and the lab must answer any token a page may send as a method
    (WPT's "chicken", "SUPER", "NEW")."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = _answer(request)
        except BadParameter as error:
            response = PlainTextResponse(f"Bad cors-lab request: {error}", status_code=400)
        await response(scope, receive, send)


def create_cors_lab() -> Starlette:
    return Starlette(routes=[Route("/resource", _LabResource())])
