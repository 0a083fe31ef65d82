"""Named CORS policies, each mounted on good under /<name>/ so one server serves them all.

A separate URL prefix per policy also keeps the browser's preflight cache (keyed by URL) from
carrying one policy's answer over to another.

The article's steps are written by hand in `OriginRuleCors`, as the article writes its headers by
hand: Starlette's CORSMiddleware cannot express them (it always answers preflights, and it never
sends a literal `*` together with credentials). Starlette's own middleware is mounted as policies
of its own, so its real behaviour is what gets tested.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servers.origins import Origins

# What a policy answers for the Origin a request carried: the Access-Control-Allow-Origin value,
# or None for no header at all.
OriginRule = Callable[[str | None], str | None]

PREFLIGHT_METHODS = "GET, POST, PUT, DELETE"
PREFLIGHT_HEADERS = "Content-Type, X-Requested-With"


def always(value: str) -> OriginRule:
    """The same Allow-Origin for everyone, as the article's `*` and single-origin steps do."""
    return lambda origin: value


def allowlist(*allowed: str) -> OriginRule:
    """Echo the Origin back only when it is exactly one of the allowed origins."""
    return lambda origin: origin if origin in allowed else None


class OriginRuleCors:
    """CORS headers decided by an OriginRule: the hand-written CORS of the article.

    answer_preflight: answer OPTIONS preflights itself (204) instead of passing them to the app,
    which has no OPTIONS routes and so answers 405.
    """

    def __init__(
        self,
        app: ASGIApp,
        rule: OriginRule,
        credentials: bool = False,
        answer_preflight: bool = False,
        vary_origin: bool = False,
    ) -> None:
        self.app = app
        self.rule = rule
        self.credentials = credentials
        self.answer_preflight = answer_preflight
        self.vary_origin = vary_origin

    def cors_headers(self, origin: str | None) -> dict[str, str]:
        headers: dict[str, str] = {}
        allow_origin = self.rule(origin)
        if allow_origin is not None:
            headers["Access-Control-Allow-Origin"] = allow_origin
            if self.credentials:
                headers["Access-Control-Allow-Credentials"] = "true"
        if self.vary_origin:
            headers["Vary"] = "Origin"
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        cors = self.cors_headers(request_headers.get("origin"))
        is_preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in request_headers
        if self.answer_preflight and is_preflight:
            preflight = {
                **cors,
                "Access-Control-Allow-Methods": PREFLIGHT_METHODS,
                "Access-Control-Allow-Headers": PREFLIGHT_HEADERS,
            }
            await Response(status_code=204, headers=preflight)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in cors.items():
                    if name == "Vary":
                        headers.add_vary_header(value)
                    else:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_cors)


@dataclass(frozen=True)
class Policy:
    """A named CORS configuration of good: its URL prefix, one line on what it does, its builder."""

    name: str
    summary: str
    wrap: Callable[[ASGIApp, Origins], ASGIApp]


def _rule_policy(name: str, summary: str, rule: Callable[[Origins], OriginRule], **options: bool) -> Policy:
    return Policy(name, summary, lambda app, origins: OriginRuleCors(app, rule(origins), **options))


ARTICLE_POLICIES: tuple[Policy, ...] = (
    Policy("no-cors", "no CORS headers at all (the article's start)", lambda app, origins: app),
    _rule_policy(
        "article-allow-all",
        "Access-Control-Allow-Origin: * on every response; preflights not answered",
        lambda origins: always("*"),
    ),
    _rule_policy(
        "article-preflight",
        "Allow-Origin: * and preflights answered with Allow-Methods / Allow-Headers",
        lambda origins: always("*"),
        answer_preflight=True,
    ),
    _rule_policy(
        "article-credentials-wildcard",
        "Allow-Origin: * with Allow-Credentials: true (browsers refuse to expose the response)",
        lambda origins: always("*"),
        credentials=True,
        answer_preflight=True,
    ),
    _rule_policy(
        "article-one-origin",
        "Allow-Origin: thirdparty's origin, with credentials",
        lambda origins: always(origins.thirdparty),
        credentials=True,
        answer_preflight=True,
    ),
    _rule_policy(
        "article-allowlist",
        "Allow-Origin echoed for thirdparty and good's sibling only, with credentials and Vary: Origin",
        lambda origins: allowlist(origins.thirdparty, origins.sibling),
        credentials=True,
        answer_preflight=True,
        vary_origin=True,
    ),
)

STARLETTE_POLICIES: tuple[Policy, ...] = (
    Policy(
        "starlette-wildcard-credentials",
        "Starlette CORSMiddleware(allow_origins=['*'], allow_credentials=True): reflects any Origin",
        lambda app, origins: CORSMiddleware(
            app, allow_origins=["*"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"]
        ),
    ),
    Policy(
        "starlette-allowlist",
        "Starlette CORSMiddleware with an explicit list (thirdparty, sibling) and credentials",
        lambda app, origins: CORSMiddleware(
            app,
            allow_origins=[origins.thirdparty, origins.sibling],
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Content-Type", "X-Requested-With"],
        ),
    ),
)

POLICIES: tuple[Policy, ...] = ARTICLE_POLICIES + STARLETTE_POLICIES
