"""The safe way to decide who may read with credentials: an exact match on full origins.

Browsers send the Origin header as a serialized origin (lower-case scheme and host, the port
only when it is not the default), so the only correct comparison is string equality with the
origins you mean. No parsing, no case folding, no prefix, suffix or pattern: every one of those
is an attack in the catalogue (servers/attacks.py). `null` is never listed: any sandboxed or
data: document on any site sends it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExactOrigins:
    """An allowlist of full origins; calling it answers the Allow-Origin to send, or None."""

    allowed: frozenset[str]

    def __init__(self, *origins: str) -> None:
        for origin in origins:
            if origin == "null" or origin != origin.strip() or origin.endswith("/"):
                raise ValueError(f"not a serialized origin to trust: {origin!r}")
        object.__setattr__(self, "allowed", frozenset(origins))

    def __call__(self, origin: str | None) -> str | None:
        return origin if origin in self.allowed else None
