"""`corsproof audit TARGET --trusted ORIGIN ...`: can another site read your users' data?

TARGET is an ASGI app (package.module:app), served on loopback under the origin --as names, or
the URL of an app already running on this machine (loopback only: an audit never sends traffic
off the machine), reached under that origin through a recording proxy.

Exit status: 0 no leak, proven (the victim's credential reached every private path from the
app's own page in every browser and profile, and every attacker request was observed); 1 leaks;
2 the audit cannot run as asked, or could not observe what it needed (one line says why); 3 an
internal error (one line, and where the traceback is).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import textwrap
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from corsproof import __version__, report
from corsproof.audit.attackers import NotAnOrigin, Origin, parse_trusted
from corsproof.audit.login import Login, check_set_cookie, on_app
from corsproof.audit.openapi import OpenApiError, OpenApiPaths, load_openapi, paths_from_openapi
from corsproof.audit.results import to_junit, to_sarif, write_junit, write_sarif
from corsproof.audit.run import AuditError, Finding, Plan, Result, run
from corsproof.audit.target import UsageError, load_target
from corsproof.audit.terminal import fold, leak_lines
from corsproof.browsers import BUILD_ENV, DRIVEN, ENGINES, BrowserUnavailable
from corsproof.model import Expect
from corsproof.profiles import CookieProfile
from corsproof.report import html as report_html

DEFAULT_AS = "https://api.example.com"
DEFAULT_PROFILES = (CookieProfile.DEFAULT, CookieProfile.THIRD_PARTY_ALLOWED)
WIDTH = 100  # the terminal's columns: the folded table and every summary line fit in them
EXIT_CLEAN, EXIT_LEAKS, EXIT_CANNOT_AUDIT, EXIT_INTERNAL = 0, 1, 2, 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", help="package.module:app, or http://127.0.0.1:PORT of an app already running here")
    parser.add_argument(
        "--trusted", action="append", required=True, metavar="ORIGIN", help="an origin the app means to trust (repeat)"
    )
    parser.add_argument(
        "--as",
        dest="as_origin",
        default=DEFAULT_AS,
        metavar="ORIGIN",
        help=f"the app's public origin (default {DEFAULT_AS})",
    )
    parser.add_argument(
        "--path",
        action="append",
        metavar="PATH",
        help="a path to read with the victim's cookies, and to PUT to (default /)",
    )
    parser.add_argument(
        "--form-post", action="append", default=[], metavar="PATH", help="a path a cross-site form may POST to (CSRF)"
    )
    parser.add_argument(
        "--openapi",
        metavar="FILE|PATH|URL",
        help="read every GET path of the app's OpenAPI document (a JSON file, or a path such as /openapi.json)",
    )
    parser.add_argument(
        "--openapi-writes", action="store_true", help="also POST to the document's POST paths (they change state)"
    )
    login = parser.add_argument_group("how the victim logs in (one of these)")
    login.add_argument(
        "--login-url", metavar="URL", help="a URL (or path) on the app that logs the browser in when visited"
    )
    login.add_argument(
        "--login-form", metavar="URL", help="the app's login page: its form is filled with --field and submitted"
    )
    login.add_argument(
        "--login-post", metavar="URL", help="a login the app's own page POSTs to (with --json or --data)"
    )
    login.add_argument(
        "--storage-state", metavar="FILE", help="cookies from Playwright's context.storage_state(path=FILE)"
    )
    login.add_argument(
        "--cookie",
        metavar="SET-COOKIE",
        help='the session cookie as a whole Set-Cookie line, SameSite stated: "sid=...; Path=/; SameSite=None; Secure"',
    )
    login.add_argument(
        "--login-script", metavar="MODULE:FUNCTION", help="a function given a Playwright page on the app's origin"
    )
    login.add_argument(
        "--field", action="append", default=[], metavar="NAME=VALUE", help="a login form field (or --data field)"
    )
    login.add_argument("--data", action="append", default=[], metavar="NAME=VALUE", help="a --login-post form field")
    login.add_argument("--json", metavar="JSON", help="a --login-post JSON body")
    login.add_argument(
        "--session-cookie",
        metavar="NAME",
        help="the cookie that is the credential (default: measured, by dropping each cookie the login set)",
    )
    parser.add_argument(
        "--browser",
        action="append",
        choices=ENGINES,
        help="chromium, firefox (the default: both) or webkit (Debian's WebKitGTK: pip install 'corsproof[webkit]')",
    )
    parser.add_argument(
        "--cookie-profile",
        action="append",
        choices=[p.value for p in CookieProfile],
        help="default: default and third-party-allowed",
    )
    parser.add_argument(
        "--browser-build",
        default=os.environ.get(BUILD_ENV) or "auto",
        help=f"auto (Playwright's build if downloaded, else the system's), playwright or system; default {BUILD_ENV} "
        "or auto",
    )
    parser.add_argument("--headed", action="store_true")
    parser.add_argument(
        "--sarif", type=Path, metavar="FILE", help="also write the leaks as SARIF 2.1.0 (GitHub code scanning)"
    )
    parser.add_argument(
        "--junit", type=Path, metavar="FILE", help="also write one test case per attacker class and request (JUnit)"
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=Path("corsproof-audit"),
        metavar="DIR",
        help="where report.json and report.html go",
    )


def plan_from(options: argparse.Namespace) -> tuple[Plan, list[str]]:
    """The audit the command line asks for, and notes on how its paths were chosen."""
    try:
        app_origin = Origin.parse(options.as_origin)
        trusted = tuple(str(parse_trusted(origin)) for origin in options.trusted)
    except NotAnOrigin as error:
        raise UsageError(str(error)) from None
    login = login_from(options, app_origin)
    app = load_target(options.target)
    reads: list[str] = list(options.path or [])
    posts: list[str] = list(options.form_post)
    notes: list[str] = []
    if options.openapi is not None:
        found = _openapi(options.openapi, app, app_origin)
        reads += found.reads
        notes += found.notes
        if options.openapi_writes:
            posts += [path for method, path in found.writes if method == "POST"]
            others = sorted({f"{method} {path}" for method, path in found.writes if method != "POST"})
            if others:
                notes.append(f"{len(others)} writes other than POST are not sent (the audit's write is a PUT)")
        elif found.writes:
            notes.append(f"{len(found.writes)} write operations not tried: add --openapi-writes to POST to them")
    for path in reads + posts:
        if not path.startswith("/"):
            raise UsageError(f"path {path!r} must start with /")
    plan = Plan(
        app=app,
        app_origin=app_origin,
        trusted=trusted,
        paths=tuple(dict.fromkeys(reads or ["/"])),
        form_posts=tuple(dict.fromkeys(posts)),
        login=login,
        session_cookie=options.session_cookie,
        browsers=tuple(options.browser or DRIVEN),
        profiles=tuple(CookieProfile(p) for p in options.cookie_profile)
        if options.cookie_profile
        else DEFAULT_PROFILES,
        headless=not options.headed,
        browser_build=options.browser_build,
    )
    return plan, notes


def _openapi(source: str, app: Any, app_origin: Origin) -> OpenApiPaths:
    """The paths of the app's OpenAPI document: a file, or a path or URL on the app, asked of the
    app itself (in-process, not through a browser: the document is not under test)."""

    def fetch(url: str) -> bytes:
        from starlette.testclient import TestClient

        with TestClient(app, base_url=str(app_origin), raise_server_exceptions=False) as client:
            answer = client.get(urlsplit(url).path or "/")
        if answer.status_code != 200:
            raise OpenApiError(f"--openapi {url}: the app answered {answer.status_code}")
        return bytes(answer.content)

    if source.startswith("/"):
        source = str(app_origin) + source
    elif "://" in source and not source.startswith(str(app_origin) + "/"):
        raise UsageError(f"--openapi {source!r}: give a file, a path, or a URL on the app's origin {app_origin}")
    try:
        return paths_from_openapi(load_openapi(source, fetch), origin=str(app_origin))
    except OpenApiError as error:
        raise UsageError(str(error)) from None


def _pairs(values: list[str], option: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        name, equals, given = value.partition("=")
        if not equals or not name:
            raise UsageError(f"{option} {value!r}: write NAME=VALUE")
        pairs.append((name, given))
    return tuple(pairs)


def login_from(options: argparse.Namespace, app_origin: Origin) -> Login | None:
    """The one way the victim logs in; UsageError for none that fits, or more than one."""
    given = {
        "url": options.login_url,
        "form": options.login_form,
        "post": options.login_post,
        "storage-state": options.storage_state,
        "cookie": options.cookie,
        "script": options.login_script,
    }
    chosen = [(way, value) for way, value in given.items() if value is not None]
    if len(chosen) > 1:
        raise UsageError(f"log the victim in one way, not {len(chosen)}: {', '.join(w for w, _ in chosen)}")
    if options.json is not None and options.data:
        raise UsageError("--login-post takes --json or --data, not both")
    if not chosen:
        return None
    way, value = chosen[0]
    if way in ("url", "form", "post"):
        on_app(app_origin, value, f"--login-{way}")
    if way == "cookie":
        check_set_cookie(value)
    fields = _pairs(options.field, "--field") if way == "form" else _pairs(options.data, "--data")
    return Login(way, value, fields, options.json if way == "post" else None)  # type: ignore[arg-type]


def _groups(result: Result) -> list[tuple[str, list[Finding]]]:
    """The findings as the report shows them: one group per origin, request, browser, profile and
    verdict, the paths that share it in it (40 paths x 21 origins would otherwise be ~7,000 cells,
    a 6 MB page); every leak and every unobserved request a group of its own. With its scenario name."""
    groups: dict[tuple[object, ...], list[Finding]] = {}
    for f in result.findings:
        alone = f.path if f.leak or not f.observed else None
        key = (f.attacker.kind, f.attacker.origin, f.probe, f.browser, f.profile, f.verdict, f.why, alone)
        groups.setdefault(key, []).append(f)
    named = []
    for findings in groups.values():
        f = findings[0]
        where = f.path if len(findings) == 1 else f"{f.path} and {len(findings) - 1} more paths"
        named.append((f"{f.attacker.kind} {f.attacker.origin} {f.probe} {where}", findings))
    return named


def to_report(result: Result) -> dict[str, Any]:
    """The behaviour report's format, a cell per group of findings (_groups)."""
    cells = []
    for scenario, findings in _groups(result):
        f = findings[0]
        paths = [g.path for g in findings]
        why = (
            f"{f.attacker.origin} is trusted: the control, whose reads the app means to allow"
            if f.attacker.kind == "trusted"
            else f"{f.attacker.origin} is not trusted ({f.attacker.kind}: beats {f.attacker.beats}); it must not read "
            "or write with the victim's cookies"
        )
        if len(paths) > 1:
            why += f". The same for {len(paths)} paths: {', '.join(paths)}"
        expect = Expect(why, page=None, preflights=None, requests=None, cookies=None)
        failure = f"{f.verdict}: {f.why}" if f.leak or not f.observed else None
        cells.append(report.cell("audit", "Audit", scenario, f.browser, f.profile, expect, f.seen, failure))
    return report.build(cells, result.browsers)


def page_context(plan: Plan, result: Result) -> dict[str, Any]:
    """What the audit's report.html shows in its own words: the app, the proof, each cell's verdict."""
    proofs = [
        {
            "lane": f"{browser} {profile}",
            "credential": str(proof.credential),
            "private": sorted(proof.private),
            "public": sorted(set(plan.paths) - proof.private),
        }
        for (browser, profile), proof in result.proofs.items()
    ]
    verdicts = {
        f"{scenario}|{findings[0].browser}|{findings[0].profile}": findings[0].verdict
        for scenario, findings in _groups(result)
    }
    return report_html.audit_context(str(plan.app_origin), list(plan.trusted), proofs, result.notes, verdicts)


def main(options: argparse.Namespace) -> int:
    """The audit, and its exit status; never a traceback on the terminal."""
    try:
        return _audit(options)
    except (UsageError, AuditError, BrowserUnavailable) as error:
        # One line, whatever the message quotes (an import error repeats a TARGET with a newline).
        print(f"corsproof audit: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_CANNOT_AUDIT
    except Exception as error:  # a bug of corsproof's own: said in one line, the traceback kept
        log = _keep_traceback(options.report)
        said = " ".join(str(error).split())[:300]
        print(
            f"corsproof audit: internal error ({type(error).__name__}: {said}); no verdict. The traceback is in {log}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _keep_traceback(directory: Path) -> Path:
    text = traceback.format_exc()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        log = directory / "error.log"
        log.write_text(text)
    except OSError:  # the report directory cannot be written: a file of its own, then
        with tempfile.NamedTemporaryFile("w", prefix="corsproof-audit-", suffix=".log", delete=False) as file:
            file.write(text)
            log = Path(file.name)
    return log


def _source_file(target: str) -> str | None:
    """The file of TARGET's module, relative to here, for SARIF's location (GitHub shows an alert
    at a file of the repository); None for a URL or a module outside this directory."""
    if "://" in target:
        return None
    spec = importlib.util.find_spec(target.partition(":")[0])
    if spec is None or spec.origin is None:
        return None
    try:
        return Path(spec.origin).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return None


def _say(text: str) -> None:
    """A line of the summary, wrapped within the terminal table's 100 columns."""
    print(textwrap.fill(text, WIDTH, subsequent_indent="    ", break_long_words=False, break_on_hyphens=False))


def _audit(options: argparse.Namespace) -> int:
    plan, plan_notes = plan_from(options)
    result = run(plan)
    for line in fold(result.findings):
        print(line)
    for note in [*plan_notes, *result.notes]:
        _say(f"* {note}")
    # WebKit's cookie profiles are MiniBrowser's settings, not Safari's defaults: each verdict's lane
    # says which it was, so that "webkit default" is not read as Safari.
    for browser in result.browsers:
        if browser["name"] == "webkit":
            _say(f"* webkit {browser['cookie_profile']}: {'; '.join(browser['deviations'])}")
    answers = sorted({note for f in result.findings for note in f.notes})
    for note in answers:
        paths = sorted({f.path for f in result.findings if note in f.notes})
        _say(f"* {note}: {', '.join(paths[:3])}{f' and {len(paths) - 3} more paths' if len(paths) > 3 else ''}")
    for line in leak_lines(result.leaks):
        print(line)
    data = to_report(result)
    report.write(data, options.report / "report.json")
    report_html.write(data, options.report / "report.html", audit=page_context(plan, result))
    if options.sarif is not None:
        sarif = to_sarif(result, str(plan.app_origin), __version__, source=_source_file(options.target))
        write_sarif(sarif, options.sarif)
    if options.junit is not None:
        write_junit(to_junit(result), options.junit)
    leaks = result.leaks
    for what, probes in (
        ("read or wrote with the victim's credential", ("read", "preflight")),
        ("had a cross-site form POST carried out (CSRF)", ("form",)),
    ):
        found = sorted({f"{f.attacker.origin} ({f.attacker.kind})" for f in leaks if f.probe in probes})
        if found:
            _say(f"corsproof audit: {len(found)} attacker origins {what}: {', '.join(found)}")
    where = f"report: {options.report / 'report.json'}, {options.report / 'report.html'}"
    if leaks:
        _say(f"corsproof audit: LEAKS FOUND ({len(leaks)} of {len(result.findings)} requests); {where}")
        return EXIT_LEAKS
    unobserved = result.unobserved
    if unobserved:
        first = unobserved[0]
        print(
            f"corsproof audit: no verdict: {len(unobserved)} of {len(result.findings)} requests could not be "
            f"observed ({first.attacker.origin} in {first.browser} {first.profile}: {first.why}); {where}",
            file=sys.stderr,
        )
        return EXIT_CANNOT_AUDIT
    credentials = sorted({str(proof.credential) for proof in result.proofs.values()})
    _say(
        f"corsproof audit: no leak ({len(result.findings)} requests, every one observed; the victim's credential "
        f"{' / '.join(credentials)} proven to reach every private path in every browser and profile); {where}"
    )
    return EXIT_CLEAN
