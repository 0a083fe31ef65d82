"""The sites' names and origins.

`*.localhost` names resolve to loopback inside Chromium and Firefox with no set-up, are secure
contexts over plain http, and each name under `localhost` is its own site: good.localhost and
thirdparty.localhost are cross-site, while app.good.localhost is same-site with good.localhost.
"""

from __future__ import annotations

from dataclasses import dataclass

GOOD_HOST = "good.localhost"
SIBLING_HOST = "app.good.localhost"
THIRDPARTY_HOST = "thirdparty.localhost"
EVIL_HOST = "evil.localhost"


@dataclass(frozen=True)
class Origins:
    """The origin (scheme://host:port) of each running site."""

    good: str
    sibling: str
    thirdparty: str
    evil: str

    @classmethod
    def from_ports(cls, good: int, sibling: int, thirdparty: int, evil: int, good_scheme: str = "http") -> Origins:
        """good_scheme: good's and its sibling's (together, so that they stay same-site under
        schemeful same-site); thirdparty and evil stay on http."""
        return cls(
            good=f"{good_scheme}://{GOOD_HOST}:{good}",
            sibling=f"{good_scheme}://{SIBLING_HOST}:{sibling}",
            thirdparty=f"http://{THIRDPARTY_HOST}:{thirdparty}",
            evil=f"http://{EVIL_HOST}:{evil}",
        )

    def of(self, site: str) -> str:
        """The origin of a site by name: good, sibling, thirdparty or evil."""
        try:
            return {"good": self.good, "sibling": self.sibling, "thirdparty": self.thirdparty, "evil": self.evil}[site]
        except KeyError:
            raise ValueError(f"unknown site {site!r}: expected good, sibling, thirdparty or evil") from None
