"""Local Network Access: a browser told which loopback ports stand for public and private addresses.

On loopback everything is loopback; as web-platform-tests does (fetch/local-network-access), each
browser is told at launch which ports stand for another address space (measured with Chromium 156
and Firefox ESR 153): Chromium `--ip-address-space-overrides=IP:PORT=public,IP:PORT=local`,
Firefox `network.lna.address_space.{public,private}.override`. A public page's requests to a
loopback or private address then need the person's permission, which a test grants with
`context.grant_permissions([PERMISSION])`. Used by the suite's local_network area and by the audit
of an app on the person's own machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# What corsproof says stopped a request that never reached the server though the page made it.
LNA_CHECK = "the browser's Local Network Access check"
PERMISSION = "local-network-access"  # the one name Playwright 1.62-1.64 grants, in both browsers
# Firefox holds a request on its permission prompt this long before refusing (300000 ms by default).
PROMPT_TIMEOUT_MS = 500


@dataclass(frozen=True)
class AddressSpaces:
    """Launch settings: which loopback ports stand for a public and a private address, and whether
    the browser denies the permission outright (else nobody answers its prompt)."""

    public_port: int
    private_port: int | None = None
    deny: bool = False
    host: str = "127.0.0.1"  # the address the servers listen on

    def launch_options(self, engine: str, options: dict[str, Any]) -> dict[str, Any]:
        public = f"{self.host}:{self.public_port}"
        private = f"{self.host}:{self.private_port}" if self.private_port is not None else None
        if engine == "chromium":
            spaces = f"{public}=public" + (f",{private}=local" if private else "")
            args = [f"--ip-address-space-overrides={spaces}", *(["--deny-permission-prompts"] if self.deny else [])]
            return {**options, "args": [*options.get("args", []), *args]}
        prefs: dict[str, Any] = {
            "network.lna.address_space.public.override": public,
            # Nobody answers a prompt in a test: without this Firefox holds the request five minutes.
            "network.lna.prompt.timeout": PROMPT_TIMEOUT_MS,
        }
        if private:
            prefs["network.lna.address_space.private.override"] = private
        if self.deny:
            prefs |= {"permissions.default.loopback-network": 2, "permissions.default.local-network": 2}
        return {**options, "firefox_user_prefs": {**options.get("firefox_user_prefs", {}), **prefs}}
