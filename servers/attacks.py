"""Deliberately vulnerable CORS policies: the attack catalogue (issue 4), and the safe policy.

Each attack policy reflects the request's Origin, with Access-Control-Allow-Credentials: true,
when a flawed check passes. The flawed checks are the ones CORS scanners report (Corsy,
CORScanner, PortSwigger's CORS labs); the attacker origin that beats each one is in
e2e/attacks_cases.py, and evil serves an exploit page for it (servers/exploits.py).
Every policy is mounted on good at /<name>/ over good's data API.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servers.origins import GOOD_HOST, SIBLING_HOST, THIRDPARTY_HOST, Origins
from servers.policies import OriginRule, OriginRuleCors, Policy
from servers.safe_origin import ExactOrigins


@dataclass(frozen=True)
class Flaw:
    """One vulnerable policy: its name, its flawed logic in one line, and the check itself."""

    name: str
    logic: str
    check: Callable[[str, Origins], bool]  # (request Origin, good's origins) -> trusted?
    # The attacker class corsproof audit names this flaw by (corsproof/audit/attackers.py); ""
    # where no attacker origin is trusted and the flaw shows in the trusted origins' answers.
    audit_kind: str
    vary_origin: bool = True


def _host(origin: str) -> str:
    """The Origin's host, or "" when it does not parse as a URL (an unclosed IPv6 bracket...)."""
    try:
        return urlsplit(origin).hostname or ""
    except ValueError:
        return ""


FLAWS: tuple[Flaw, ...] = (
    Flaw("reflect-any", "echo whatever Origin arrives", lambda origin, o: True, "unrelated"),
    Flaw(
        "trusted-null",
        "trust the origin `null` (meant for local files)",
        lambda origin, o: origin in ("null", o.thirdparty),
        "null",
    ),
    Flaw(
        "suffix-match",
        f"host.endswith('{GOOD_HOST}'), meant for good's own names",
        lambda origin, o: _host(origin).endswith(GOOD_HOST),
        "suffix",
    ),
    Flaw(
        "prefix-match",
        f"origin.startswith('http://{THIRDPARTY_HOST}')",
        lambda origin, o: origin.startswith(f"http://{THIRDPARTY_HOST}"),
        "prefix",
    ),
    Flaw(
        "regex-no-end-anchor",
        r"re.match(r'https?://thirdparty\.localhost', origin): no $ at the end",
        lambda origin, o: re.match(r"https?://thirdparty\.localhost", origin) is not None,
        "unanchored-pattern",
    ),
    Flaw(
        "substring",
        f"'{THIRDPARTY_HOST}' in origin",
        lambda origin, o: THIRDPARTY_HOST in origin,
        "substring",
    ),
    Flaw(
        "reverse-substring",
        f"host in '{THIRDPARTY_HOST} {SIBLING_HOST}' (one string, not a list)",
        lambda origin, o: bool(_host(origin)) and _host(origin) in f"{THIRDPARTY_HOST} {SIBLING_HOST}",
        "reverse-substring",
    ),
    Flaw(
        "unescaped-dot",
        r"re.fullmatch(r'http://app.good.localhost(:\d+)?', origin): the dots match any character",
        lambda origin, o: re.fullmatch(r"http://app.good.localhost(:\d+)?", origin) is not None,
        "unescaped-dot",
    ),
    Flaw(
        "any-subdomain",
        f"host.endswith('.{GOOD_HOST}'): every subdomain of good is trusted",
        lambda origin, o: _host(origin).endswith(f".{GOOD_HOST}"),
        "any-subdomain",
    ),
    Flaw(
        "special-characters",
        f"host starts with '{THIRDPARTY_HOST}' and the next character is not a dot",
        lambda origin, o: (
            _host(origin).startswith(THIRDPARTY_HOST) and not _host(origin)[len(THIRDPARTY_HOST) :].startswith(".")
        ),
        "special-characters",
    ),
    Flaw(
        "scheme-not-checked",
        "compare only host and port (origin.split('://')[1]), so http://thirdparty passes for https://thirdparty",
        lambda origin, o: origin.split("://", 1)[-1] == o.thirdparty.split("://", 1)[1],
        "scheme-downgrade",
    ),
    Flaw(
        "no-vary-origin",
        "an exact allowlist, but cacheable answers carry the reflected Allow-Origin without Vary: Origin",
        lambda origin, o: origin in (o.thirdparty, o.sibling),
        "",
        vary_origin=False,
    ),
)


def _flawed_rule(flaw: Flaw, origins: Origins) -> OriginRule:
    return lambda origin: origin if origin is not None and flaw.check(origin, origins) else None


def _cacheable(app: ASGIApp) -> ASGIApp:
    """Let browsers cache good's answers for ten minutes: what makes a missing Vary matter."""

    async def with_cache_control(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_cacheable(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Cache-Control"] = "private, max-age=600"
            await send(message)

        await app(scope, receive, send_cacheable)

    return with_cache_control


def _attack_policy(flaw: Flaw) -> Policy:
    def wrap(app: ASGIApp, origins: Origins) -> ASGIApp:
        cors = OriginRuleCors(
            app, _flawed_rule(flaw, origins), credentials=True, answer_preflight=True, vary_origin=flaw.vary_origin
        )
        return cors if flaw.vary_origin else _cacheable(cors)

    return Policy(f"attack-{flaw.name}", f"vulnerable: {flaw.logic}; reflects the Origin with credentials", wrap)


# The safe policy is written with OriginRuleCors, not Starlette's CORSMiddleware: with an explicit
# list Starlette matches origins exactly (good), but it sends Access-Control-Allow-Credentials: true
# to every origin and adds Vary: Origin only to answers for listed origins, so a cache may keep an
# unlisted origin's answer for a listed one. Here credentials go only with a listed origin and
# every answer says Vary: Origin.
SAFE_POLICY = Policy(
    "safe-allowlist",
    "safe: exact full origins (thirdparty, sibling), never null, Vary: Origin, credentials only for them",
    lambda app, origins: OriginRuleCors(
        app,
        ExactOrigins(origins.thirdparty, origins.sibling),
        credentials=True,
        answer_preflight=True,
        vary_origin=True,
    ),
)

ATTACK_POLICIES: tuple[Policy, ...] = tuple(_attack_policy(flaw) for flaw in FLAWS) + (SAFE_POLICY,)
