"""The attack catalogue as data: each misconfiguration, the attacker origin that beats it, and
what happens in each browser and cookie profile.

Attacker pages are evil's exploit pages (servers/exploits.py), opened under look-alike names:
every *.localhost name reaches loopback, and evil's server answers for any name on its port, so
http://evilgood.localhost:<evil port>/ is evil's page with an origin of the attacker's choosing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from corsproof.model import ANY, SESSION, Expectations, by_profile, everywhere, outcome
from corsproof.profiles import CookieProfile
from corsproof.report import tables
from corsproof.report.areas import Area
from corsproof.suite.lane import LOGGED_IN
from corsproof.suite.scenarios import Api, Fetch, Theft
from servers.good import PLEASE_LOGIN, PRIVATE_DATA
from servers.origins import GOOD_HOST, THIRDPARTY_HOST

PRIVATE = PRIVATE_DATA.split(":")[0]
SAVED_BY_THE_BROWSER = (
    "the flawed check trusts the attacker and reflects its origin with credentials, so evil reads "
    "good's answer — but the browser withheld the victim's third-party cookie (Chromium blocks it, "
    "Firefox partitions or rejects it), so good answered '" + PLEASE_LOGIN + "': the browser, not the "
    "server, saved the victim"
)
LEAKS = "with third-party cookies allowed the victim's cookie goes along: evil reads the private data"


def attack(policy: str, attacker_host: str, expect: Expectations, source: str = "") -> Theft:
    """evil's exploit page against good's policy, under attacker_host (source "null": from a
    sandboxed iframe); the scenario is named after the policy it beats."""
    return Theft(policy, policy, attacker_host, expect, source)


def cross_site_leak() -> Expectations:
    return by_profile(
        outcome("read", SAVED_BY_THE_BROWSER, body=PLEASE_LOGIN),
        outcome("read", LEAKS, body=PRIVATE, cookies=SESSION),
    )


ATTACKS: tuple[Theft, ...] = (
    attack("attack-reflect-any", "evil.localhost", cross_site_leak()),
    attack("starlette-wildcard-credentials", "evil.localhost", cross_site_leak()),
    attack("attack-trusted-null", "evil.localhost", cross_site_leak(), source="null"),
    attack("attack-suffix-match", "evilgood.localhost", cross_site_leak()),
    attack("attack-prefix-match", "thirdparty.localhost.evil.localhost", cross_site_leak()),
    attack("attack-regex-no-end-anchor", "thirdparty.localhost-evil.localhost", cross_site_leak()),
    attack("attack-substring", "evil-thirdparty.localhost", cross_site_leak()),
    attack("attack-reverse-substring", "party.localhost", cross_site_leak()),
    attack("attack-unescaped-dot", "appxgood.localhost", cross_site_leak()),
    attack("attack-special-characters", "thirdparty.localhost_.evil.localhost", cross_site_leak()),
    attack(
        "attack-any-subdomain",
        "evil.good.localhost",
        everywhere(
            outcome(
                "read",
                "evil.good.localhost is same-site with good.localhost: good's cookie is first-party there, "
                "so no third-party cookie policy applies and evil reads the private data under every profile",
                body=PRIVATE,
                cookies=SESSION,
            )
        ),
    ),
    attack(
        "article-credentials-wildcard",
        "evil.localhost",
        by_profile(
            outcome(
                "blocked",
                "the control: a literal `*` with credentials never passes the CORS check",
                reason="WildcardOriginNotAllowed",
            ),
            outcome(
                "blocked",
                "the control: `*` with credentials is refused even though the cookie went along",
                cookies=SESSION,
                reason="WildcardOriginNotAllowed",
            ),
        ),
    ),
)

SAFE_POLICY = "safe-allowlist"
ATTACKER_HOSTS: tuple[tuple[str, str], ...] = tuple(
    sorted({(attack.attacker_host, attack.source) for attack in ATTACKS})
)


def safe_expect(same_site: bool) -> Expectations:
    """What the safe policy answers any attacker: no Allow-Origin, so evil reads nothing."""
    blocked = "an exact allowlist of full origins lists no attacker origin: no Allow-Origin, fetch() fails"
    cookie = outcome(
        "blocked",
        blocked + " (the request still ran with the victim's cookie)",
        cookies=SESSION,
        reason="MissingAllowOriginHeader",
    )
    if same_site:
        return {(ANY, ANY): cookie}
    return by_profile(outcome("blocked", blocked, reason="MissingAllowOriginHeader"), cookie)


# Every attacker origin of the catalogue against the safe policy: nothing readable.
SAFE_THEFTS: tuple[Theft, ...] = tuple(
    Theft(
        f"safe-vs-{host}" + ("-null" if source else ""),
        SAFE_POLICY,
        host,
        safe_expect(host.endswith(f".{GOOD_HOST}")),
        source,
    )
    for host, source in ATTACKER_HOSTS
) + (
    # thirdparty's own host name on evil's port: an origin that differs from the trusted one by its
    # port alone. A check that compares host names, not whole origins, would let it read.
    Theft(f"safe-vs-{THIRDPARTY_HOST}-another-port", SAFE_POLICY, THIRDPARTY_HOST, safe_expect(False)),
)

# An https good whose check compares host and port, not scheme, trusts http://thirdparty: anyone
# on the network can rewrite an http page, so the theft runs as script injected into thirdparty's
# own http page. Cookies ignore schemes and ports, so the victim's login on good counts there.
SCHEME_NOT_CHECKED = Fetch(
    "attack-scheme-not-checked",
    Api("attack-scheme-not-checked", "/private", https=True),
    cross_site_leak(),
    client="thirdparty",
    init={"credentials": "include"},
    start=LOGGED_IN,
)


def _attacker(cell: dict[str, Any]) -> str:
    origin = next((e["origin"] for e in cell["evidence"] if not e["preflight"]), None)
    if origin in (None, "null"):
        return "`null` (a sandboxed iframe)"
    parts = urlsplit(origin)
    # The sites' ports are the OS's choice, so the table names a port only as "another".
    another = " (another port)" if cell["scenario"].endswith("-another-port") else ""
    return f"`{parts.scheme}://{parts.hostname}`{another}"


def attacks_table(data: dict[str, Any]) -> str:
    """Can evil read the victim's private data? Per attack scenario and cookie profile (README)."""
    cells = tables.area_cells(data, AREA.name)
    ids = sorted({s for _, s, _, _ in cells}, key=lambda s: (s.startswith("safe-"), s))
    rows = []
    for scenario in ids:
        first = next(c for (_, s, _, _), c in sorted(cells.items()) if s == scenario)
        row = [f"`{scenario}`", _attacker(first)]
        for profile in CookieProfile:
            said: dict[str, list[str]] = {}  # verdict -> the browsers it holds in
            for browser in tables.browsers(data, AREA.name):
                cell = cells.get((AREA.name, scenario, browser, profile.value))
                if cell is None:
                    continue
                b = cell["behaviour"]
                leaked = b["page"] == "read" and SESSION <= set(b["cookies"])
                verdict = (
                    "**leaks**" if leaked else "no, the browser withheld the cookie" if b["page"] == "read" else "no"
                )
                said.setdefault(verdict, []).append(browser)
            # Where the browsers disagree, each verdict names its browsers.
            parts = [v if len(said) == 1 else f"{v} ({', '.join(b)})" for v, b in sorted(said.items())]
            row.append("; ".join(parts) if said else "—")
        rows.append(row)
    header = ["scenario", "attacker origin", "default", "third-party cookies allowed", "third-party cookies blocked"]
    return tables.table(header, rows)


AREA = Area("attacks", rank=3, tables={"attacks": attacks_table})
