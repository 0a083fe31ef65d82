"""Deliberately vulnerable CORS policies: the attack catalogue (issue 4). Mounted on good."""

from __future__ import annotations

from servers.policies import Policy

ATTACK_POLICIES: tuple[Policy, ...] = ()
