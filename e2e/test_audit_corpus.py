"""corsproof audit against real CORS middleware: its verdicts equal a ground truth written from the
middleware's own answers (tests/corpus/truth.py, measured here without a browser) and the browsers'
cookie rules.

The apps are the corpus's (tests/corpus/): flask-cors, Starlette's CORSMiddleware, django-cors-headers,
aiohttp-cors and Express with the npm `cors` package. An audit costs ~10 s of browser start-up
whatever it audits, so two audits cover them all, many apps side by side under prefixes of one site
(/flask-exact/me, /django-reflect-any/me ...), each app seeing its own paths (/me) and setting its
own `sid` cookie, scoped to its prefix:
  - "site", the team trusting www only: flask-cors in all six configurations; Django (one
    configuration per process: uvicorn in a subprocess), aiohttp (a loopback thread) and Express in
    four configurations (node, a process each, where node and npm are on the machine: its tests are
    skipped saying so where not), each reached through the audit's reverse proxy, as `corsproof
    audit http://127.0.0.1:PORT` reaches a running app; Starlette reflect-any with SameSite Lax,
    Strict, unset.
  - "starlette", the team trusting www and every subdomain (what the "subdomains" configuration
    means to allow): Starlette in all six configurations.
Each audit runs real Chromium, Firefox and WebKit under the default and third-party-allowed cookie
profiles (WebKit reaches the look-alike names through the audit's loopback proxy).

The ground truth for a read of an app's /me in one lane (browser, profile): the attacker origins the
middleware grants a credentialed read, less the trusted ones and the controls, and of those only the
ones whose request carries the victim's cookie:
  - SameSite=None, third-party cookies allowed: every one.
  - SameSite=None by default (Chromium blocks third-party cookies, Firefox partitions them): only
    same-site ones (see same_site: Chromium's is schemeful, Firefox's and WebKit's, measured, are
    not). WebKit's default sends it to every one: it refuses only cookies set cross-site.
  - SameSite=Lax or Strict, any profile: only same-site ones (not sent on a cross-site fetch).
  - No SameSite: as Lax in Chromium (Lax by default), as None in Firefox ESR 153 and WebKit (not Lax
    by default).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from corsproof.audit.attackers import NULL, Origin, controls, derive, is_trusted, site_of
from corsproof.audit.pytest_plugin import AuditOutcome
from corsproof.audit.target import as_asgi, reverse_proxy
from tests.corpus import (
    CONFIGURATIONS,
    PUBLIC_HOST,
    PUBLIC_ORIGIN,
    TRUSTED_ORIGIN,
    Configuration,
    SameSite,
    aiohttp_app,
    express_app,
    flask_app,
    starlette_app,
)
from tests.corpus.truth import allowed_origins

Audit = Callable[..., AuditOutcome]
Lane = tuple[str, str]
BROWSERS = ("chromium", "firefox", "webkit")
LANES: tuple[Lane, ...] = tuple((b, p) for b in BROWSERS for p in ("default", "third-party-allowed"))
# The team trusts every subdomain: what the "subdomains" configuration's regex allows.
EVERY_SUBDOMAIN = "https://*.shop.example"
SUBDOMAIN_ATTACKERS = {"https://corsproof-evil.shop.example", "https://corsproofevil.shop.example"}
SCHEME_DOWNGRADE = "http://www.shop.example"
EXPRESS: tuple[Configuration, ...] = ("reflect-any", "unanchored-regex", "null-trusted", "exact")
# What the cors package's RegExp.test lets through of UNANCHORED_REGEX beyond the subdomains.
NO_DOT = {"https://evilshop.example", "https://wwwxshop.example"}
NO_END_ANCHOR = {"https://www.shop.example.corsproof-evil.test", "https://www.shop.example-corsproof-evil.test"}
ROOT = Path(__file__).resolve().parent.parent
SERVER_DEADLINE_S = 30.0


@dataclass(frozen=True)
class Mounted:
    """One corpus app in an audited site: under /{prefix}, with its measured ground truth."""

    prefix: str  # "flask-reflect-any": the app's paths are /flask-reflect-any/me ...
    framework: str
    configuration: Configuration
    samesite: SameSite
    app: ASGIApp  # what the site serves under the prefix
    granted: frozenset[str]  # truth.allowed_origins of the app's own /me, measured straight at it

    @property
    def me(self) -> str:
        return f"/{self.prefix}/me"

    @property
    def public(self) -> str:
        return f"/{self.prefix}/public"


@dataclass(frozen=True)
class Audited:
    trusted: tuple[str, ...]
    mounted: dict[str, Mounted]  # by prefix
    publics: tuple[str, ...]  # the public paths audited
    outcome: AuditOutcome


# --- the ground truth ------------------------------------------------------------------------


def same_site(origin: str, browser: str) -> bool:
    """Same-site with https://api.shop.example as the browser decides it for cookies. An opaque origin
    (null) never is; https://www.shop.example:8443 is (a site has no port). Chromium's same-site is
    schemeful, so http://www.shop.example is cross-site. Firefox (153 ESR, measured by this file's
    audits) is schemeless for cookies: it sends the SameSite=None cookie from http://www.shop.example
    under Total Cookie Protection (not a third party: same registrable domain) and the SameSite=Lax
    one in every profile (schemeful SameSite, network.cookie.sameSite.schemeful, is off in release
    builds); so for Firefox the scheme-downgrade origin is same-site. WebKit (WebKitGTK 2.50.6, measured
    by this file's audits) is schemeless too: it sends even the SameSite=Strict cookie from
    http://www.shop.example, in both profiles."""
    if origin == NULL:
        return False
    parsed, app = Origin.parse(origin), Origin.parse(PUBLIC_ORIGIN)
    schemes_ok = parsed.scheme == app.scheme or browser in ("firefox", "webkit")
    return schemes_ok and site_of(parsed.host) == site_of(PUBLIC_HOST)


def candidates(trusted: tuple[str, ...]) -> list[str]:
    """Every origin the audit visits: its attackers and its controls."""
    return [a.origin for a in derive(PUBLIC_ORIGIN, list(trusted)) + controls(PUBLIC_ORIGIN, list(trusted))]


def expected_leaks(audited: Audited, mounted: Mounted, lane: Lane) -> set[str]:
    """The attacker origins that read the victim's /me in this lane, by the ground truth above."""
    control_origins = {c.origin for c in controls(PUBLIC_ORIGIN, list(audited.trusted))}
    attackers = {
        origin
        for origin in mounted.granted
        if origin not in control_origins and not is_trusted(origin, list(audited.trusted))
    }
    browser, profile = lane
    # A cookie without SameSite: Chromium treats it as Lax; Firefox ESR 153 and WebKit as None
    # (neither is Lax by default: the README's findings, and the cookie matrix).
    none_like = mounted.samesite == "None" or (mounted.samesite is None and browser in ("firefox", "webkit"))
    # WebKit's default (MiniBrowser's no-third-party) refuses a cookie set cross-site but sends
    # one set first-party, as the victim's login set it (the suite's WEBKIT_DEFAULT_SENDS).
    sends_cross_site = profile == "third-party-allowed" or lane == ("webkit", "default")
    if none_like and sends_cross_site:
        return attackers  # the cookie goes with every credentialed request
    return {origin for origin in attackers if same_site(origin, browser)}


def audited_leaks(audited: Audited, path: str, lane: Lane) -> set[str]:
    return {
        f.attacker.origin
        for f in audited.outcome.leaks
        if f.probe == "read" and f.path == path and (f.browser, f.profile) == lane
    }


# --- serving the corpus side by side ---------------------------------------------------------


def _scoped(line: str, prefix: str) -> bytes:
    """A Set-Cookie line with Path=/prefix instead of the app's Path=/."""
    scoped, count = re.subn(r";\s*path=[^;]*", f"; Path=/{prefix}", line, flags=re.IGNORECASE)
    assert count == 1, f"expected one Path in {line!r}"
    return scoped.encode("latin-1")


def site(apps: dict[str, ASGIApp]) -> ASGIApp:
    """The apps side by side: /{prefix}/... goes to apps[prefix] as /..., as a path-stripping
    gateway routes. GET /login logs the victim in to every app: each app's own /login answers, and its
    Set-Cookie (SameSite and all) is passed on with its Path narrowed to the app's prefix, since
    every app keeps sessions of its own in the same cookie name."""

    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan: nothing to start
        path: str = scope["path"]
        if path == "/login":
            await log_in_everywhere(scope, receive, send)
            return
        prefix, _, rest = path[1:].partition("/")
        if prefix not in apps:
            await PlainTextResponse("not found", status_code=404)(scope, receive, send)
            return
        cut = len(prefix) + 1
        raw: bytes = scope.get("raw_path") or path.encode()
        await apps[prefix](dict(scope, path="/" + rest, raw_path=raw[cut:]), receive, send)

    async def log_in_everywhere(scope: Scope, receive: Receive, send: Send) -> None:
        lines: list[bytes] = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=route), base_url=PUBLIC_ORIGIN) as client:
            for prefix in apps:
                answer = await client.get(f"/{prefix}/login")
                assert answer.status_code == 200, f"/{prefix}/login answered {answer.status_code}"
                lines += [_scoped(line, prefix) for line in answer.headers.get_list("set-cookie")]
        response = HTMLResponse("<!doctype html><title>logged in</title><p>Logged in to every app.")
        response.raw_headers += [(b"set-cookie", line) for line in lines]
        await response(scope, receive, send)

    return route


def audit_site(cors_audit: Audit, trusted: tuple[str, ...], mounted: list[Mounted], publics: list[str]) -> Audited:
    by_prefix = {m.prefix: m for m in mounted}
    app = site({m.prefix: m.app for m in mounted})
    paths = [m.me for m in mounted] + publics
    outcome = cors_audit(
        app, trusted=list(trusted), as_origin=PUBLIC_ORIGIN, login_url="/login", paths=paths, browsers=BROWSERS
    )
    return Audited(trusted, by_prefix, tuple(publics), outcome)


def mount(
    framework: str,
    configuration: Configuration,
    samesite: SameSite,
    app: ASGIApp,
    measured: Any,
    trusted: tuple[str, ...],
) -> Mounted:
    """measured: what truth.py measures, straight (the app object, or the URL of a running one)."""
    granted = frozenset(allowed_origins(measured, candidates(trusted), "/me"))
    return Mounted(
        f"{framework}-{configuration}" + ("" if samesite == "None" else f"-{(samesite or 'unset').lower()}"),
        framework,
        configuration,
        samesite,
        app,
        granted,
    )


@contextmanager
def django_served(configuration: Configuration, samesite: str) -> Iterator[str]:
    """The Django corpus app under uvicorn in a subprocess (Django's settings are per process) on a
    socket bound here and handed over (--fd), so it is listening before uvicorn starts: the first
    request waits for it, no polling. Yields http://127.0.0.1:PORT; the server is stopped after."""
    env = os.environ | {"CORPUS_CORS": configuration, "CORPUS_SAMESITE": samesite}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # Its log in a file, not a pipe nobody reads while the audit runs (a full pipe would stall it).
    with tempfile.TemporaryFile() as log:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listening:
            listening.bind(("127.0.0.1", 0))
            listening.listen(64)
            url = f"http://127.0.0.1:{listening.getsockname()[1]}"
            fd = listening.fileno()
            server = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "tests.corpus.django_app:app", "--fd", str(fd), "--lifespan", "off"],
                cwd=ROOT,
                env=env,
                pass_fds=(fd,),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        # Only the server holds the socket now: if it dies, a request is refused rather than left waiting.
        try:
            try:
                httpx.get(url + "/public", headers={"host": PUBLIC_HOST}, timeout=SERVER_DEADLINE_S, trust_env=False)
            except httpx.HTTPError as error:
                server.kill()
                server.wait(SERVER_DEADLINE_S)
                log.seek(0)
                said = log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"uvicorn did not serve the Django corpus app: {error}\n{said}") from None
            yield url
        finally:
            if server.poll() is None:
                server.terminate()
                try:
                    server.wait(SERVER_DEADLINE_S)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(SERVER_DEADLINE_S)


# --- the audits (one per module; each ~40 s on a 2-core machine) ------------------------------

SITE_TRUSTS = (TRUSTED_ORIGIN,)
STARLETTE_TRUSTS = (TRUSTED_ORIGIN, EVERY_SUBDOMAIN)


@pytest.fixture(scope="module")
def site_audit(cors_audit: Audit) -> Audited:
    """flask-cors x 6, Django reflect-any, aiohttp null-trusted, Express x 4 (where node is here),
    Starlette reflect-any with a Lax, a Strict and an unset SameSite cookie; the servers run for the
    audit only. (The unset cookie
    found a bug: the proof used to drop and put back each cookie in the browser, and Firefox puts
    a cookie without SameSite back as Lax, so it stopped going cross-site and the audit missed
    leaks. The proof now asks the app directly.)"""
    with ExitStack() as running:
        django = running.enter_context(django_served("reflect-any", "None"))
        aiohttp = running.enter_context(aiohttp_app.serve(aiohttp_app.make_app("null-trusted", "None")))
        mounted = []
        for configuration in CONFIGURATIONS:
            flask = flask_app.make_app(configuration, "None")
            mounted.append(mount("flask", configuration, "None", as_asgi(flask, "flask"), flask, SITE_TRUSTS))
        # Through the reverse proxy, as `corsproof audit http://127.0.0.1:PORT` reaches a running app.
        mounted.append(mount("django", "reflect-any", "None", reverse_proxy(django), django, SITE_TRUSTS))
        mounted.append(mount("aiohttp", "null-trusted", "None", reverse_proxy(aiohttp), aiohttp, SITE_TRUSTS))
        for configuration, url in express_served(running).items():
            mounted.append(mount("express", configuration, "None", reverse_proxy(url), url, SITE_TRUSTS))
        # Reflect-any with each other SameSite of the session cookie: the browsers' cookie rules alone
        # decide who reads.
        for samesite in ("Lax", "Strict", None):
            app = starlette_app.make_app("reflect-any", samesite)
            mounted.append(mount("starlette", "reflect-any", samesite, app, app, SITE_TRUSTS))
        # A public path per framework, each readable by an attacker the middleware lets in.
        publics = [m.public for m in mounted if m.configuration == "reflect-any"] + ["/aiohttp-null-trusted/public"]
        return audit_site(cors_audit, SITE_TRUSTS, mounted, publics)


def express_served(running: ExitStack) -> dict[Configuration, str]:
    """Each Express configuration in node, running until the stack closes, by its URL; none where
    node or npm is missing (the Express tests then skip, saying so)."""
    try:
        express_app.npm_install()
    except express_app.NodeMissing:
        return {}
    return {c: running.enter_context(express_app.serve(c, "None")) for c in EXPRESS}


def with_express(audited: Audited) -> dict[str, Mounted]:
    """The Express apps of the site audit, by configuration; a skip where node is not here."""
    express = {m.configuration: m for m in audited.mounted.values() if m.framework == "express"}
    if not express:
        pytest.skip(express_app.SKIP_REASON)
    return express


@pytest.fixture(scope="module")
def starlette_audit(cors_audit: Audit) -> Audited:
    mounted = []
    for configuration in CONFIGURATIONS:
        app = starlette_app.make_app(configuration, "None")
        mounted.append(mount("starlette", configuration, "None", app, app, STARLETTE_TRUSTS))
    return audit_site(cors_audit, STARLETTE_TRUSTS, mounted, ["/starlette-reflect-any/public"])


AUDITS = ("site_audit", "starlette_audit")
CASES = [("site_audit", f"flask-{c}") for c in CONFIGURATIONS]
CASES += [("site_audit", "django-reflect-any"), ("site_audit", "aiohttp-null-trusted")]
CASES += [("site_audit", "starlette-reflect-any-strict"), ("site_audit", "starlette-reflect-any-unset")]
CASES += [("starlette_audit", f"starlette-{c}") for c in CONFIGURATIONS]
CASES += [("site_audit", f"express-{c}") for c in EXPRESS]
LAX = "starlette-reflect-any-lax"


def _audited(request: pytest.FixtureRequest, name: str) -> Audited:
    audited = request.getfixturevalue(name)
    assert isinstance(audited, Audited)
    return audited


def _mismatches(audited: Audited, mounted: Mounted) -> list[str]:
    """Every lane where the audit's leaks differ from the ground truth, with both sets and the
    audit's reasons for the origins in only one."""
    wrong = []
    for lane in LANES:
        expected, found = expected_leaks(audited, mounted, lane), audited_leaks(audited, mounted.me, lane)
        if expected != found:
            whys = [
                f"      {f.attacker.origin} ({f.attacker.kind}): {f.verdict}: {f.why}"
                for f in audited.outcome.result.findings
                if f.probe == "read"
                and f.path == mounted.me
                and (f.browser, f.profile) == lane
                and f.attacker.origin in expected ^ found
            ]
            wrong.append(
                f"  {mounted.me} in {lane[0]} {lane[1]}:\n"
                f"    ground truth {sorted(expected)}\n    audit        {sorted(found)}\n" + "\n".join(whys)
            )
    return wrong


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("audit", "prefix"), CASES, ids=[p for _, p in CASES])
def test_read_leaks_equal_the_ground_truth(request: pytest.FixtureRequest, audit: str, prefix: str) -> None:
    """In every lane, the audit's leaking origins for /me are exactly those the middleware grants and
    the browser sends the victim's SameSite=None cookie from."""
    audited = _audited(request, audit)
    if prefix.startswith("express-"):
        with_express(audited)
    wrong = _mismatches(audited, audited.mounted[prefix])
    assert not wrong, "the audit and the ground truth disagree:\n" + "\n".join(wrong)


def test_under_lax_only_same_site_origins_leak(site_audit: Audited) -> None:
    """A Lax cookie is not sent on a cross-site fetch, whatever the third-party setting: reflect-any
    grants every origin, and only the same-site ones read the victim's data, in every lane."""
    lax = site_audit.mounted[LAX]
    wrong = _mismatches(site_audit, lax)
    assert not wrong, "the audit and the ground truth disagree:\n" + "\n".join(wrong)
    for lane in LANES:
        leaks = audited_leaks(site_audit, lax.me, lane)
        # any-subdomain, word-subdomain and another port of www are same-site in every browser.
        assert SUBDOMAIN_ATTACKERS | {"https://www.shop.example:8443"} <= leaks, f"{lane}: {leaks}"
        assert all(same_site(o, lane[0]) for o in leaks), f"{lane}: a cross-site origin leaked with Lax: {leaks}"


def test_the_scheme_downgrade_is_cross_site_in_chromium_only(site_audit: Audited) -> None:
    """What same_site says of http://www.shop.example, as the audits measured it on reflect-any: by
    default (SameSite=None) and with Lax or Strict, Chromium withholds the cookie (schemeful
    same-site), Firefox and WebKit send it (schemeless)."""
    strict = "starlette-reflect-any-strict"
    for prefix in ("flask-reflect-any", "django-reflect-any", LAX, strict):
        me = site_audit.mounted[prefix].me
        assert SCHEME_DOWNGRADE not in audited_leaks(site_audit, me, ("chromium", "default")), me
        assert SCHEME_DOWNGRADE in audited_leaks(site_audit, me, ("firefox", "default")), me
        assert SCHEME_DOWNGRADE in audited_leaks(site_audit, me, ("webkit", "default")), me
    for prefix in (LAX, strict):  # and where third-party cookies are allowed, which None would not show
        me = site_audit.mounted[prefix].me
        assert SCHEME_DOWNGRADE not in audited_leaks(site_audit, me, ("chromium", "third-party-allowed")), me
        assert SCHEME_DOWNGRADE in audited_leaks(site_audit, me, ("firefox", "third-party-allowed")), me
        assert SCHEME_DOWNGRADE in audited_leaks(site_audit, me, ("webkit", "third-party-allowed")), me


def test_the_ground_truth_is_not_empty(site_audit: Audited) -> None:
    """The equality above is not vacuous: reflect-any leaks cross-site with third-party cookies, and
    same-site (a subdomain, another port of www) by default."""
    for prefix in ("flask-reflect-any", "django-reflect-any"):
        mounted = site_audit.mounted[prefix]
        for browser in BROWSERS:
            allowed = expected_leaks(site_audit, mounted, (browser, "third-party-allowed"))
            default = expected_leaks(site_audit, mounted, (browser, "default"))
            assert {"https://corsproof-evil.test", NULL} <= allowed, (prefix, browser, allowed)
            assert SUBDOMAIN_ATTACKERS | {"https://www.shop.example:8443"} <= default, (prefix, browser, default)


@pytest.mark.parametrize("audit", AUDITS)
def test_public_is_never_a_leak(request: pytest.FixtureRequest, audit: str) -> None:
    """The proof finds /public answers the same without the cookie, so no read of it is a leak,
    though the middleware lets attackers read it."""
    audited = _audited(request, audit)
    leaks = [
        (f.attacker.origin, f.probe, f.path, f.browser, f.profile)
        for f in audited.outcome.leaks
        if f.path in audited.publics
    ]
    assert not leaks, leaks
    mes = {m.me for m in audited.mounted.values()}
    for lane, proof in audited.outcome.result.proofs.items():
        assert not set(audited.publics) & proof.private, f"{lane}: a public path proven private: {proof.private}"
        assert mes <= proof.private, f"{lane}: not proven private: {mes - proof.private}"
    for public in audited.publics:
        read = {
            (f.browser, f.profile)
            for f in audited.outcome.result.findings
            if f.path == public and f.probe == "read" and f.attacker.kind != "trusted" and f.verdict == "public"
        }
        assert read == set(LANES), f"{public}: an attacker's read judged public only in {read}"


@pytest.mark.parametrize("audit", AUDITS)
def test_every_request_was_observed_and_the_controls_read(request: pytest.FixtureRequest, audit: str) -> None:
    """No verdict is missing, and the trusted origin reads every /me in every lane (same-site, so its
    cookie goes even by default): a clean lane is clean because the middleware refused."""
    audited = _audited(request, audit)
    unobserved = [(f.attacker.origin, f.path, f.browser, f.profile, f.why) for f in audited.outcome.result.unobserved]
    assert not unobserved, unobserved[:5]
    for mounted in audited.mounted.values():
        read = {
            (f.browser, f.profile)
            for f in audited.outcome.result.findings
            if f.path == mounted.me
            and f.probe == "read"
            and f.attacker.origin == TRUSTED_ORIGIN
            and f.verdict == "read"
        }
        assert read == set(LANES), f"{mounted.me}: the trusted origin read only in {read}"


@pytest.mark.parametrize("prefix", ["starlette-exact", "starlette-subdomains", "flask-exact"])
def test_exact_and_subdomains_leak_no_read(request: pytest.FixtureRequest, prefix: str) -> None:
    """Correct configurations, audited with what they mean to trust: no attacker reads /me."""
    audited = _audited(request, "starlette_audit" if prefix.startswith("starlette") else "site_audit")
    me = audited.mounted[prefix].me
    assert {lane: audited_leaks(audited, me, lane) for lane in LANES} == dict.fromkeys(LANES, set())


def test_subdomains_trusted_for_www_alone_leaks_to_subdomains(site_audit: Audited) -> None:
    """flask-cors "subdomains" where the team trusts www alone: every subdomain is granted and a
    subdomain is same-site, so the any-subdomain and word-subdomain attackers read in every lane."""
    me = site_audit.mounted["flask-subdomains"].me
    assert {lane: audited_leaks(site_audit, me, lane) for lane in LANES} == dict.fromkeys(LANES, SUBDOMAIN_ATTACKERS)


@pytest.mark.parametrize("prefix", ["flask-null-trusted", "starlette-null-trusted", "aiohttp-null-trusted"])
def test_null_trusted_leaks_to_null_with_third_party_cookies(request: pytest.FixtureRequest, prefix: str) -> None:
    """Any page can send Origin: null from a sandboxed iframe; it is cross-site, so only where
    third-party cookies are allowed does the victim's cookie go with it: in every browser with them
    allowed, and in WebKit's default too, which withholds no cookie set first-party."""
    audited = _audited(request, "starlette_audit" if prefix.startswith("starlette") else "site_audit")
    me = audited.mounted[prefix].me
    for browser in BROWSERS:
        assert NULL in audited_leaks(audited, me, (browser, "third-party-allowed")), (me, browser)
        leaks_by_default = browser == "webkit"
        assert (NULL in audited_leaks(audited, me, (browser, "default"))) == leaks_by_default, (me, browser)


def test_express_ground_truth_is_not_empty(site_audit: Audited) -> None:
    """What each Express misconfiguration grants, as measured straight at node, shows in the lanes
    where the cookie goes; exact grants no attacker."""
    express = with_express(site_audit)
    for browser in BROWSERS:
        allowed, default = (browser, "third-party-allowed"), (browser, "default")
        reflect = express["reflect-any"]
        assert {"https://corsproof-evil.test", NULL} <= expected_leaks(site_audit, reflect, allowed)
        assert SUBDOMAIN_ATTACKERS | {"https://www.shop.example:8443"} <= expected_leaks(site_audit, reflect, default)
        assert NO_DOT | NO_END_ANCHOR <= expected_leaks(site_audit, express["unanchored-regex"], allowed)
        assert NULL in expected_leaks(site_audit, express["null-trusted"], allowed)
    assert express["exact"].granted == {TRUSTED_ORIGIN}


def test_express_leaks_found_by_the_audit(site_audit: Audited) -> None:
    """The headline leaks, read off the audit itself: the no-end-anchor origins read through the
    cors package's unanchored RegExp, and null through the trusted "null", where third-party cookies
    are allowed (and in WebKit's default, which withholds no cookie set first-party); exact leaks
    nothing anywhere."""
    express = with_express(site_audit)
    for browser in BROWSERS:
        lane = (browser, "third-party-allowed")
        assert NO_END_ANCHOR <= audited_leaks(site_audit, express["unanchored-regex"].me, lane)
        assert NULL in audited_leaks(site_audit, express["null-trusted"].me, lane)
        by_default = NULL in audited_leaks(site_audit, express["null-trusted"].me, (browser, "default"))
        assert by_default == (browser == "webkit"), browser
    exact = express["exact"].me
    assert {lane: audited_leaks(site_audit, exact, lane) for lane in LANES} == dict.fromkeys(LANES, set())
