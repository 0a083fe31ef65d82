"""Cookie profiles: which third-party cookie setting a browser runs with.

default               what the browser ships with: Chromium blocks third-party cookies in the
                      contexts Playwright creates; stock Firefox partitions them (Total Cookie
                      Protection, network.cookie.cookieBehavior = 5).
third-party-allowed   third-party cookies allowed: Chromium through a persistent profile whose
                      preferences say so; Firefox through network.cookie.cookieBehavior = 0.
third-party-blocked   the user's "block third-party cookies" setting: Chromium through a persistent
                      profile with that preference; Firefox's strictest cookie setting,
                      network.cookie.cookieBehavior = 1 (reject every third-party cookie).
"""

from __future__ import annotations

import enum
import json
from pathlib import Path


class CookieProfile(str, enum.Enum):
    DEFAULT = "default"
    THIRD_PARTY_ALLOWED = "third-party-allowed"
    THIRD_PARTY_BLOCKED = "third-party-blocked"

    @classmethod
    def parse(cls, value: str) -> "CookieProfile":
        try:
            return cls(value)
        except ValueError:
            known = ", ".join(profile.value for profile in cls)
            raise ValueError(f"unknown cookie profile {value!r}; choose from: {known}") from None


# Firefox's cookieBehavior values: 0 accept all, 1 reject all third-party cookies, 4 reject
# trackers, 5 partition third-party cookies (Total Cookie Protection, stock Firefox's default).
FIREFOX_ACCEPT_ALL = 0
FIREFOX_REJECT_THIRD_PARTY = 1
FIREFOX_PARTITION_THIRD_PARTY = 5


def firefox_prefs(profile: CookieProfile, playwright_build: bool) -> dict[str, object]:
    if profile is CookieProfile.THIRD_PARTY_ALLOWED:
        return {"network.cookie.cookieBehavior": FIREFOX_ACCEPT_ALL}
    if profile is CookieProfile.THIRD_PARTY_BLOCKED:
        return {"network.cookie.cookieBehavior": FIREFOX_REJECT_THIRD_PARTY}
    if playwright_build:
        # Playwright's own Firefox build ships cookieBehavior=4 and CHIPS off; restore what
        # stock Firefox ships, so that "default" means what users of Firefox actually get.
        return {
            "network.cookie.cookieBehavior": FIREFOX_PARTITION_THIRD_PARTY,
            "network.cookie.CHIPS.enabled": True,
        }
    return {}


# Chromium's cookie_controls_mode preference: what chrome://settings/cookies writes.
CHROMIUM_COOKIE_CONTROLS_MODE = {
    CookieProfile.THIRD_PARTY_ALLOWED: 0,  # "Allow third-party cookies"
    CookieProfile.THIRD_PARTY_BLOCKED: 1,  # "Block third-party cookies"
}


def write_chromium_profile(user_data_dir: Path, profile: CookieProfile) -> None:
    """A Chromium user-data dir whose preferences say what the cookie profile says.

    Playwright's browser.new_context() contexts block third-party cookies (CDP reports the
    blocked reason "UserPreferences") and no launch switch changes that; a persistent profile
    with cookie_controls_mode set is the measured way to choose the user's setting.
    """
    default = user_data_dir / "Default"
    default.mkdir(parents=True, exist_ok=True)
    mode = CHROMIUM_COOKIE_CONTROLS_MODE[profile]
    (default / "Preferences").write_text(json.dumps({"profile": {"cookie_controls_mode": mode}}))
