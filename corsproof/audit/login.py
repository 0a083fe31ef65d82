"""The victim logs in the way the app really sets its cookie, so that the app's own Set-Cookie
attributes (SameSite above all) decide what the browsers send later.

Six ways, as real apps and teams log in: a URL visited top-level (--login-url), the app's own
login form filled in and submitted (--login-form), a POST or JSON login sent by a page on the
app's origin (--login-post), Playwright's storage state (--storage-state), a whole Set-Cookie line
answered by the app's origin (--cookie: the browser parses it, as it would the app's), and a
function of the team's own given a page on the app's origin (--login-script). Each fails with an
AuditError that names the cause; a login that leaves the browser no cookie for the app is one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import BrowserContext, Error, Page

from corsproof.audit.attackers import Origin
from corsproof.audit.page import OWN_PAGE, SET_COOKIE_PATH
from corsproof.audit.target import proxy_failure
from corsproof.webkit import WebKitScriptError

NAVIGATION_TIMEOUT_MS = 15_000
Way = Literal["url", "form", "post", "storage-state", "cookie", "script"]
WAYS: dict[Way, str] = {
    "url": "--login-url URL",
    "form": "--login-form URL --field NAME=VALUE ...",
    "post": "--login-post URL --json '{...}' or --data NAME=VALUE ...",
    "storage-state": "--storage-state FILE",
    "cookie": '--cookie "name=value; SameSite=None; Secure" (a Set-Cookie line)',
    "script": "--login-script package.module:function",
}


class AuditError(Exception):
    """The audit cannot run as asked (a login that sets no cookie...): the message says why."""


@dataclass(frozen=True)
class Login:
    """How the victim logs in: one way, and what it needs."""

    way: Way
    target: str  # a URL or path on the app, a file, a Set-Cookie line, or package.module:function
    fields: tuple[tuple[str, str], ...] = ()  # the form's fields, or --data's
    json_body: str | None = None  # --login-post with --json

    def __str__(self) -> str:
        return f"{WAYS[self.way].split()[0]} {self.target!r}"


@dataclass(frozen=True)
class LoggedIn:
    """The cookies the browser holds for the app after the login, as Playwright reports them."""

    cookies: tuple[dict[str, Any], ...] = field(default=())

    @property
    def names(self) -> frozenset[str]:
        return frozenset(c["name"] for c in self.cookies)


def check_set_cookie(line: str) -> None:
    """--cookie: one Set-Cookie line whose SameSite is stated (Chromium and Firefox treat a cookie
    without one differently, so the audit will not guess). Everything else the browser parses."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in line.replace("\t", "")):
        raise AuditError(f"--cookie {line!r}: a Set-Cookie line has no control characters (one line, no newline)")
    try:
        line.encode("latin-1")
    except UnicodeEncodeError:
        raise AuditError(f"--cookie {line!r}: a Set-Cookie line is ASCII (percent-encode the value)") from None
    if line.lower().startswith("set-cookie:"):
        line = line.split(":", 1)[1]
    first = line.split(";", 1)[0]
    name, equals, _ = first.partition("=")
    if not equals or not name.strip():
        raise AuditError(f"--cookie {line.strip()!r}: start with name=value, as a Set-Cookie line does")
    if not re.search(r";\s*samesite\s*=\s*(none|lax|strict)\s*(;|$)", line, re.IGNORECASE):
        raise AuditError(
            f"--cookie {line.strip()!r}: state SameSite=None, Lax or Strict; Chromium and Firefox treat a cookie "
            "without one differently, so the audit will not guess"
        )


def set_cookie_line(login: Login | None) -> str | None:
    """The Set-Cookie line the app's origin answers with for --cookie (None for other ways)."""
    if login is None or login.way != "cookie":
        return None
    line = login.target.strip()
    line = line.split(":", 1)[1].strip() if line.lower().startswith("set-cookie:") else line
    # Without a Path the browser would take the default path of the audit's own answer
    # (/.corsproof-audit): a line without one means the whole site, as for a cookie set by "/".
    if not re.search(r";\s*path\s*=", line, re.IGNORECASE):
        line += "; Path=/"
    return line


def on_app(app: Origin, url: str, option: str) -> str:
    """A path or URL on the app's origin, as an absolute URL; AuditError for another origin."""
    if "://" in url:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != str(app):
            raise AuditError(f"{option} {url!r} must be on the app's origin {app} (or a path)")
        return url
    if not url.startswith("/"):
        raise AuditError(f"{option} {url!r}: give a path starting with / or a URL on {app}")
    return urljoin(str(app) + "/", url)


def _goto(page: Page, url: str, what: str) -> int:
    """Visit url top-level; its final status. AuditError for a page that does not load, or that the
    audit's proxy answered because the app did not."""
    try:
        response = page.goto(url, timeout=NAVIGATION_TIMEOUT_MS)
    except (Error, WebKitScriptError) as error:
        first = str(error).strip().splitlines()[0]
        if "ERR_TOO_MANY_REDIRECTS" in first or "Redirect loop" in first or "redirected too many" in first.lower():
            raise AuditError(
                f"{what} {url} redirects in a loop: an app that redirects to https behind a TLS-terminating proxy "
                "must trust X-Forwarded-Proto, which the audit sends (Django: SECURE_PROXY_SSL_HEADER = "
                "('HTTP_X_FORWARDED_PROTO', 'https'); Werkzeug: ProxyFix; uvicorn: --proxy-headers)"
            ) from None
        raise AuditError(f"{what} {url} did not load: {first}") from None
    if response is None:  # a same-document navigation; in WebKit, always: WebDriver sees no response,
        return 200  # and the login's cookie and the proof after it say whether it worked
    _check_proxy(response.headers)
    return response.status


def _check_proxy(headers: Mapping[str, str]) -> None:
    failure = proxy_failure(headers)
    if failure is not None:
        raise AuditError(f"nothing answers the audit's proxy: {failure}; start the app, or give its loopback URL")


def _refused(status: int, what: str, url: str, hint: str) -> AuditError:
    if status in (404, 405):
        return AuditError(f"{what} {url} answered {status}: {hint}")
    if status == 400:
        return AuditError(
            f"{what} {url} answered 400: if the app checks the Host header, let it accept {urlsplit(url).netloc} "
            "(Django: ALLOWED_HOSTS; Flask: TRUSTED_HOSTS; Starlette: TrustedHostMiddleware)"
        )
    return AuditError(f"{what} {url} answered {status}: it did not log the victim in")


def _by_url(page: Page, login: Login, app: Origin) -> None:
    url = on_app(app, login.target, "--login-url")
    status = _goto(page, url, "the login URL")
    if status >= 400:
        hint = "is it the login URL? A login by POST or JSON is --login-post, a form --login-form"
        raise _refused(status, "the login URL", url, hint)


def _by_form(page: Page, login: Login, app: Origin) -> None:
    url = on_app(app, login.target, "--login-form")
    status = _goto(page, url, "the login form's page")
    if status >= 400:
        raise _refused(status, "the login form's page", url, "give the URL of the page that shows the form")
    if not login.fields:
        raise AuditError("--login-form needs its fields: --field username=alice --field password=...")
    # Through the page's selectors, evaluate and fill only: what WebKit's page (WebDriver) offers too.
    for name, value in login.fields:
        field = f'form [name="{name}"]'
        if page.locator(field).count() == 0:
            found = page.eval_on_selector_all("form [name]", "(all) => all.map((e) => e.name)")
            raise AuditError(
                f"the login form at {url} has no field named {name!r} (its fields: {', '.join(found) or 'none'})"
            )
        page.fill(field, value)  # the first such field
    try:
        with page.expect_navigation(timeout=NAVIGATION_TIMEOUT_MS) as navigation:
            first = f'form [name="{login.fields[0][0]}"]'
            page.evaluate("(field) => document.querySelector(field).form.requestSubmit()", first)
        answer = navigation.value  # None in WebKit: WebDriver sees no response
    except (Error, WebKitScriptError) as error:
        first = str(error).splitlines()[0]
        raise AuditError(f"the login form at {url} was submitted but no answer came: {first}") from None
    if answer is not None:
        _check_proxy(answer.headers)
    if answer is not None and answer.status >= 400:
        raise _refused(answer.status, "the login form's answer from", answer.url, "the form was not accepted")


def _own_page(page: Page, app: Origin) -> None:
    _goto(page, str(app) + OWN_PAGE, "the audit's own page on")


def _by_post(page: Page, login: Login, app: Origin) -> None:
    url = on_app(app, login.target, "--login-post")
    _own_page(page, app)
    init: dict[str, Any] = {"method": "POST"}
    if login.json_body is not None:
        try:
            json.loads(login.json_body)
        except ValueError as error:
            raise AuditError(f"--json {login.json_body!r} is not JSON: {error}") from None
        init |= {"headers": {"Content-Type": "application/json"}, "body": login.json_body}
    else:
        init |= {"body": [list(pair) for pair in login.fields], "form": True}
    try:
        answer = page.evaluate(
            """([url, init]) => window.audit.logIn(url, init.form
                 ? { method: "POST", body: new URLSearchParams(init.body) } : init)""",
            [url, init],
        )
    except Error as error:
        raise AuditError(f"the login POST to {url} failed in the browser: {str(error).splitlines()[0]}") from None
    _check_proxy(answer["headers"])
    if answer["status"] >= 400:
        raise _refused(answer["status"], "the login POST to", url, "is it the login URL, and the method POST?")


def _by_storage_state(context: BrowserContext, login: Login) -> None:
    """Playwright's storage state file (context.storage_state(path=...)): its cookies. Its
    localStorage is not used: a credential a page must read and send itself is not a cookie the
    browser attaches, which is what CORS and cookie policies decide."""
    path = Path(login.target)
    try:
        state = json.loads(path.read_text())
    except OSError as error:
        raise AuditError(f"--storage-state {login.target!r}: cannot read it ({error.strerror})") from None
    except ValueError as error:
        raise AuditError(f"--storage-state {login.target!r} is not JSON: {error}") from None
    cookies = state.get("cookies") if isinstance(state, dict) else None
    if not isinstance(cookies, list) or not all(isinstance(c, dict) for c in cookies):
        raise AuditError(
            f"--storage-state {login.target!r} has no list of cookies: give a file written by Playwright's "
            "context.storage_state(path=...)"
        )
    wanted = ("name", "value", "domain", "path", "expires", "httpOnly", "secure", "sameSite")
    try:
        context.add_cookies([{k: c[k] for k in wanted if k in c} for c in cookies])  # type: ignore[misc]
    except (Error, WebKitScriptError) as error:
        raise AuditError(f"--storage-state {login.target!r}: the browser refused its cookies: {error}") from None


def _by_script(page: Page, login: Login, app: Origin) -> None:
    from uvicorn.importer import ImportFromStringError, import_from_string

    try:
        function: Callable[[Page], object] = import_from_string(login.target)
    except ImportFromStringError as error:
        raise AuditError(f"--login-script {login.target!r}: {' '.join(str(error).split())}") from None
    except Exception as error:  # the team's module failed while importing
        raise AuditError(f"--login-script {login.target!r} failed to import: {type(error).__name__}: {error}") from None
    _own_page(page, app)
    try:
        function(page)
    except Exception as error:  # whatever the team's script raised, said in one line
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise AuditError(f"the login script {login.target} failed: {type(error).__name__}: {first}") from None


def _by_cookie(page: Page, login: Login, app: Origin) -> None:
    _own_page(page, app)
    answer = page.evaluate("(url) => window.audit.logIn(url, {})", str(app) + SET_COOKIE_PATH)
    if answer["status"] != 200:  # the audit's own answer: anything else is the audit's fault
        raise RuntimeError(f"the audit's own cookie answer was {answer['status']}")


def _app_cookies(context: BrowserContext, app: Origin) -> tuple[dict[str, Any], ...]:
    # Not context.cookies(url): Playwright leaves Secure cookies out for http URLs, though
    # browsers send them to http://*.localhost (a secure context).
    def for_app(domain: str) -> bool:
        domain = domain.lstrip(".")
        return app.host == domain or app.host.endswith("." + domain)

    return tuple(dict(c) for c in context.cookies() if for_app(c["domain"]))


def log_in(context: BrowserContext, login: Login, app: Origin) -> LoggedIn:
    """Log the victim in, in a page of its own closed afterwards; what the browser then holds.
    Closed, not navigated on: an app's page may still be moving itself on (a redirect by script
    after its load), and a close ends that where a navigation would race it (as the visits' next
    page does after a form: run._goto_again_if_interrupted)."""
    page = context.new_page()
    try:
        if login.way == "storage-state":
            _by_storage_state(context, login)
        else:
            {"url": _by_url, "form": _by_form, "post": _by_post, "cookie": _by_cookie, "script": _by_script}[login.way](
                page, login, app
            )
    finally:
        page.close()
    held = LoggedIn(_app_cookies(context, app))
    if not held.cookies:
        if login.way == "cookie":
            why = (
                "the browser refused the Set-Cookie line: check its Domain (the app's host or a parent of it) and, "
                "for a Secure cookie, that the app's origin is https"
            )
        else:
            why = "check that it logs in and sets its cookie for this origin, or give the cookie with --cookie"
        raise AuditError(f"{login} left the browser no cookie for {app}: {why}")
    return held
