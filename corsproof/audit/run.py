"""Run an audit: the attacker origins' pages in real browsers, against the app, and what came of it.

For each browser and cookie profile: one browser told where every audit name lives, one context
in which the victim logs in to the app the way the app really sets its cookie, then one page that
visits each attacker origin (and each trusted origin, as the control) and makes the requests an
exploit would. The app's record (corsproof/audit/front.py) is the evidence; a verdict is a leak
only when the page could read a response, or have a write carried out, that carried the
victim's cookies.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin

from playwright.sync_api import BrowserContext, Error, Page, sync_playwright

from corsproof import cors_check
from corsproof.audit import front
from corsproof.audit.attackers import NULL, Attacker, Origin, derive
from corsproof.browsers import DRIVEN, BrowserSession, Engine, find_build
from corsproof.devtools import ChromiumNetworkLog
from corsproof.explain import plain_words
from corsproof.model import Observation
from corsproof.pages import FetchResult
from corsproof.profiles import CookieProfile
from servers.recorder import Exchange

Probe = Literal["read", "preflight", "form"]
PREFLIGHTED: dict[str, Any] = {
    "method": "PUT",
    "credentials": "include",
    "headers": {"Content-Type": "application/json", "X-Corsproof-Audit": "1"},
    "body": '{"corsproof": "audit"}',
}
READ: dict[str, Any] = {"credentials": "include"}
NAVIGATION_TIMEOUT_MS = 15_000


class AuditError(Exception):
    """The audit cannot run as asked (a login that sets no cookie...): the message says why."""


@dataclass(frozen=True)
class Credentials:
    """How the victim is logged in: a URL the browser visits top-level (the app's own Set-Cookie
    decides everything), or a cookie with its attributes stated ("name=value; SameSite=None; Secure")."""

    login_url: str | None = None
    cookie: str | None = None


@dataclass(frozen=True)
class Plan:
    app: Any  # the ASGI app
    app_origin: Origin
    trusted: tuple[str, ...]
    paths: tuple[str, ...] = ("/",)
    form_posts: tuple[str, ...] = ()
    credentials: Credentials = Credentials()
    browsers: tuple[Engine, ...] = DRIVEN
    profiles: tuple[CookieProfile, ...] = (CookieProfile.DEFAULT, CookieProfile.THIRD_PARTY_ALLOWED)
    headless: bool = True
    browser_build: str = "auto"

    @functools.cached_property
    def attackers(self) -> tuple[Attacker, ...]:
        """The attacker origins, derived from the app's origin and the trusted ones."""
        return tuple(derive(str(self.app_origin), list(self.trusted)))

    @property
    def controls(self) -> tuple[Attacker, ...]:
        """Each trusted origin runs the same requests: what the app means to allow, and the Vary check."""
        return tuple(Attacker("trusted", t, t, t, "an origin the app trusts (the control)") for t in self.trusted)


@dataclass(frozen=True)
class Finding:
    """One request an origin's page made in one browser and cookie profile, and what came of it."""

    attacker: Attacker
    probe: Probe
    path: str
    browser: str
    profile: str
    verdict: str
    leak: bool
    why: str
    seen: Observation
    notes: tuple[str, ...] = ()


@dataclass
class Result:
    findings: list[Finding]
    browsers: list[dict[str, Any]]

    @property
    def leaks(self) -> list[Finding]:
        return [f for f in self.findings if f.leak]


def _victim_cookie(text: str, app: Origin) -> dict[str, Any]:
    """A Playwright cookie from "name=value; SameSite=...; Secure; HttpOnly; Path=/; Domain=..."."""
    first, *attributes = [part.strip() for part in text.split(";")]
    name, equals, value = first.partition("=")
    if not equals or not name.strip():
        raise AuditError(f"--cookie {text!r}: start with name=value")
    cookie: dict[str, Any] = {"name": name.strip(), "value": value.strip()}
    # domain and path, not url: Chromium drops a Secure cookie given for an http URL, though it
    # sends one to http://*.localhost (a secure context).
    where: dict[str, Any] = {"domain": app.host, "path": "/"}
    for attribute in filter(None, attributes):
        key, _, val = attribute.partition("=")
        key = key.strip().lower()
        if key == "samesite" and val.strip().capitalize() in ("Strict", "Lax", "None"):
            cookie["sameSite"] = val.strip().capitalize()
        elif key in ("secure", "httponly"):
            cookie["secure" if key == "secure" else "httpOnly"] = True
        elif key == "domain" and val.strip():
            where["domain"] = val.strip()
        elif key == "path" and val.strip():
            where["path"] = val.strip()
        else:
            raise AuditError(
                f"--cookie {text!r}: cannot use attribute {attribute!r} (SameSite, Secure, HttpOnly, Path, Domain)"
            )
    if "sameSite" not in cookie:
        raise AuditError(
            f"--cookie {text!r}: state SameSite=None, Lax or Strict; Chromium and Firefox treat a cookie "
            "without one differently, so the audit will not guess"
        )
    return {**cookie, **where}


def _log_in(context: BrowserContext, plan: Plan) -> frozenset[str]:
    """Log the victim in; the names of the app's cookies the browser then holds."""
    app = str(plan.app_origin)
    given = plan.credentials
    if given.cookie is not None:
        context.add_cookies([_victim_cookie(given.cookie, plan.app_origin)])  # type: ignore[list-item]
    if given.login_url is not None:
        url = urljoin(app + "/", given.login_url)
        page = context.new_page()
        try:
            page.goto(url, timeout=NAVIGATION_TIMEOUT_MS)
        except Error as error:
            raise AuditError(f"the login URL {url} did not load: {str(error).splitlines()[0]}") from None
        finally:
            page.close()
    # Not context.cookies(app): Playwright leaves Secure cookies out for http URLs, though
    # browsers send them to http://*.localhost (a secure context).
    host = plan.app_origin.host
    names = frozenset(
        cookie["name"]
        for cookie in context.cookies()
        if host == cookie["domain"].lstrip(".") or host.endswith("." + cookie["domain"].lstrip("."))
    )
    if (given.login_url or given.cookie) and not names:
        how = f"the login URL {given.login_url}" if given.login_url else f"--cookie {given.cookie!r}"
        raise AuditError(
            f"{how} left the browser no cookie for {app}: check that it logs in (and sets its cookie for "
            "this origin), or give the session cookie with --cookie"
        )
    return names


@dataclass(frozen=True)
class Verdict:
    name: str  # what the table shows
    leak: bool  # the attacker read, or had a write carried out, with the victim's cookies
    why: str


def _notes(seen: Observation) -> tuple[str, ...]:
    """What the app's answer says about its CORS policy whoever asked."""
    for exchange in seen.requests[-1:]:
        allow_origin = exchange.response_header("access-control-allow-origin")
        if allow_origin == "*":
            return ("Allow-Origin: * (any site reads what needs no cookie)",)
        if allow_origin is not None and "origin" not in (exchange.response_header("vary") or "").lower():
            return (
                "reflects the Origin without Vary: Origin (a shared cache may serve one origin's answer to another)",
            )
    return ()


def _verdict(probe: Probe, seen: Observation) -> Verdict:
    """What one request of an attacker's page came to, from the page's view and the app's record."""
    cookies = sorted(seen.cookies_sent())
    carried = f"with the victim's cookies ({', '.join(cookies)})" if cookies else "without the victim's cookies"
    read = seen.page is not None and seen.page.outcome == "read"
    if not seen.requests:
        if probe == "preflight":
            return Verdict("stopped at preflight", False, _why_blocked(seen))
        if probe == "form":
            return Verdict("not sent", False, "the form's request never reached the app")
    if probe == "form":
        status = seen.requests[-1].status
        if cookies and status < 400:
            return Verdict("carried out", True, f"the app answered {status} to a cross-site POST {carried}")
        return Verdict(
            f"refused ({status})" if status >= 400 else "no cookie", False, f"the app answered {status} {carried}"
        )
    if read and cookies:
        what = "read the answer" if probe == "read" else "had its PUT carried out and read the answer"
        return Verdict("LEAK", True, f"the page {what} {carried}")
    if read:
        return Verdict("read, no cookie", False, f"the page read the answer, sent {carried}: the browser withheld them")
    if probe == "preflight" and cookies:
        return Verdict("write, unread", True, f"the PUT reached the app {carried}; the page could not read the answer")
    return Verdict("blocked", False, _why_blocked(seen))


def _why_blocked(seen: Observation) -> str:
    said = f" (Chromium: {seen.reason})" if seen.reason else ""
    return plain_words(seen.derived_reason) + said


def _as_trusted(verdict: Verdict) -> Verdict:
    """A trusted origin's reads are what the app means to allow: no leak."""
    return dataclasses.replace(verdict, name="read" if verdict.name == "LEAK" else verdict.name, leak=False)


def _observe(
    result: FetchResult | None,
    page_origin: str,
    exchanges: list[Exchange],
    victim: frozenset[str],
    chromium_reason: Callable[[], str | None] | None,
) -> Observation:
    """The request as the model records it; chromium_reason: asks Chromium why it blocked (None
    where the browser cannot say: Firefox, or a sandboxed frame, which reports to its own target)."""
    blocked = result is not None and result.outcome == "blocked"
    derived = cors_check.derive(exchanges, credentials=True) if blocked else None
    known = blocked and chromium_reason is not None
    return Observation(
        page_origin=page_origin,
        page=result,
        exchanges=tuple(exchanges),
        watched=victim,
        reason=chromium_reason() if known and chromium_reason is not None else None,
        reason_known=known,
        derived_reason=derived,
        derived=derived is not None,
    )


def _asker(network: ChromiumNetworkLog | None, url: str) -> Callable[[], str | None] | None:
    return None if network is None else lambda: network.wait_for_cors_error(url)


def _tagged(app: str, path: str, tag: str) -> str:
    """The URL of path with ?probe=tag, which finds its exchanges in the record."""
    return f"{app}{path}{'&' if '?' in path else '?'}probe={tag}"


def _visit(
    page: Page,
    network: ChromiumNetworkLog | None,
    attacker: Attacker,
    plan: Plan,
    recorder: Any,
    victim: frozenset[str],
    lane: tuple[str, str],
    ids: Iterator[int],
) -> list[Finding]:
    app = str(plan.app_origin)
    # domcontentloaded: the page's one script runs before it; nothing else on the page matters.
    page.goto(attacker.page + "/", timeout=NAVIGATION_TIMEOUT_MS, wait_until="domcontentloaded")
    planned: list[tuple[Probe, str, str, str]] = []
    fetches: list[tuple[str, dict[str, Any]]] = []
    for path in plan.paths:
        for probe, init in (("read", READ), ("preflight", PREFLIGHTED)):
            tag = f"audit-{lane[0]}-{next(ids)}"
            url = _tagged(app, path, tag)
            planned.append((probe, path, tag, url))  # type: ignore[arg-type]
            fetches.append((url, init))
    script = "(f) => window.audit.fromNull(f)" if attacker.origin == NULL else "(f) => window.audit.probeAll(f)"
    results = [FetchResult(**r) for r in page.evaluate(script, fetches)]
    # A sandboxed frame runs in a process of its own in Chromium, whose reasons reach another target.
    said = network if attacker.origin != NULL else None
    seen: list[tuple[Probe, str, FetchResult | None, list[Exchange], Callable[[], str | None] | None]] = [
        (probe, path, result, recorder.for_probe(tag), _asker(said, url))
        for (probe, path, tag, url), result in zip(planned, results, strict=True)
    ]
    if attacker.origin != NULL:  # a sandboxed frame without allow-forms cannot submit a form
        for index, path in enumerate(plan.form_posts):
            tag = f"audit-{lane[0]}-{next(ids)}"
            if index:  # the last form took the page to the app's answer
                page.goto(attacker.page + "/", timeout=NAVIGATION_TIMEOUT_MS, wait_until="domcontentloaded")
            # commit: the answer has arrived, so the app has recorded the request; the rest of the
            # page it answered with does not matter.
            with page.expect_navigation(timeout=NAVIGATION_TIMEOUT_MS, wait_until="commit"):
                page.evaluate("(a) => window.audit.submit(a)", _tagged(app, path, tag))
            seen.append(("form", path, None, recorder.for_probe(tag), None))
    findings = []
    for probe, path, result, exchanges, ask in seen:
        observation = _observe(result, attacker.origin, exchanges, victim, ask)
        verdict = _verdict(probe, observation)
        if attacker.kind == "trusted":
            verdict = _as_trusted(verdict)
        findings.append(
            Finding(
                attacker, probe, path, *lane, verdict.name, verdict.leak, verdict.why, observation, _notes(observation)
            )
        )
    return findings


def _names(plan: Plan) -> tuple[list[str], dict[str, list[int]]]:
    origins = [plan.app_origin] + [Origin.parse(o) for o in plan.trusted]
    origins += [Origin.parse(a.page) for a in plan.attackers]
    ports: dict[str, list[int]] = {"http": [], "https": []}
    for origin in origins:
        if origin.effective_port not in ports[origin.scheme]:
            ports[origin.scheme].append(origin.effective_port)
    clash = set(ports["http"]) & set(ports["https"])
    if clash:
        raise AuditError(
            f"port {sorted(clash)[0]} is used by both http and https origins; the audit serves one scheme per port"
        )
    return sorted({o.host for o in origins}), ports


def _run_engine(engine: Engine, plan: Plan, served: front.Front) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Every cookie profile of one browser, in a Playwright of this thread's own."""
    findings: list[Finding] = []
    browsers: list[dict[str, Any]] = []
    ids = itertools.count()
    with sync_playwright() as playwright:
        browser_type = getattr(playwright, engine)
        build = find_build(engine, browser_type.executable_path, plan.browser_build)
        for profile in plan.profiles:
            session = BrowserSession(browser_type, build, profile, plan.headless, name_map=served.names)
            try:
                browsers.append(dataclasses.asdict(session.info))
                context = session.new_context(ignore_https_errors=True)
                try:
                    victim = _log_in(context, plan)
                    page = context.new_page()
                    network = ChromiumNetworkLog.attach(page) if engine == "chromium" else None
                    lane = (engine, profile.value)
                    for attacker in plan.controls + plan.attackers:
                        findings += _visit(page, network, attacker, plan, served.recorder, victim, lane, ids)
                finally:
                    context.close()
            finally:
                session.close()
    return findings, browsers


def run(plan: Plan) -> Result:
    """The audit, one browser after the other, each in a thread with a Playwright of its own: the
    sync API is one per thread, so run() works whatever Playwright its caller runs (a pytest
    session with pytest-playwright's). Side by side the two browsers were no faster on this
    project's 2-core machine (28.7 s against 28.3 s for the example's audit)."""
    names, ports = _names(plan)
    with front.serve(plan.app_origin, plan.app, names, ports) as served:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit") as pool:
            results = [pool.submit(_run_engine, engine, plan, served).result() for engine in plan.browsers]
    return Result(
        [finding for findings, _ in results for finding in findings], [info for _, infos in results for info in infos]
    )
