"""WebKit, the third engine: Debian's WebKitGTK (MiniBrowser) driven through WebKitWebDriver.

Playwright cannot drive it (its WebKit is its own build, which cannot be downloaded everywhere, and
MiniBrowser knows no --inspector-pipe), so corsproof drives it over classic W3C WebDriver with a
maintained client, selenium, and offers the part of Playwright's Page and BrowserContext that the
suite's lanes use (goto, evaluate, frames, expect_navigation, text_content, select_option, click,
wait_for_selector, screenshot, cookies), so that a lane's scenarios run unchanged. Measured
with WebKitGTK 2.50.6 (Debian 12):

- It needs a display: each session starts its own Xvfb on a free display (-displayfd tells which),
  and stops it with everything it started; nothing is left behind.
- One WebDriver session per driver process: a context is a driver and a session (~0.35 s), its
  one page the session's first window (the jar windows below are the context's, never a page).
- Cookie profiles are MiniBrowser's policies: default is `--cookies-policy=no-third-party` (a
  third party cannot set cookies, but cookies already set are sent cross-site), allowed is `always`,
  and blocked is `--enable-itp` (Safari's Intelligent Tracking Prevention: no cookie goes cross-site;
  `never` would refuse first-party cookies too, so no one could log in).
- A page's CORS failure is "TypeError: Load failed", with no reason: WebKit's reasons reach only its
  inspector, which cannot be combined with WebKitWebDriver. corsproof derives them from the
  server's record, as for Firefox.
- WebDriver's cookies are those of the current document's URL, its path included: the context
  reads and clears the jar at the URLs it is told hold the cookies under test (cookie_places),
  one per cookie path the sites use. A context that reads its jar often (a lane: after every
  scenario) keeps a window standing at each place, opened at its first use (~225 ms): the jar is
  read from the store when asked (a cookie set after the window loaded is seen), so a read there is
  two window switches and a command, ~4 ms, and the page under test stays where it is (and
  visible). Otherwise (an audit reads it once, after the login) the page is taken to each place,
  ~55 ms a navigation.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from corsproof.process_group import running_in_group, wait_for_group_exit
from corsproof.profiles import CookieProfile

if TYPE_CHECKING:  # as BrowserInfo below: corsproof.browsers is imported only where it is used
    from corsproof.browsers import LaunchSetting

# Measured with WebKitGTK 2.50.6 under WebKitWebDriver: a second fetch of a max-age=600 answer
# reaches the server again, same-origin or cross-origin, over http and https alike; its preflight
# cache does answer. Tests that rely on the HTTP cache say what WebKit does instead.
HTTP_CACHE_ANSWERS_FETCHES = False
WEBDRIVER = "/usr/bin/WebKitWebDriver"
XVFB = "/usr/bin/Xvfb"
MINIBROWSER_GLOB = "/usr/lib/*/webkit2gtk-4.*/MiniBrowser"
INSTALL = "sudo apt-get install webkit2gtk-driver xvfb (scripts/setup installs them)"
START_DEADLINE_S = 30.0  # Xvfb's display, the driver's /status, a new session: each bounded
COMMAND_TIMEOUT_S = 30.0  # a script or a navigation; the client's own timeout is a backstop above it
DELETE_ATTEMPTS = 3  # clear_cookies: read, then delete what is left, at most this many times a place
POLICIES = {
    CookieProfile.DEFAULT: ["--cookies-policy=no-third-party"],
    CookieProfile.THIRD_PARTY_ALLOWED: ["--cookies-policy=always"],
    CookieProfile.THIRD_PARTY_BLOCKED: ["--cookies-policy=always", "--enable-itp"],
}
DEVIATIONS = {
    CookieProfile.DEFAULT: "MiniBrowser's own default, --cookies-policy=no-third-party (Safari's is ITP)",
    CookieProfile.THIRD_PARTY_ALLOWED: "--cookies-policy=always",
    CookieProfile.THIRD_PARTY_BLOCKED: "--enable-itp (Safari's Intelligent Tracking Prevention), the closest "
    "stock setting: --cookies-policy=never refuses first-party cookies too",
}


def http_cache_answers_fetches(browser: str) -> bool:
    """Whether a repeated fetch of a cacheable answer is served by the browser's HTTP cache: in
    Chromium and Firefox it is; in WebKit under WebDriver it is not (HTTP_CACHE_ANSWERS_FETCHES)."""
    return browser != "webkit" or HTTP_CACHE_ANSWERS_FETCHES


class WebKitUnavailable(RuntimeError):
    """WebKit cannot be had here: what is missing and what to do."""


def find_minibrowser() -> str:
    found = sorted(glob.glob(MINIBROWSER_GLOB))
    missing = [path for path in (WEBDRIVER, XVFB) if not os.access(path, os.X_OK)] + ([] if found else ["MiniBrowser"])
    if missing:
        raise WebKitUnavailable(f"WebKit needs {', '.join(missing)}: {INSTALL}")
    try:
        import selenium  # noqa: F401  (WebDriver's client; asked for here, where WebKit is wanted)
    except ImportError:
        raise WebKitUnavailable("WebKit is driven through selenium: pip install 'corsproof[webkit]'") from None
    return found[-1]


# Every process group started here and not stopped yet. The interpreter's exit stops what is left:
# a run ended by an interrupt (pytest's teardown cut short, a Playwright driver gone) leaves no
# WebKit, driver or display behind.
_RUNNING: set[subprocess.Popen[bytes]] = set()


def _spawn(arguments: list[str], **options: Any) -> subprocess.Popen[bytes]:
    """A process in a group of its own (it and all it starts are stopped together), known to _RUNNING."""
    process = subprocess.Popen(
        arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, **options
    )
    _RUNNING.add(process)
    return process


@atexit.register
def _stop_what_is_left() -> None:
    for process in list(_RUNNING):
        _stop(process, deadline_s=1.0)


def _stop(process: subprocess.Popen[bytes], deadline_s: float = 5.0) -> None:
    """Its whole process group (MiniBrowser and WebKit's helper processes too): TERM, then KILL;
    back once every member has exited (said on stderr if one outlives the deadline)."""
    _RUNNING.discard(process)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(deadline_s)
            break
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # helpers that outlived their leader
    # A killed helper is gone only once it has exited: under load one was still running when the
    # caller looked (a fresh-clone CI run's check of this very rule failed on it).
    if not wait_for_group_exit(process.pid, time.monotonic() + deadline_s):
        # Said, not raised (nor warned: the suite's warnings are errors): an error here would stop
        # the rest of a teardown, and leave more behind. scripts/soak finds what is left.
        left = running_in_group(process.pid)
        print(f"corsproof: WebKit's processes {left} outlived SIGKILL by {deadline_s:.0f} s", file=sys.stderr)


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb on a display number it chooses itself (-displayfd writes it once it accepts clients)."""
    read, write = os.pipe()
    try:
        process = _spawn(
            [XVFB, "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], pass_fds=(write,)
        )
        os.close(write)
        said = b""
        deadline = time.monotonic() + START_DEADLINE_S
        while not said.endswith(b"\n"):
            ready, _, _ = select.select([read], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read, 64) if ready else b""
            if not chunk:
                _stop(process)
                raise WebKitUnavailable(f"Xvfb named no display within {START_DEADLINE_S:.0f} s")
            said += chunk
        return process, ":" + said.decode().strip()
    finally:
        os.close(read)
        with contextlib.suppress(OSError):
            os.close(write)


def _free_port() -> int:
    """A port the OS says is free. WebKitWebDriver takes a port number, not a socket, so the port is
    free again between this and the driver's bind; a driver that loses that race exits, and
    _wait_ready says so in one line."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_ready(driver: subprocess.Popen[bytes], port: int) -> None:
    """Until the driver's /status says ready; each failed try waits on the driver's exit (a pidfd),
    at most 50 ms, so a dead driver is known at once."""
    deadline = time.monotonic() + START_DEADLINE_S
    pidfd = os.pidfd_open(driver.pid)
    try:
        while time.monotonic() < deadline:
            if driver.poll() is not None:
                raise WebKitUnavailable(f"WebKitWebDriver exited ({driver.returncode}) before it was ready")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2) as answer:
                    if json.load(answer).get("value", {}).get("ready"):
                        return
            except (OSError, urllib.error.URLError, ValueError):
                select.select([pidfd], [], [], 0.05)
    finally:
        os.close(pidfd)
    raise WebKitUnavailable(f"WebKitWebDriver was not ready within {START_DEADLINE_S:.0f} s")


class WebKitPage:
    """The one page of a WebDriver session, with the part of Playwright's Page the lanes use."""

    def __init__(self, driver: Any) -> None:
        self._driver = driver
        self.main_frame = self
        self._on_error: list[Callable[[str], None]] = []
        self._navigating = False  # inside expect_navigation: the block's script is to take the page away

    def on(self, event: str, callback: Callable[[str], None]) -> None:
        """Playwright's "pageerror" only: an uncaught error or unhandled rejection of each document
        goto loads from now on, told at the page's next command. WebDriver can run no script before
        a document's own, so one thrown while it loads is not seen: a test that listens also checks
        that the page works."""
        if event != "pageerror":
            raise NotImplementedError(f"WebKit's page (WebDriver) offers no {event!r} event")
        self._on_error.append(callback)

    def _told(self) -> None:
        """The errors the page caught since the last command, to the "pageerror" listeners."""
        if self._on_error:
            for error in self._driver.execute_script(_TAKE_ERRORS):
                for callback in self._on_error:
                    callback(error)

    @property
    def url(self) -> str:
        url: str = self._driver.current_url
        return url

    def goto(self, url: str, **_: Any) -> None:
        """Load url; None, where Playwright returns the response: WebDriver never sees it."""
        with _said_as_script_error():
            self._driver.get(url)
            if self._on_error:
                self._driver.execute_script(_CATCH_ERRORS)

    def evaluate(self, expression: str, arg: Any = None) -> Any:
        """As Playwright's: a function is called with arg and awaited, anything else evaluated.
        Inside expect_navigation, the script whose page unloads before WebDriver has its answer has
        done what the block expects (a form submitted, seen once under load): its value is None (no
        caller of a navigating script uses one; what the old document's listeners caught goes with
        it), and the block waits for the new document. Once a block: a second is an error again."""
        try:
            return self._script(expression, arg)
        except WebKitUnloaded:
            if not self._navigating:
                raise
            self._navigating = False
            return None

    def _script(self, expression: str, arg: Any = None) -> Any:
        """evaluate's work, for the page's own commands (fill, count, ...): an unload is an error."""
        with _said_as_script_error():
            value = _evaluate(self._driver, expression, arg)
            self._told()
            return value

    def eval_on_selector_all(self, selector: str, expression: str, arg: Any = None) -> Any:
        """As Playwright's: the function called with every element matching selector (and arg)."""
        return self._script(
            f"([selector, arg]) => ({expression})([...document.querySelectorAll(selector)], arg)", [selector, arg]
        )

    def fill(self, selector: str, value: str) -> None:
        """As Playwright's: the field's value set, and an input event (then change) dispatched."""
        self._script(_SET_VALUE, [selector, value])

    def locator(self, selector: str, has_text: str | None = None) -> WebKitLocator:
        """The elements matching selector (and holding has_text, case-insensitively): count() only."""
        return WebKitLocator(self, selector, has_text)

    def set_viewport_size(self, size: dict[str, int]) -> None:
        """The window sized so that the document's viewport is size: WebDriver sizes the window, so
        what its frame takes is measured and added."""
        with _said_as_script_error():
            self._driver.set_window_size(size["width"], size["height"])
            inner = self._driver.execute_script("return [window.innerWidth, window.innerHeight];")
            width, height = 2 * size["width"] - inner[0], 2 * size["height"] - inner[1]
            self._driver.set_window_size(width, height)

    def check(self, selector: str) -> None:
        """As Playwright's: a click on the checkbox, unless it is checked already."""
        if not self._driver.execute_script("return document.querySelector(arguments[0]).checked;", selector):
            self.click(selector)

    def close(self) -> None:
        """Nothing: the page's window stays for the context's next page, whose first goto replaces
        this document (a context is closed as a whole)."""

    @property
    def frames(self) -> list[Any]:
        """The page, then each iframe of its document, in document order (as Playwright lists them)."""
        return [self, *(WebKitFrame(self._driver, e) for e in self._driver.find_elements("css selector", "iframe"))]

    def text_content(self, selector: str) -> str | None:
        text: str | None = self._driver.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector
        )
        return text

    def inner_text(self, selector: str) -> str:
        text: str = self._driver.execute_script("return document.querySelector(arguments[0]).innerText;", selector)
        self._told()
        return text

    def get_attribute(self, selector: str, name: str) -> str | None:
        value: str | None = self._driver.execute_script(
            "return document.querySelector(arguments[0]).getAttribute(arguments[1]);", selector, name
        )
        return value

    def select_option(self, selector: str, value: str) -> None:
        """As Playwright's: the option chosen, and input and change dispatched, as fill does."""
        self._script(_SET_VALUE, [selector, value])

    def click(self, selector: str) -> None:
        with _said_as_script_error():
            self._driver.find_element("css selector", selector).click()
            self._told()

    def wait_for_selector(self, selector: str) -> None:
        """Until an element matches: a MutationObserver in the page says when (bounded by the script timeout)."""
        self._driver.execute_async_script(_WAIT_FOR_SELECTOR, selector)

    def wait_for_timeout(self, timeout_ms: float) -> None:
        """As Playwright's: time passes. Only the aged lane asks for it, where a cookie's age is under test."""
        time.sleep(timeout_ms / 1000)

    def screenshot(self, path: str, **_: Any) -> None:
        """The window (WebDriver has no full-page screenshot), once the page has painted what its
        last command changed (two animation frames: without them a stale frame was seen)."""
        self._script("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        self._driver.save_screenshot(path)
        self._told()

    @contextlib.contextmanager
    def expect_navigation(self, **_: Any) -> Iterator[Navigated]:
        """The block navigates the page: done when a new document has loaded. WebDriver has no
        navigation event, so the new document is asked for until it is there (bounded); nor does it
        see the response, so the navigation's value is None where Playwright's is the response."""
        with _said_as_script_error():
            self._driver.execute_script("window.__corsproofOldDocument = true;")
        self._navigating = True  # evaluate may take one unload as this navigation (its docstring)
        try:
            yield Navigated()
        finally:
            self._navigating = False
        deadline = time.monotonic() + COMMAND_TIMEOUT_S
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):  # the old document may be going away mid-command
                if self._driver.execute_script(
                    "return !window.__corsproofOldDocument && document.readyState === 'complete';"
                ):
                    return
        raise WebKitScriptError(f"no navigation within {COMMAND_TIMEOUT_S:.0f} s")


@dataclass(frozen=True)
class Navigated:
    """What expect_navigation gives: Playwright's gives the response as value; WebDriver has none."""

    value: None = None


@dataclass(frozen=True)
class WebKitLocator:
    """What the suite asks of Playwright's locator: how many elements match."""

    page: WebKitPage
    selector: str
    has_text: str | None = None

    def count(self) -> int:
        found: int = self.page._script(
            "([selector, text]) => [...document.querySelectorAll(selector)].filter(e => text === null"
            " || e.textContent.toLowerCase().includes(text.toLowerCase())).length",
            [self.selector, self.has_text],
        )
        return found


class WebKitFrame:
    """An iframe of the page: WebDriver enters it for each script and leaves it after."""

    def __init__(self, driver: Any, element: Any) -> None:
        self._driver = driver
        self._element = element

    def evaluate(self, expression: str, arg: Any = None) -> Any:
        self._driver.switch_to.frame(self._element)
        try:
            return _evaluate(self._driver, expression, arg)
        finally:
            self._driver.switch_to.default_content()

    def wait_for_function(self, expression: str) -> None:
        """Until the function returns true, asked once per rendered frame, as Playwright's default
        polling does (bounded by the script timeout)."""
        self.evaluate(
            f"() => new Promise(done => {{ const ready = {expression}; "
            "const check = () => ready() ? done(true) : requestAnimationFrame(check); check(); })"
        )


def _evaluate(driver: Any, expression: str, arg: Any) -> Any:
    answer = driver.execute_async_script(_EVALUATE, expression, arg)
    if "error" in answer:
        raise WebKitScriptError(answer["error"])
    return answer.get("value")


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).hostname or ""


class WebKitScriptError(RuntimeError):
    """A page's script threw, a navigation never came, or the driver failed the command."""


class WebKitUnloaded(WebKitScriptError):
    """The driver's own answer (never a page's) to an async script whose document unloaded before
    the script answered: the script took the page away."""


# WebKitWebDriver's words for it.
_UNLOADED_BEFORE_ANSWER = "Callback was not called before the unload event."


@contextlib.contextmanager
def _said_as_script_error() -> Iterator[None]:
    """The driver's own failure (a timeout, a window gone) as a WebKitScriptError with its first
    line, so that a caller catches one error type and selenium is imported only where it runs."""
    from selenium.common.exceptions import WebDriverException

    try:
        yield
    except WebDriverException as error:
        said = (error.msg or type(error).__name__).strip().splitlines()
        first = said[0] if said else type(error).__name__
        raise (WebKitUnloaded if first == _UNLOADED_BEFORE_ANSWER else WebKitScriptError)(first) from None


# fill and select_option: a form control's value set as a person's input would, events included.
_SET_VALUE = """([selector, value]) => {
  const e = document.querySelector(selector);
  e.focus();
  e.value = value;
  for (const type of ["input", "change"]) e.dispatchEvent(new Event(type, {bubbles: true}));
}"""

# A document's uncaught errors and unhandled rejections, kept until the page's next command takes them.
_CATCH_ERRORS = """
window.__corsproofErrors = [];
window.addEventListener("error", (e) => window.__corsproofErrors.push(String(e.error || e.message)));
window.addEventListener("unhandledrejection", (e) => window.__corsproofErrors.push(String(e.reason)));
"""
_TAKE_ERRORS = """
const taken = window.__corsproofErrors || [];
window.__corsproofErrors = [];
return taken;
"""

_WAIT_FOR_SELECTOR = """
const [selector, done] = arguments;
if (document.querySelector(selector)) { done(true); } else {
  new MutationObserver((_, observer) => {
    if (document.querySelector(selector)) { observer.disconnect(); done(true); }
  }).observe(document, {subtree: true, childList: true, attributes: true});
}
"""

# execute_async_script's body: evaluate the expression; call it if it is a function; await it.
_EVALUATE = """
const [source, arg, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
try {
  let value = (0, eval)("(" + source + ")");
  if (typeof value === "function") value = value(arg);
  Promise.resolve(value).then(v => done({value: v === undefined ? null : v}), e => done({error: String(e)}));
} catch (e) { done({error: String(e)}); }
"""


@dataclass
class WebKitContext:
    """A driver process and its session (the page's window, and the jar windows if asked for): a
    fresh cookie jar and cache."""

    display: str
    minibrowser: str
    arguments: list[str]
    cookie_places: tuple[str, ...] = ()  # URLs where the cookies under test are seen (module's note)
    jar_windows: bool = False  # read them in a window of each place's own, not by moving the page (module's note)
    tracing: None = field(default=None, init=False)  # Playwright's traces: WebDriver has none to give
    _driver_process: subprocess.Popen[bytes] = field(init=False)
    _driver: Any = field(init=False)
    page: WebKitPage = field(init=False)

    def __post_init__(self) -> None:
        from selenium import webdriver  # only WebKit needs selenium
        from selenium.webdriver.remote.client_config import ClientConfig
        from selenium.webdriver.remote.remote_connection import RemoteConnection

        port = _free_port()
        env = {**os.environ, "DISPLAY": self.display}
        env.pop("WAYLAND_DISPLAY", None)
        self._driver_process = _spawn([WEBDRIVER, f"--port={port}"], env=env)
        try:
            _wait_ready(self._driver_process, port)
            options = webdriver.WebKitGTKOptions()
            options.binary_location = self.minibrowser
            for argument in ["--automation", *self.arguments]:  # without --automation the session hangs
                options.add_argument(argument)
            options.accept_insecure_certs = True  # the https good's throwaway CA
            config = ClientConfig(remote_server_addr=f"http://127.0.0.1:{port}", timeout=int(2 * COMMAND_TIMEOUT_S))
            made: dict[str, Any] = {}

            def new_session() -> None:
                try:
                    made["driver"] = webdriver.Remote(RemoteConnection(client_config=config), options=options)
                except Exception as error:  # handed to the starting thread
                    made["error"] = error

            # A new session can hang (no display, a MiniBrowser that never answers): bounded.
            starting = threading.Thread(target=new_session, daemon=True)
            starting.start()
            starting.join(START_DEADLINE_S)
            if "driver" not in made:
                raise WebKitUnavailable(f"no WebKit session within {START_DEADLINE_S:.0f} s: {made.get('error')!r}")
            self._driver = made["driver"]
            self._page_window: str = self._driver.current_window_handle
            self._place_windows: dict[str, str] = {}
            self._driver.set_script_timeout(COMMAND_TIMEOUT_S)
            self._driver.set_page_load_timeout(COMMAND_TIMEOUT_S)
        except BaseException:
            _stop(self._driver_process)
            raise
        self.page = WebKitPage(self._driver)

    @property
    def version(self) -> str:
        version: str = self._driver.capabilities.get("browserVersion", "unknown")
        return version

    @property
    def pages(self) -> list[WebKitPage]:
        return [self.page]

    def new_page(self) -> WebKitPage:
        return self.page

    def cookies(self) -> list[dict[str, Any]]:
        """The cookies of the cookie places (WebDriver's are the current document's), read at each place in turn."""
        found: list[dict[str, Any]] = []
        for place in self.cookie_places:
            with self._at(place):
                seen = [{**cookie, "partitionKey": None} for cookie in self._driver.get_cookies()]
                found += [cookie for cookie in seen if cookie not in found]  # a cookie for / shows at every place
        return found

    def add_cookies(self, cookies: list[dict[str, Any]]) -> None:
        """Playwright's cookie records put in the jar. WebDriver adds a cookie only from a document
        of its domain: each is added at the first cookie place whose host its Domain covers."""
        for cookie in cookies:
            domain = str(cookie.get("domain", "")).lstrip(".")
            places = [p for p in self.cookie_places if _host(p) == domain or _host(p).endswith("." + domain)]
            if not places:
                raise WebKitScriptError(f"WebDriver adds a cookie only from a page of its domain: {domain!r} is none")
            # WebDriver's keys are Playwright's but for the expiry (absent, not -1, for a session cookie).
            shared = ("name", "value", "domain", "path", "secure", "httpOnly", "sameSite")
            added: dict[str, Any] = {k: cookie[k] for k in shared if k in cookie}
            if float(cookie.get("expires", -1)) > 0:
                added["expiry"] = int(cookie["expires"])
            with _said_as_script_error(), self._at(places[0]):
                self._driver.add_cookie(added)

    def clear_cookies(self) -> None:
        """Every cookie of the cookie places deleted, one by name at a time, then read back (a few
        times at most; what survives that is the caller's to see). Not WebDriver's "delete all":
        WebKit answers that command before its network process has deleted anything (its completion
        is empty) and reads cookies another way (through the page's process), so a read could still
        show a deleted cookie (twice, under load: a lane's check and tests/test_webkit.py), and a late
        delete could take the cookie the next scenario's login sets. A delete by name answers once
        the cookie is gone, through the process the read goes through."""
        for place in self.cookie_places:
            with self._at(place):
                for _ in range(DELETE_ATTEMPTS):
                    left = self._driver.get_cookies()
                    if not left:
                        break
                    for cookie in left:  # one of a name each time: two of a name are listed twice
                        self._delete(cookie["name"])

    def _delete(self, name: str) -> None:
        """One cookie of that name, at the current place. The name travels in the command's URL
        path: quoted (a "%" or "?" in it deleted nothing, a reviewer found). One no path can carry
        (empty, or with a "/", which the driver splits on) goes by delete-all, whose late effect the
        clear's next read-back may not see yet: then the read-back deletes again, and what is left
        at the end is the caller's to see."""
        with _said_as_script_error():
            if name and "/" not in name:
                self._driver.delete_cookie(urllib.parse.quote(name, safe=""))
            else:
                self._driver.delete_all_cookies()

    @contextlib.contextmanager
    def _at(self, place: str) -> Iterator[None]:
        """The driver at place: in place's own window (opened and loaded at its first use), then
        back in the page's; or, without jar windows, the page taken there."""
        if not self.jar_windows:
            if self.page.url != place:
                self._driver.get(place)
            yield
            return
        try:
            if place in self._place_windows:
                self._driver.switch_to.window(self._place_windows[place])
            else:
                self._driver.switch_to.new_window("window")  # a window, not a tab: the page's stays shown
                self._place_windows[place] = self._driver.current_window_handle
                self._driver.get(place)
            yield
        finally:
            self._driver.switch_to.window(self._page_window)

    def close(self) -> None:
        if self._driver_process.poll() is not None:
            return  # closed already
        quitting = threading.Thread(target=self._driver.quit, daemon=True)
        quitting.start()
        quitting.join(10)  # bounded; the process group is stopped below anyway
        _stop(self._driver_process)


class WebKitSession:
    """WebKit for one cookie profile: its own display; a context is a driver and a session."""

    def __init__(
        self,
        profile: CookieProfile,
        headless: bool = True,
        arguments: tuple[str, ...] = (),
        settings: tuple[LaunchSetting, ...] = (),
    ) -> None:
        """arguments: MiniBrowser's own, after the profile's (the audit's --proxy). settings: launch
        settings (corsproof.browsers.LaunchSetting) of which WebKit takes the executable they name
        (the aged lane's fast clock: a wrapper) and their deviation."""
        self.profile = profile
        self.arguments = [*POLICIES[profile], *arguments]
        self.minibrowser = find_minibrowser()
        self.launched = self.minibrowser  # what WebDriver starts: MiniBrowser, or a setting's wrapper of it
        for setting in settings:
            self.launched = setting.launch_options("webkit", {"executable_path": self.launched})["executable_path"]
        # Headed runs use the person's own display; headless ones an Xvfb of their own.
        self._xvfb: subprocess.Popen[bytes] | None = None
        if headless or not os.environ.get("DISPLAY"):
            self._xvfb, self.display = _start_xvfb()
        else:
            self.display = os.environ["DISPLAY"]
        self.driver_note = None
        self._contexts: list[WebKitContext] = []
        try:
            probe = self.new_context()
        except BaseException:
            self.close()
            raise
        version = probe.version
        probe.close()
        from corsproof.browsers import BrowserInfo

        self.info = BrowserInfo(
            name="webkit",
            version=version,
            build="stock",
            executable=self.minibrowser,
            cookie_profile=profile.value,
            deviations=(DEVIATIONS[profile], *(s.deviation for s in settings if hasattr(s, "deviation"))),
        )

    def new_context(self, cookie_places: tuple[str, ...] = (), jar_windows: bool = False, **_: Any) -> WebKitContext:
        """A fresh context. Playwright's context options (ignore_https_errors: always on here) are taken and ignored."""
        context = WebKitContext(self.display, self.launched, self.arguments, cookie_places, jar_windows)
        self._contexts.append(context)
        return context

    def close(self) -> None:
        """Every context still open (a fixture that failed half-way leaves one), then the display."""
        for context in self._contexts:
            context.close()
        self._contexts.clear()
        if self._xvfb is not None:
            _stop(self._xvfb)
            self._xvfb = None
