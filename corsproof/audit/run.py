"""Run an audit: the attacker origins' pages in real browsers, against the app, and what came of it.

For each browser and cookie profile: one browser that reaches every audit name (a kept one, led by
the audit's proxy, or one launched with the names mapped: browser_pool.py), one context in which
the victim logs in to the app the way the app really sets its cookie (login.py), then one page in
which the proof is made that the audit can see what it looks for (proof.py) and each attacker
origin (and each trusted origin, as the control) is visited and makes the requests an exploit
would. The app's record (corsproof/audit/front.py) is the evidence; a verdict is a leak only
when the page read a 2xx answer of a private path, or had a write answered 2xx/3xx, that carried
the victim's credential. A request the audit could not observe is said so, never counted as safe.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from playwright.sync_api import Error, Page

from corsproof import cors_check
from corsproof.audit import browser_pool, front
from corsproof.audit.attackers import (
    NULL,
    PUBLIC_KINDS,
    PUBLIC_WEBSITE,
    Attacker,
    Origin,
    controls,
    derive,
    is_local,
    public_websites,
)
from corsproof.audit.browser_pool import BrowserPool
from corsproof.audit.login import NAVIGATION_TIMEOUT_MS, WAYS, AuditError, Login, Way, log_in, set_cookie_line
from corsproof.audit.page import OWN_PAGE
from corsproof.audit.proof import Proof, prove
from corsproof.browsers import DRIVEN, AnyEngine, BrowserSession, BrowserUnavailable, Engine, find_build
from corsproof.devtools import ChromiumNetworkLog
from corsproof.explain import plain_words
from corsproof.lna import LNA_CHECK, PERMISSION, AddressSpaces
from corsproof.model import Observation
from corsproof.pages import FetchResult
from corsproof.profiles import CookieProfile
from corsproof.serving.recorder import Exchange
from corsproof.webkit import WebKitScriptError, WebKitSession, WebKitUnavailable

Probe = Literal["read", "preflight", "form"]
PREFLIGHTED: dict[str, Any] = {
    "method": "PUT",
    "credentials": "include",
    "headers": {"Content-Type": "application/json", "X-Corsproof-Audit": "1"},
    "body": '{"corsproof": "audit"}',
}
READ: dict[str, Any] = {"credentials": "include"}
# The logins a WebDriver page can make: a navigation, a form filled in, a script in the app's own
# page, a storage state's cookies added. A login script is Playwright's: it is given a Playwright Page.
WEBKIT_WAYS: tuple[Way, ...] = ("url", "form", "post", "storage-state", "cookie")
__all__ = ["AuditError", "Finding", "Login", "Plan", "Result", "run"]


@dataclass(frozen=True)
class Plan:
    app: Any  # the ASGI app
    app_origin: Origin
    trusted: tuple[str, ...]
    paths: tuple[str, ...] = ("/",)
    form_posts: tuple[str, ...] = ()
    login: Login | None = None
    session_cookie: str | None = None  # the credential's name, where the audit should not measure it
    browsers: tuple[AnyEngine, ...] = DRIVEN
    profiles: tuple[CookieProfile, ...] = (CookieProfile.DEFAULT, CookieProfile.THIRD_PARTY_ALLOWED)
    headless: bool = True
    browser_build: str = "auto"

    @functools.cached_property
    def attackers(self) -> tuple[Attacker, ...]:
        """The attacker origins, derived from the app's origin and the trusted ones."""
        return tuple(derive(str(self.app_origin), list(self.trusted)))

    @functools.cached_property
    def public(self) -> tuple[Attacker, ...]:
        """For an app on the person's own machine or network: a public website, without and with
        the local-network permission (corsproof/lna.py); none for an app on the web."""
        return tuple(public_websites(str(self.app_origin)))

    @property
    def controls(self) -> tuple[Attacker, ...]:
        """Each trusted origin runs the same requests: what the app means to allow, and the Vary check."""
        return tuple(controls(str(self.app_origin), list(self.trusted)))


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
    observed: bool = True  # False: the page or the browser failed; no verdict is possible


@dataclass
class Result:
    findings: list[Finding]
    browsers: list[dict[str, Any]]
    proofs: dict[tuple[str, str], Proof]  # by (browser, profile)

    @property
    def leaks(self) -> list[Finding]:
        return [f for f in self.findings if f.leak]

    @property
    def unobserved(self) -> list[Finding]:
        return [f for f in self.findings if not f.observed]

    @property
    def notes(self) -> list[str]:
        return list(dict.fromkeys(note for proof in self.proofs.values() for note in proof.notes))


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


def _verdict(probe: Probe, path: str, seen: Observation, proof: Proof) -> Verdict:
    """What one request of an attacker's page came to, from the page's view, the app's record and
    the proof: only a 2xx read of a private path, or a write answered 2xx/3xx, with the victim's
    credential is a leak. An answer of 400 or more is a refusal, whatever the page could read."""
    cookies = seen.cookies_sent()
    credential = proof.credential.carried_by(cookies)
    if credential:
        carried = f"with the victim's credential ({proof.credential})"
    elif cookies:
        carried = f"with cookies of the victim's ({', '.join(sorted(cookies))}) but not the credential"
    else:
        carried = "without the victim's cookies"
    if not seen.requests:
        if probe == "preflight":
            return Verdict("stopped at preflight", False, _why_blocked(seen))
        if probe == "form":
            return Verdict("not sent", False, "the form's request never reached the app")
        return Verdict("blocked", False, _why_blocked(seen))
    status = seen.requests[-1].status
    read = seen.page is not None and seen.page.outcome == "read"
    if probe == "form":
        if credential and status < 400:
            return Verdict("carried out", True, f"the app answered {status} to a cross-site POST {carried}")
        return Verdict(
            f"refused ({status})" if status >= 400 else "no credential", False, f"the app answered {status} {carried}"
        )
    if status >= 400 and read and not credential:  # the origin check let the page read; the cookie stayed home
        return Verdict(f"no cookie ({status})", False, f"the page read the app's refusal ({status}), sent {carried}")
    if status >= 400 and (read or credential):
        return Verdict(f"refused ({status})", False, f"the app answered {status} {carried}")
    if probe == "read" and path not in proof.private:
        return Verdict("public", False, f"{path} answers the same without the victim's cookies: anyone may read it")
    if credential:
        if read:
            what = "read the answer" if probe == "read" else "had its PUT carried out and read the answer"
            return Verdict("LEAK", True, f"the page {what} ({status}) {carried}")
        if probe == "preflight":
            return Verdict(
                "write, unread", True, f"the app answered {status} to the PUT {carried}; the page could not read it"
            )
    if read and status < 400:
        return Verdict("read, no cookie", False, f"the page read the answer, sent {carried}: the browser withheld them")
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
    public_to_local: bool = False,
) -> Observation:
    """The request as the model records it; chromium_reason: asks Chromium why it blocked (None
    where the browser cannot say: Firefox, or a sandboxed frame, which reports to its own target);
    public_to_local: a public page asked the local app, so a request the app never saw was stopped
    by the browser's Local Network Access check, not by CORS."""
    blocked = result is not None and result.outcome == "blocked"
    derived = cors_check.derive(exchanges, credentials=True) if blocked else None
    if blocked and public_to_local and not exchanges:
        derived = LNA_CHECK
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


@dataclass(frozen=True)
class Lane:
    """One browser and cookie profile of a run: where its pages stand and what they judge by."""

    browser: str
    profile: str
    victim: frozenset[str]  # every cookie the browser holds for the app after the login
    proof: Proof
    ids: Iterator[int]
    # Whether the browser checks a public page's requests to a local address (WebKitGTK ships
    # Local Network Access off: there, what stops such a request is CORS alone).
    local_network_access: bool = True

    def tag(self) -> str:
        return f"audit-{self.browser}-{next(self.ids)}"

    def finding(
        self, attacker: Attacker, probe: Probe, path: str, verdict: Verdict, seen: Observation, observed: bool = True
    ) -> Finding:
        return Finding(
            attacker,
            probe,
            path,
            self.browser,
            self.profile,
            verdict.name,
            verdict.leak,
            verdict.why,
            seen,
            _notes(seen),
            observed,
        )


def _visit(
    page: Page,
    network: ChromiumNetworkLog | None,
    attacker: Attacker,
    plan: Plan,
    recorder: Any,
    lane: Lane,
) -> list[Finding]:
    """Every request of one origin's page: the reads and PUTs at once, then each form POST."""
    app = str(plan.app_origin)
    # domcontentloaded: the page's one script runs before it; nothing else on the page matters.
    _goto_again_if_interrupted(page, attacker.page + "/")
    planned: list[tuple[Probe, str, str, str]] = []
    for path in plan.paths:
        for probe in ("read", "preflight"):
            tag = lane.tag()
            planned.append((probe, path, tag, _tagged(app, path, tag)))
    fetches = [(url, READ if probe == "read" else PREFLIGHTED) for probe, _, _, url in planned]
    script = "(f) => window.audit.fromNull(f)" if attacker.origin == NULL else "(f) => window.audit.probeAll(f)"
    results = [FetchResult(**r) for r in page.evaluate(script, fetches)]
    # A sandboxed frame runs in a process of its own in Chromium, whose reasons reach another target.
    said = network if attacker.origin != NULL else None
    seen: list[tuple[Probe, str, FetchResult | None, list[Exchange], Callable[[], str | None] | None]] = [
        (probe, path, result, recorder.for_probe(tag), _asker(said, url))
        for (probe, path, tag, url), result in zip(planned, results, strict=True)
    ]
    for index, path in enumerate(plan.form_posts):
        tag = lane.tag()
        if index and attacker.origin != NULL:  # the last form took the page to the app's answer
            _goto_again_if_interrupted(page, attacker.page + "/")
        _submit(page, attacker, _tagged(app, path, tag), recorder, tag)
        seen.append(("form", path, None, recorder.for_probe(tag), None))
    findings = []
    for probe, path, result, exchanges, ask in seen:
        public_to_local = attacker.kind in PUBLIC_KINDS and lane.local_network_access
        observation = _observe(result, attacker.origin, exchanges, lane.victim, ask, public_to_local)
        verdict = _verdict(probe, path, observation, lane.proof)
        if attacker.kind == "trusted":
            verdict = _as_trusted(verdict)
        findings.append(lane.finding(attacker, probe, path, verdict, observation))
    return findings


def _submit(page: Page, attacker: Attacker, action: str, recorder: Any, tag: str) -> None:
    """A form POST from the attacker's page (from a sandboxed frame allowed to submit forms, for
    the null origin). Done when the app's answer arrives: the recorder has it then."""
    if attacker.origin == NULL:
        # The sandboxed frame navigates, not the page: the app's record of its answer is the sign
        # (in every browser: WebKit's page, over WebDriver, sees no responses).
        page.evaluate("(a) => window.audit.submitFromNull(a)", action)
        if not recorder.wait_for_probe(tag, NAVIGATION_TIMEOUT_MS / 1000):
            raise TimeoutError(f"the null origin's form POST reached no server within {NAVIGATION_TIMEOUT_MS} ms")
    else:  # committed: the answer arrived, and no later navigation of this page can race it
        with page.expect_navigation(url=action, timeout=NAVIGATION_TIMEOUT_MS, wait_until="commit"):
            page.evaluate("(a) => window.audit.submit(a)", action)


def _goto_again_if_interrupted(page: Page, url: str) -> None:
    """The app's answer to the last form may still be moving the page on (a redirect by script):
    that navigation interrupts this one once, so this one is made again once."""
    try:
        page.goto(url, timeout=NAVIGATION_TIMEOUT_MS, wait_until="domcontentloaded")
    except Error as error:
        if "interrupted by another navigation" not in str(error):
            raise
        page.goto(url, timeout=NAVIGATION_TIMEOUT_MS, wait_until="domcontentloaded")


def _unobserved(attacker: Attacker, plan: Plan, lane: Lane, error: Exception) -> list[Finding]:
    """Every request of an origin whose page failed: not observed, so no verdict, never "no leak"."""
    why = f"the browser failed: {str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__}"
    probes: list[tuple[Probe, str]] = [(probe, path) for path in plan.paths for probe in ("read", "preflight")]
    probes += [("form", path) for path in plan.form_posts]
    not_observed = Verdict("not observed", False, why)
    return [
        lane.finding(attacker, probe, path, not_observed, Observation(page_origin=attacker.origin), observed=False)
        for probe, path in probes
    ]


def _names(plan: Plan) -> tuple[list[str], dict[str, list[int]]]:
    # A trusted pattern (https://*.shop.example) has no host to serve: its control's page stands for it.
    origins = [plan.app_origin] + [Origin.parse(a.page) for a in plan.controls + plan.attackers]
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


# A browser's context for one cookie profile, and the browser's record (name, version, build).
Opened = contextlib.AbstractContextManager[tuple[Any, dict[str, Any]]]


def _playwright_lanes(
    engine: Engine, plan: Plan, served: front.Front, pool: BrowserPool
) -> Callable[[CookieProfile], Opened]:
    """Chromium or Firefox: the pool's kept browser, each lane a context led to the names by the
    audit's proxy; or, where a proxy would change what the browser does (_launched_with_names), a
    browser of the audit's own, launched with its names mapped."""
    own_launch = _launched_with_names(plan)
    # Not granted, Firefox refuses outright: its prompt, nobody answering it, can hold the
    # public page's many fetches past its timeout (seen hanging an audit); the outcome is the
    # same, never sent (e2e/test_local_network.py: no-decision and denied alike).
    deny = engine == "firefox"
    spaces = (AddressSpaces(served.public_port, deny=deny),) if served.public_port is not None else ()

    @contextlib.contextmanager
    def launched(profile: CookieProfile) -> Iterator[tuple[Any, dict[str, Any]]]:
        browser_type = getattr(pool.playwright(), engine)
        build = find_build(engine, browser_type.executable_path, plan.browser_build)
        session = BrowserSession(browser_type, build, profile, plan.headless, name_map=served.names, settings=spaces)
        try:
            context = session.new_context(ignore_https_errors=True)
            try:
                yield context, dataclasses.asdict(session.info)
            finally:
                context.close()
        finally:
            session.close()

    @contextlib.contextmanager
    def shared(profile: CookieProfile) -> Iterator[tuple[Any, dict[str, Any]]]:
        session = pool.browser(engine, plan.browser_build, profile, plan.headless)
        proxy = {"server": f"http://127.0.0.1:{served.proxy_port}"}
        context = session.new_context(ignore_https_errors=True, proxy=proxy)
        try:
            yield context, dataclasses.asdict(session.info)
        finally:
            with contextlib.suppress(Error):  # a crashed browser: its error, not the close's, is the news
                session.close_context(context)

    return launched if own_launch else shared


def _launched_with_names(plan: Plan) -> bool:
    """Whether the audit's Chromium and Firefox must be its own, launched with its names mapped,
    rather than the pool's led by a proxy: where an origin is on the person's own machine or
    network (a local app, whose public website's port is set at launch, or a trusted localhost).
    A proxy changes what a browser makes of such names: Firefox sends loopback to a proxy only
    when told to hijack it, and then no longer counts http://localhost a secure context; Chromium
    proxies it only because Playwright adds <-loopback> to a context's proxy. Names mapped at
    launch leave each browser's own handling of them as it is."""
    pages = [str(plan.app_origin), *(attacker.page for attacker in plan.controls + plan.attackers)]
    return bool(plan.public) or any(is_local(page) for page in pages)


def _webkit_lanes(plan: Plan, served: front.Front) -> Callable[[CookieProfile], Opened]:
    """WebKit through WebDriver (corsproof/webkit.py), led to every name by the front's proxy."""

    @contextlib.contextmanager
    def lane(profile: CookieProfile) -> Iterator[tuple[Any, dict[str, Any]]]:
        try:
            session = WebKitSession(profile, plan.headless, (f"--proxy=http://127.0.0.1:{served.proxy_port}",))
        except WebKitUnavailable as error:
            raise BrowserUnavailable(str(error)) from None
        # WebDriver reads the cookies of the document it is at, its path included: the app's own
        # audit page and each path audited (a cookie scoped to /api is seen from /api/me only).
        app = str(plan.app_origin)
        places = tuple(dict.fromkeys([app + OWN_PAGE, *(app + path for path in plan.paths)]))
        try:
            yield session.new_context(cookie_places=places), dataclasses.asdict(session.info)
        finally:
            session.close()  # and its context

    return lane


# What one browser's lanes found: the findings, the browsers' records, the proofs by (browser, profile).
EngineResult = tuple[list[Finding], list[dict[str, Any]], dict[tuple[str, str], Proof]]


def _run_engines(plan: Plan, served: front.Front, pool: BrowserPool) -> list[EngineResult]:
    """Every browser of the plan, one after the other, on the pool's thread."""
    return [_run_engine(engine, plan, served, pool) for engine in plan.browsers]


def _run_engine(engine: AnyEngine, plan: Plan, served: front.Front, pool: BrowserPool) -> EngineResult:
    """Every cookie profile of one browser."""
    findings: list[Finding] = []
    browsers: list[dict[str, Any]] = []
    proofs: dict[tuple[str, str], Proof] = {}
    ids = itertools.count()
    app = str(plan.app_origin)
    assert plan.login is not None  # checked by run()
    if engine == "webkit":
        open_lane = _webkit_lanes(plan, served)
    else:
        open_lane = _playwright_lanes(engine, plan, served, pool)
    for profile in plan.profiles:
        with open_lane(profile) as (context, info):
            browsers.append(info)
            held = log_in(context, plan.login, plan.app_origin)
            # One page for the proof (the audit's own page on the app) and every origin's visit: a
            # new page costs ~0.13 s in Chromium and ~0.26 s in stock Firefox, a navigation ~0.03
            # and ~0.06 s. WebKit's context has one page whatever is asked.
            page = context.new_page()

            def url_of(path: str) -> str:
                return _tagged(app, path, f"audit-{engine}-{next(ids)}")

            try:
                proof = prove(
                    page,
                    plan.app_origin,
                    served.recorder,
                    held,
                    plan.paths,
                    url_of,
                    served.ask,
                    plan.session_cookie,
                )
            except AuditError as error:
                raise AuditError(f"{engine} {profile.value}: {error}") from None
            proofs[(engine, profile.value)] = proof
            lane = Lane(engine, profile.value, held.names, proof, ids, local_network_access=engine != "webkit")
            network = ChromiumNetworkLog.attach(page) if engine == "chromium" else None
            for attacker in plan.controls + plan.attackers + plan.public:
                pool.check_interrupted()
                if attacker.kind == "public-website-granted":
                    if not lane.local_network_access:
                        continue  # no permission to grant: the public website's one visit says it all
                    context.grant_permissions([PERMISSION], origin=attacker.origin)
                try:
                    findings += _visit(page, network, attacker, plan, served.recorder, lane)
                except (Error, WebKitScriptError, TimeoutError) as error:
                    findings += _unobserved(attacker, plan, lane, error)
    return findings, browsers, proofs


def run(plan: Plan) -> Result:
    """The audit, one browser after the other, on a browser pool's thread (browser_pool.py: the
    one kept() holds, else one for this audit alone), whose Playwright is its own: the sync API is
    one per thread, so run() works whatever Playwright its caller runs (a pytest session with
    pytest-playwright's). Side by side the two browsers were no faster on this project's 2-core
    machine (28.7 s against 28.3 s for the example's audit)."""
    if plan.login is None:
        raise AuditError(
            "no way to log the victim in: without the victim's credential an audit can prove nothing. Give one of "
            + "; ".join(WAYS.values())
        )
    if "webkit" in plan.browsers and plan.login.way not in WEBKIT_WAYS:
        raise AuditError(
            f"{WAYS[plan.login.way].split()[0]} cannot log the victim in in WebKit, which corsproof drives through "
            f"WebDriver, not Playwright; log in there with {' or '.join(WAYS[w].split()[0] for w in WEBKIT_WAYS)}, "
            "or audit with --browser chromium --browser firefox"
        )
    names, ports = _names(plan)
    public = Origin.parse(PUBLIC_WEBSITE) if plan.public else None
    with front.serve(plan.app_origin, plan.app, names, ports, set_cookie_line(plan.login), public) as served:
        with browser_pool.borrowed() as pool:
            results = pool.call(_run_engines, plan, served, pool)
    return Result(
        [finding for findings, _, _ in results for finding in findings],
        [info for _, infos, _ in results for info in infos],
        {lane: proof for _, _, proofs in results for lane, proof in proofs.items()},
    )
