"""Find, launch and describe the browsers: Playwright's own builds or the system's stock ones.

Stock Firefox is driven over WebDriver BiDi (the `moz-firefox` channel); Playwright 1.62-1.64
can drive Firefox ESR 153 that way, 1.65 cannot. Every failure here becomes a BrowserUnavailable
whose message says what is wrong and what to do.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Literal, Protocol

from playwright.sync_api import Browser, BrowserContext, BrowserType, Error

from corsproof import bidi_socket
from corsproof.names import NameMap
from corsproof.profiles import CookieProfile, firefox_prefs, write_chromium_profile

Engine = Literal["chromium", "firefox"]
DRIVEN: tuple[Engine, ...] = ("chromium", "firefox")  # the engines corsproof drives through Playwright
# Every engine corsproof drives and has measured: WebKit through WebDriver (corsproof/webkit.py).
AnyEngine = Literal["chromium", "firefox", "webkit"]
ENGINES: tuple[AnyEngine, ...] = (*DRIVEN, "webkit")
BuildPreference = Literal["auto", "playwright", "system"]

BUILD_ENV = "CORSPROOF_BROWSER_BUILD"
PATH_ENV = {"chromium": "CORSPROOF_CHROMIUM", "firefox": "CORSPROOF_FIREFOX"}
SYSTEM_EXECUTABLES: dict[str, tuple[str, ...]] = {
    "chromium": ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"),
    "firefox": ("/usr/bin/firefox-esr", "/usr/bin/firefox"),
}
INSTALL_HINTS = {
    "chromium": "apt-get install chromium  (or: python -m playwright install chromium)",
    "firefox": "apt-get install firefox-esr  (or: python -m playwright install firefox)",
}
# What stock Firefox ESR 153 needs (pyproject.toml allows any Playwright from 1.62: Chromium and
# Playwright's own builds work with newer ones).
PLAYWRIGHT_PIN = "playwright>=1.62,<1.65"

# Switches Playwright adds to every Chromium it launches that change what a test can observe.
PLAYWRIGHT_CHROMIUM_DEVIATIONS = ("Playwright launches Chromium with --disable-features=ThirdPartyStoragePartitioning",)


class LaunchSetting(Protocol):
    """Something that adds to a browser's Playwright launch options (a NameMap, say). One that
    changes what a test can observe also has a `deviation` (a str), recorded with the browser."""

    def launch_options(self, engine: str, options: dict[str, Any]) -> dict[str, Any]: ...


class BrowserUnavailable(Exception):
    """No usable browser, or one Playwright cannot drive; the message says what to do."""


@dataclass(frozen=True)
class BrowserBuild:
    """One browser executable and how Playwright must launch it."""

    engine: Engine
    build: Literal["playwright", "stock"]
    executable: str

    def launch_options(self, profile: CookieProfile, headless: bool) -> dict[str, Any]:
        options: dict[str, Any] = {"executable_path": self.executable, "headless": headless}
        if self.engine == "firefox":
            if self.build == "stock":
                # Without a moz- channel Playwright expects its own patched Juggler protocol and a
                # stock Firefox will not launch; moz-firefox drives it over WebDriver BiDi.
                options["channel"] = "moz-firefox"
            options["firefox_user_prefs"] = firefox_prefs(profile, self.build == "playwright")
        return options


def _is_playwright_build(path: str) -> bool:
    return "ms-playwright" in Path(path).parts


def find_build(engine: Engine, playwright_executable: str, preference: str = "auto") -> BrowserBuild:
    """The browser to use: an explicit path from the environment, else by build preference.

    auto prefers Playwright's downloaded build and falls back to the system's browser.
    """
    if preference not in ("auto", "playwright", "system"):
        raise BrowserUnavailable(
            f"unknown browser build {preference!r} (from --browser-build or {BUILD_ENV}); "
            "choose auto, playwright or system"
        )
    explicit = os.environ.get(PATH_ENV[engine])
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise BrowserUnavailable(f"{PATH_ENV[engine]}={explicit} is not an executable file")
        return BrowserBuild(engine, "playwright" if _is_playwright_build(explicit) else "stock", explicit)
    candidates: list[BrowserBuild] = []
    if preference in ("auto", "playwright"):
        candidates.append(BrowserBuild(engine, "playwright", playwright_executable))
    if preference in ("auto", "system"):
        candidates += [BrowserBuild(engine, "stock", path) for path in SYSTEM_EXECUTABLES[engine]]
    for candidate in candidates:
        if os.access(candidate.executable, os.X_OK):
            return candidate
    looked = ", ".join(c.executable for c in candidates)
    raise BrowserUnavailable(
        f"no {engine} found (looked for {looked}). Install one: {INSTALL_HINTS[engine]}; "
        f"or point {PATH_ENV[engine]} at an executable."
    )


@dataclass(frozen=True)
class BrowserInfo:
    """What ran: recorded with every test result."""

    name: str
    version: str
    build: str
    executable: str
    cookie_profile: str
    deviations: tuple[str, ...] = ()

    def summary(self) -> str:
        text = (
            f"{self.name} {self.version} ({self.build} build, {self.executable}), cookie profile {self.cookie_profile}"
        )
        return text + "".join(f"; {d}" for d in self.deviations)


FIREFOX_DEVIATIONS = (
    "storage-access heuristics off (privacy.restrict3rdpartystorage.heuristic.*), so that one "
    "scenario's navigation cannot grant good's cookies to another's page",
)


def _server_launch_headers(options: dict[str, Any]) -> dict[str, str]:
    """A browser server launches the browser with the options of the x-playwright-launch-options
    header, in the protocol's names (camelCase); executablePath is why the server must be --unsafe."""
    names = {"executable_path": "executablePath", "firefox_user_prefs": "firefoxUserPrefs", "traces_dir": "tracesDir"}
    launch = {
        names.get(name, name): str(value) if isinstance(value, Path) else value for name, value in options.items()
    }
    return {"x-playwright-launch-options": json.dumps(launch)}


def _deviations(build: BrowserBuild, profile: CookieProfile) -> tuple[str, ...]:
    if build.engine == "chromium":
        return PLAYWRIGHT_CHROMIUM_DEVIATIONS
    if build.build == "playwright" and profile is CookieProfile.DEFAULT:
        return FIREFOX_DEVIATIONS + (
            "Playwright's Firefox build defaults (cookieBehavior=4, CHIPS off) reset to stock Firefox's",
        )
    return FIREFOX_DEVIATIONS


def _cannot_drive(build: BrowserBuild, error: Error) -> BrowserUnavailable:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
    playwright_version = package_version("playwright")
    if build.engine == "firefox" and build.build == "stock":
        return BrowserUnavailable(
            f"Playwright {playwright_version} cannot drive the stock Firefox at {build.executable} over "
            f"WebDriver BiDi: {first_line}. Playwright 1.62.0-1.64.1 drive Firefox ESR 153 (1.65 fails, "
            f"1.55 cannot launch it): pip install '{PLAYWRIGHT_PIN}', or use Playwright's own Firefox "
            "(python -m playwright install firefox)."
        )
    return BrowserUnavailable(
        f"Playwright {playwright_version} could not start {build.engine} at {build.executable}: {first_line}. "
        f"Check that it runs ({build.executable} --version) or install another: {INSTALL_HINTS[build.engine]}."
    )


def needs_persistent_profile(engine: str, profile: CookieProfile) -> bool:
    """Chromium with a chosen third-party cookie setting: a persistent profile, so a browser per context."""
    return engine == "chromium" and profile is not CookieProfile.DEFAULT


@dataclass
class BrowserSession:
    """The browser of one (engine, build, cookie profile), and fresh contexts from it.

    Chromium with a chosen third-party cookie setting needs a persistent profile, and a persistent
    profile is one context per browser process: each new_context() then launches a fresh
    profile, so every test still starts from clean browser state.
    """

    browser_type: BrowserType
    build: BrowserBuild
    profile: CookieProfile
    headless: bool = True
    # Where Playwright keeps trace files while tracing: without one it makes a directory in /tmp
    # per context and never removes it.
    traces_dir: Path | None = None
    # A Playwright browser server (python -m playwright run-server) to run the browser on, instead
    # of launching it here: ws://HOST:PORT/.
    connect: str | None = None
    # Where the browser finds names that are not loopback's (corsproof/names.py): the audit's
    # look-alike origins.
    name_map: NameMap | None = None
    # More launch settings, each adding to the options (the Local Network Access area's address
    # spaces and permission answer, corsproof/suite/local_network.py).
    settings: tuple[LaunchSetting, ...] = ()
    browser: Browser = field(init=False)
    info: BrowserInfo = field(init=False)
    # Why the driver's channel to the browser is slower than it could be (corsproof/bidi_socket.py).
    driver_note: str | None = field(init=False, default=None)
    # Persistent profiles live under one directory per session, removed when the session closes:
    # Chromium still writes to a profile after its context's "close" event, so removing each
    # profile there leaves half-deleted directories behind.
    _profiles: Path | None = field(init=False, default=None)
    _folders: dict[BrowserContext, Path] = field(init=False, default_factory=dict)  # each persistent context's

    def __post_init__(self) -> None:
        options = self._launch_options()
        if self.connect is not None and self.persistent:
            raise BrowserUnavailable(
                f"Chromium's {self.profile.value} profile needs a persistent profile, which a browser server "
                "(--connect) does not offer: run it without --connect, or choose --cookie-profile default"
            )
        try:
            if self.connect is None:
                self.browser = self.browser_type.launch(**options)
            else:
                self.browser = self.browser_type.connect(self.connect, headers=_server_launch_headers(options))
            # Stock Firefox with an unsupported Playwright launches but fails here.
            try:
                self.browser.new_context().close()
            except Error:
                with contextlib.suppress(Error):  # not left running until its Playwright stops
                    self.browser.close()
                raise
        except Error as error:
            if self.connect is not None:
                first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
                raise BrowserUnavailable(
                    f"no {self.build.engine} from the browser server at {self.connect}: {first}. Start one with: "
                    "python -m playwright run-server --host 127.0.0.1 --port <port> --unsafe"
                ) from None
            raise _cannot_drive(self.build, error) from None
        if self.connect is None and self.build.engine == "firefox" and self.build.build == "stock":
            self.driver_note = bidi_socket.disable_nagle(self.build.executable)
        self.info = BrowserInfo(
            name=self.build.engine,
            version=self.browser.version,
            build=self.build.build,
            executable=self.build.executable if self.connect is None else f"{self.build.executable} via {self.connect}",
            cookie_profile=self.profile.value,
            deviations=_deviations(self.build, self.profile)
            + tuple(setting.deviation for setting in self.settings if hasattr(setting, "deviation")),
        )

    def _launch_options(self) -> dict[str, Any]:
        options = self.build.launch_options(self.profile, self.headless)
        for setting in (self.name_map, *self.settings):
            if setting is not None:
                options = setting.launch_options(self.build.engine, options)
        if self.traces_dir is not None:
            options["traces_dir"] = self.traces_dir
        return options

    @property
    def persistent(self) -> bool:
        return needs_persistent_profile(self.build.engine, self.profile)

    def new_context(
        self, cookie_places: tuple[str, ...] = (), jar_windows: bool = False, **kwargs: Any
    ) -> BrowserContext:
        """Playwright's context. cookie_places and jar_windows say where and how often a WebKit
        context reads its jar (corsproof/webkit.py); Playwright reads the whole jar at once."""
        if not self.persistent:
            return self.browser.new_context(**kwargs)
        if self._profiles is None:
            self._profiles = Path(tempfile.mkdtemp(prefix="corsproof-chromium-"))
        user_data_dir = Path(tempfile.mkdtemp(dir=self._profiles))
        write_chromium_profile(user_data_dir, self.profile)
        try:
            context = self.browser_type.launch_persistent_context(user_data_dir, **self._launch_options(), **kwargs)
        except Error as error:
            shutil.rmtree(user_data_dir, ignore_errors=True)
            raise _cannot_drive(self.build, error) from None
        self._folders[context] = user_data_dir
        return context

    def close_context(self, context: BrowserContext) -> None:
        """Close one of this session's contexts now, and a persistent profile's folder with it, for
        a session kept while context after context comes and goes (the audit's browser pool). Its
        close returns once that Chromium has exited (checked: no process of the folder's left), so
        nothing writes to the folder any more."""
        folder = self._folders.pop(context, None)
        try:
            context.close()
        finally:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        self.browser.close()
        if self._profiles is not None:
            shutil.rmtree(self._profiles, ignore_errors=True)
