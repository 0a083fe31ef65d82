"""Browser discovery: a missing or undrivable browser gets a message that says what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Error

from corsproof import browsers
from corsproof.browsers import BrowserBuild, BrowserUnavailable, find_build
from corsproof.profiles import CookieProfile, write_chromium_profile


@pytest.fixture
def no_browsers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        browsers, "SYSTEM_EXECUTABLES", {"chromium": ("/nonexistent/chromium",), "firefox": ("/nonexistent/firefox",)}
    )
    monkeypatch.delenv("CORSPROOF_CHROMIUM", raising=False)
    monkeypatch.delenv("CORSPROOF_FIREFOX", raising=False)


@pytest.mark.usefixtures("no_browsers")
@pytest.mark.parametrize(
    ("engine", "install"), [("chromium", "apt-get install chromium"), ("firefox", "apt-get install firefox-esr")]
)
def test_no_browser_names_the_command_that_installs_one(engine: str, install: str) -> None:
    with pytest.raises(BrowserUnavailable, match="no .* found") as error:
        find_build(engine, "/nonexistent/ms-playwright/browser")  # type: ignore[arg-type]
    assert install in str(error.value)
    assert "playwright install" in str(error.value)


@pytest.mark.usefixtures("no_browsers")
def test_explicit_path_that_is_not_executable_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORSPROOF_FIREFOX", "/nonexistent/firefox")
    with pytest.raises(BrowserUnavailable, match="CORSPROOF_FIREFOX=/nonexistent/firefox is not an executable"):
        find_build("firefox", "/nonexistent")


def test_unknown_build_preference_is_reported() -> None:
    with pytest.raises(BrowserUnavailable, match="choose auto, playwright or system"):
        find_build("chromium", "/nonexistent", "nightly")


def test_auto_falls_back_to_the_system_browser(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    system = tmp_path / "chromium"
    system.write_text("#!/bin/sh\n")
    system.chmod(0o755)
    monkeypatch.setattr(browsers, "SYSTEM_EXECUTABLES", {"chromium": (str(system),)})
    monkeypatch.delenv("CORSPROOF_CHROMIUM", raising=False)
    assert find_build("chromium", "/nonexistent/ms-playwright/chrome") == BrowserBuild("chromium", "stock", str(system))


def test_undrivable_stock_firefox_says_which_playwright_to_pin() -> None:
    build = BrowserBuild("firefox", "stock", "/usr/bin/firefox-esr")
    error = browsers._cannot_drive(build, Error("Protocol error (emulation.setMediaFeaturesOverride): unknown command"))
    assert "cannot drive the stock Firefox" in str(error)
    assert browsers.PLAYWRIGHT_PIN in str(error)


def test_stock_firefox_is_launched_over_webdriver_bidi_with_the_profile_prefs() -> None:
    options = BrowserBuild("firefox", "stock", "/usr/bin/firefox-esr").launch_options(
        CookieProfile.THIRD_PARTY_ALLOWED, True
    )
    assert options["channel"] == "moz-firefox"
    assert options["firefox_user_prefs"]["network.cookie.cookieBehavior"] == 0


def test_blocking_third_party_cookies_is_firefox_cookie_behavior_1() -> None:
    options = BrowserBuild("firefox", "stock", "/usr/bin/firefox-esr").launch_options(
        CookieProfile.THIRD_PARTY_BLOCKED, True
    )
    assert options["firefox_user_prefs"]["network.cookie.cookieBehavior"] == 1


@pytest.mark.parametrize("profile", list(CookieProfile))
def test_firefox_storage_access_heuristics_are_off_in_every_profile(profile: CookieProfile) -> None:
    """One scenario's navigation to good must not grant good's cookies to the next scenario's page."""
    prefs = BrowserBuild("firefox", "stock", "/usr/bin/firefox-esr").launch_options(profile, True)["firefox_user_prefs"]
    heuristics = {name: value for name, value in prefs.items() if ".heuristic." in name}
    assert heuristics and set(heuristics.values()) == {False}


@pytest.mark.parametrize(
    ("profile", "mode"), [(CookieProfile.THIRD_PARTY_ALLOWED, 0), (CookieProfile.THIRD_PARTY_BLOCKED, 1)]
)
def test_chromium_profile_preferences_carry_the_cookie_setting(
    tmp_path: Path, profile: CookieProfile, mode: int
) -> None:
    write_chromium_profile(tmp_path, profile)
    preferences = json.loads((tmp_path / "Default" / "Preferences").read_text())
    assert preferences["profile"]["cookie_controls_mode"] == mode
