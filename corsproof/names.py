"""Lead a browser's connections for chosen names and ports to servers of corsproof's choosing.

With no root and no hosts file, both browsers can be told where a name lives (measured with
Chromium 156 and Firefox ESR 153): Chromium through --host-resolver-rules, Firefox through
network.dns.localDomains (the names answer loopback) and network.socket.forcePort (a port is
swapped for another on every connection). So a page can stand at https://evilexample.com, with
that real Origin, while its server listens on an unprivileged loopback port.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NameMap:
    """names: the host names to answer with loopback (Firefox needs them listed; Chromium maps every
    name); ports: the port a page uses (443, 80, 8443...) -> the loopback port that serves it.
    With no ports, every name leads to address instead, ports unchanged: how a browser on another
    machine reaches the sites (--sites-host)."""

    names: tuple[str, ...] = ()
    ports: Mapping[int, int] = field(default_factory=dict)
    address: str = "127.0.0.1"

    @classmethod
    def every_name_to(cls, address: str) -> NameMap:
        return cls(address=address)

    def chromium_args(self) -> list[str]:
        rules = ", ".join(f"MAP *:{public} {self.address}:{local}" for public, local in sorted(self.ports.items()))
        return [f"--host-resolver-rules={rules or f'MAP * {self.address}'}"]

    def firefox_prefs(self) -> dict[str, Any]:
        if not self.ports:
            # Measured with Firefox ESR 153: it sends *.localhost names there too, and such pages
            # stay secure contexts that keep Secure cookies, as on loopback.
            return {"network.dns.forceResolve": self.address}
        return {
            "network.dns.localDomains": ",".join(self.names),
            "network.socket.forcePort": ";".join(f"{public}={local}" for public, local in sorted(self.ports.items())),
        }

    def launch_options(self, engine: str, options: dict[str, Any]) -> dict[str, Any]:
        """Playwright launch options with this map added to what they already say."""
        if engine == "chromium":
            return {**options, "args": [*options.get("args", []), *self.chromium_args()]}
        return {**options, "firefox_user_prefs": {**options.get("firefox_user_prefs", {}), **self.firefox_prefs()}}
