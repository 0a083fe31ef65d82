"""The attack catalogue as data: each misconfiguration, the attacker origin that beats it, and
what happens in each browser and cookie profile.

Attacker pages are evil's exploit pages (servers/exploits.py), opened under look-alike names:
every *.localhost name reaches loopback, and evil's server answers for any name on its port, so
http://evilgood.localhost:<evil port>/ is evil's page with an origin of the attacker's choosing.
"""

from __future__ import annotations

from dataclasses import dataclass

from corsproof.scenarios import ANY, Expect, by_profile, everywhere, pick
from servers.good import PLEASE_LOGIN, PRIVATE_DATA

PRIVATE = PRIVATE_DATA.split(":")[0]
SAVED_BY_THE_BROWSER = (
    "the flawed check trusts the attacker and reflects its origin with credentials, so evil reads "
    "good's answer — but the browser withheld the victim's third-party cookie (Chromium blocks it, "
    "Firefox partitions or rejects it), so good answered '" + PLEASE_LOGIN + "': the browser, not the "
    "server, saved the victim"
)
LEAKS = "with third-party cookies allowed the victim's cookie goes along: evil reads the private data"


@dataclass(frozen=True)
class Attack:
    policy: str  # good's policy under attack (its URL prefix)
    attacker_host: str  # host name of the exploit page, served by evil's server
    expect: dict[tuple[str, str], Expect]
    source: str = ""  # "null": the theft runs in a sandboxed iframe
    same_site: bool = False  # the attacker's name is same-site with good

    @property
    def id(self) -> str:
        return self.policy

    def expected(self, browser: str, profile: str) -> Expect:
        return pick(self.expect, browser, profile, f"attack {self.id}")


def cross_site_leak() -> dict[tuple[str, str], Expect]:
    return by_profile(
        Expect("read", SAVED_BY_THE_BROWSER, body=PLEASE_LOGIN),
        Expect("read", LEAKS, body=PRIVATE, cookie_sent=True),
    )


ATTACKS: tuple[Attack, ...] = (
    Attack("attack-reflect-any", "evil.localhost", cross_site_leak()),
    Attack("starlette-wildcard-credentials", "evil.localhost", cross_site_leak()),
    Attack("attack-trusted-null", "evil.localhost", cross_site_leak(), source="null"),
    Attack("attack-suffix-match", "evilgood.localhost", cross_site_leak()),
    Attack("attack-prefix-match", "thirdparty.localhost.evil.localhost", cross_site_leak()),
    Attack("attack-regex-no-end-anchor", "thirdparty.localhost-evil.localhost", cross_site_leak()),
    Attack("attack-substring", "evil-thirdparty.localhost", cross_site_leak()),
    Attack("attack-reverse-substring", "party.localhost", cross_site_leak()),
    Attack("attack-unescaped-dot", "appxgood.localhost", cross_site_leak()),
    Attack("attack-special-characters", "thirdparty.localhost_.evil.localhost", cross_site_leak()),
    Attack(
        "attack-any-subdomain",
        "evil.good.localhost",
        everywhere(
            Expect(
                "read",
                "evil.good.localhost is same-site with good.localhost: good's cookie is first-party there, "
                "so no third-party cookie policy applies and evil reads the private data under every profile",
                body=PRIVATE,
                cookie_sent=True,
            )
        ),
        same_site=True,
    ),
    Attack(
        "article-credentials-wildcard",
        "evil.localhost",
        by_profile(
            Expect(
                "blocked",
                "the control: a literal `*` with credentials never passes the CORS check",
                chromium_error="WildcardOriginNotAllowed",
            ),
            Expect(
                "blocked",
                "the control: `*` with credentials is refused even though the cookie went along",
                cookie_sent=True,
                chromium_error="WildcardOriginNotAllowed",
            ),
        ),
    ),
)

SAFE_POLICY = "safe-allowlist"
ATTACKER_HOSTS: tuple[tuple[str, str], ...] = tuple(
    sorted({(attack.attacker_host, attack.source) for attack in ATTACKS})
)


def safe_expect(same_site: bool) -> dict[tuple[str, str], Expect]:
    """What the safe policy answers any attacker: no Allow-Origin, so evil reads nothing."""
    blocked = "an exact allowlist of full origins lists no attacker origin: no Allow-Origin, fetch() fails"
    cookie = Expect("blocked", blocked + " (the request still ran with the victim's cookie)", cookie_sent=True,
                    chromium_error="MissingAllowOriginHeader")
    if same_site:
        return {(ANY, ANY): cookie}
    return by_profile(Expect("blocked", blocked, chromium_error="MissingAllowOriginHeader"), cookie)
