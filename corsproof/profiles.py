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


class CookieProfile(enum.StrEnum):
    DEFAULT = "default"
    THIRD_PARTY_ALLOWED = "third-party-allowed"
    THIRD_PARTY_BLOCKED = "third-party-blocked"

    @classmethod
    def parse(cls, value: str) -> CookieProfile:
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


# Firefox grants a third party storage access on a site after some navigations between them
# (good visited from thirdparty's tab with a click, a redirect, a popup): a heuristic made for
# login flows. Scenarios share a browser context, so one scenario's navigation to good would
# hand good's cookie to every later scenario on that site. Measured here: with these on, Firefox
# sent good's session cookie from thirdparty under Total Cookie Protection after a log-in in the
# same tab. No scenario is about these grants; each is measured as a fresh visitor sees it.
FIREFOX_STORAGE_ACCESS_HEURISTICS_OFF = {
    f"privacy.restrict3rdpartystorage.heuristic.{name}": False
    for name in ("navigation", "opened_window_after_interaction", "recently_visited", "redirect", "window_open")
}


def firefox_prefs(profile: CookieProfile, playwright_build: bool) -> dict[str, object]:
    prefs: dict[str, object] = dict(FIREFOX_STORAGE_ACCESS_HEURISTICS_OFF)
    if profile is CookieProfile.THIRD_PARTY_ALLOWED:
        prefs["network.cookie.cookieBehavior"] = FIREFOX_ACCEPT_ALL
    elif profile is CookieProfile.THIRD_PARTY_BLOCKED:
        prefs["network.cookie.cookieBehavior"] = FIREFOX_REJECT_THIRD_PARTY
    elif playwright_build:
        # Playwright's own Firefox build ships cookieBehavior=4 and CHIPS off; restore what
        # stock Firefox ships, so that "default" means what users of Firefox actually get.
        prefs["network.cookie.cookieBehavior"] = FIREFOX_PARTITION_THIRD_PARTY
        prefs["network.cookie.CHIPS.enabled"] = True
    return prefs


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
