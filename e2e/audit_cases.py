"""corsproof audit proven on apps whose flaws are known: corsproof's own vulnerable policies,
Starlette's CORSMiddleware (explicit list, wildcard with credentials, a loose pattern) and the
example in examples/. Each app is good's data API (servers/good.py) under the policy, served as
if it were a user's app: the audit knows only its origin, the origins it trusts and its cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount
from starlette.types import ASGIApp

from corsproof.report import tables
from corsproof.report.areas import Area
from servers.attacks import ATTACK_POLICIES, FLAWS
from servers.good import SESSION_COOKIE, GoodState, create_good_app
from servers.origins import GOOD_HOST, SIBLING_HOST, THIRDPARTY_HOST, Origins
from servers.policies import POLICIES

GOOD = f"http://{GOOD_HOST}"
THIRDPARTY = f"http://{THIRDPARTY_HOST}"
SIBLING = f"http://{SIBLING_HOST}"
# Where the audit's pages stand: port-less origins, led to loopback by the audit (corsproof/names.py).
ORIGINS = Origins(good=GOOD, sibling=SIBLING, thirdparty=THIRDPARTY, evil="http://evil.localhost")
# good with thirdparty at https: the origins the scheme-not-checked flaw compares against.
HTTPS_THIRDPARTY = Origins(good=GOOD, sibling=SIBLING, thirdparty=f"https://{THIRDPARTY_HOST}", evil=ORIGINS.evil)

# A loose pattern meant for good's subdomains: no dot before "good", so evilgood.localhost matches.
LOOSE_REGEX = r"http://.*good\.localhost"


@dataclass(frozen=True)
class Case:
    """A path of the audited app, and the attacker class the audit must find there ("" for none)."""

    path: str
    finds: str
    why: str


CASES: tuple[Case, ...] = tuple(
    Case(f"/attack-{flaw.name}/private", flaw.audit_kind, flaw.logic)
    for flaw in FLAWS
    if flaw.audit_kind and flaw.name != "scheme-not-checked"
) + (
    Case("/safe-allowlist/private", "", "an exact allowlist of full origins"),
    Case("/starlette-allowlist/private", "", "Starlette with an explicit list matches origins exactly"),
    Case(
        "/starlette-wildcard-credentials/private", "unrelated", "Starlette reflects any Origin for * with credentials"
    ),
    Case("/starlette-loose-regex/private", "suffix", f"allow_origin_regex={LOOSE_REGEX!r} has no dot before good"),
)
SCHEME_CASE = Case("/attack-scheme-not-checked/private", "scheme-downgrade", "the scheme is not compared")
NO_VARY_PATH = "/attack-no-vary-origin/private"


def audited_good(origins: Origins) -> tuple[ASGIApp, str]:
    """good's app with every policy, plus Starlette's loose pattern; and a victim's session cookie."""
    state = GoodState()
    good = create_good_app(origins, state)
    app = Starlette(
        routes=[
            Mount(
                "/starlette-loose-regex",
                CORSMiddleware(good, allow_origin_regex=LOOSE_REGEX, allow_credentials=True, allow_methods=["*"]),
            ),
            Mount("/", good),
        ]
    )
    assert {p.name for p in POLICIES + ATTACK_POLICIES} >= {c.path.split("/")[1] for c in CASES[:-1]}
    return app, f"{SESSION_COOKIE}={state.new_session()}; SameSite=None; Secure; HttpOnly"


def audit_classes_table(data: dict[str, Any]) -> str:
    """The attacker origins corsproof audit derives, for the README's example (from the code, not a report)."""
    # Imported here: the report reads every area's AREA at the end of an e2e run, which has no use
    # for the audit otherwise.
    from corsproof.audit import attackers

    found = attackers.derive("https://api.shop.example", ["https://www.shop.example"])
    rows = [[a.kind, f"`{a.origin}`", a.beats.replace("|", "\\|"), a.needs or "a domain of their own"] for a in found]
    return tables.table(["class", "attacker origin", "beats a check that trusts…", "a real attacker needs"], rows)


AREA = Area("audit", rank=9, tables={"audit-classes": audit_classes_table})
