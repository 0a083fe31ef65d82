"""`corsproof audit TARGET --trusted ORIGIN ...`: can another site read your users' data?

TARGET is an ASGI app (package.module:app), served on loopback under the origin --as names, or
the URL of an app already running on this machine (loopback only: an audit never sends traffic
off the machine), reached under that origin through a recording proxy. Exit status: 0 when no
attacker origin could read or write with the victim's cookies, 1 when one could, 2 when the
audit cannot run as asked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from corsproof import report, report_html
from corsproof.audit.attackers import NotAnOrigin, Origin
from corsproof.audit.run import AuditError, Credentials, Finding, Plan, Result, run
from corsproof.audit.target import UsageError, load_target
from corsproof.browsers import DRIVEN, BrowserUnavailable
from corsproof.model import Expect
from corsproof.profiles import CookieProfile

DEFAULT_AS = "https://api.example.com"
DEFAULT_PROFILES = (CookieProfile.DEFAULT, CookieProfile.THIRD_PARTY_ALLOWED)


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
        "--login-url", metavar="URL", help="a URL on the app that logs the browser in when visited (top-level)"
    )
    parser.add_argument(
        "--cookie",
        metavar="COOKIE",
        help='the victim\'s cookie with its attributes: "session=...; SameSite=None; Secure"',
    )
    parser.add_argument("--browser", action="append", choices=DRIVEN, help="chromium, firefox (default both)")
    parser.add_argument(
        "--cookie-profile",
        action="append",
        choices=[p.value for p in CookieProfile],
        help="default: default and third-party-allowed",
    )
    parser.add_argument("--browser-build", default="auto", choices=("auto", "playwright", "system"))
    parser.add_argument("--headed", action="store_true")
    parser.add_argument(
        "--report",
        type=Path,
        default=Path("corsproof-audit"),
        metavar="DIR",
        help="where report.json and report.html go",
    )


def plan_from(options: argparse.Namespace) -> Plan:
    try:
        app_origin = Origin.parse(options.as_origin)
        trusted = tuple(str(Origin.parse(origin)) for origin in options.trusted)
    except NotAnOrigin as error:
        raise UsageError(str(error)) from None
    paths = tuple(options.path or ["/"]) + tuple(options.form_post)
    for path in paths:
        if not path.startswith("/"):
            raise UsageError(f"path {path!r} must start with /")
    if options.login_url and "://" in options.login_url:
        parts = urlsplit(options.login_url)
        if f"{parts.scheme}://{parts.netloc}" != str(app_origin):
            raise UsageError(f"--login-url {options.login_url!r} must be on the app's origin {app_origin} (or a path)")
    return Plan(
        app=load_target(options.target),
        app_origin=app_origin,
        trusted=trusted,
        paths=tuple(options.path or ["/"]),
        form_posts=tuple(options.form_post),
        credentials=Credentials(options.login_url, options.cookie),
        browsers=tuple(options.browser or DRIVEN),
        profiles=tuple(CookieProfile(p) for p in options.cookie_profile)
        if options.cookie_profile
        else DEFAULT_PROFILES,
        headless=not options.headed,
        browser_build=options.browser_build,
    )


def _label(finding: Finding) -> str:
    return f"{finding.verdict}" + (" *" if finding.notes else "")


def table(result: Result) -> list[str]:
    """One row per origin, request and path; a column per browser and cookie profile."""
    lanes = list(dict.fromkeys((f.browser, f.profile) for f in result.findings))
    rows: dict[tuple[str, str, str, str], dict[tuple[str, str], Finding]] = {}
    for f in result.findings:
        rows.setdefault((f.attacker.origin, f.attacker.kind, f.probe, f.path), {})[(f.browser, f.profile)] = f
    head = ["origin", "class", "request", *(f"{b} {p}" for b, p in lanes)]
    body = [
        [origin, kind, f"{probe} {path}", *(_label(cells[lane]) if lane in cells else "-" for lane in lanes)]
        for (origin, kind, probe, path), cells in rows.items()
    ]
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in [head, *body]
    ]


def why_leaked(result: Result) -> list[str]:
    """Each leaking request once, with why and the browsers and profiles where it leaked."""
    where: dict[tuple[str, str, str, str, str], list[str]] = {}
    for f in result.leaks:
        key = (f.attacker.origin, f.attacker.kind, f.probe, f.path, f.why)
        where.setdefault(key, []).append(f"{f.browser} {f.profile}")
    return [
        f"! {origin} ({kind}) {probe} {path}: {why} [{', '.join(lanes)}]"
        for (origin, kind, probe, path, why), lanes in where.items()
    ]


def to_report(result: Result) -> dict[str, Any]:
    cells = []
    for f in result.findings:
        trusted = f.attacker.kind == "trusted"
        why = (
            f"{f.attacker.origin} is trusted: the control, whose reads the app means to allow"
            if trusted
            else f"{f.attacker.origin} is not trusted ({f.attacker.kind}: beats {f.attacker.beats}); it must not read "
            "or write with the victim's cookies"
        )
        expect = Expect(why, page=None, preflights=None, requests=None, cookies=None)
        scenario = f"{f.attacker.kind} {f.attacker.origin} {f.probe} {f.path}"
        failure = f"{f.verdict}: {f.why}" if f.leak else None
        cells.append(report.cell("audit", "Audit", scenario, f.browser, f.profile, expect, f.seen, failure))
    return report.build(cells, result.browsers)


def main(options: argparse.Namespace) -> int:
    try:
        plan = plan_from(options)
        result = run(plan)
    except (UsageError, AuditError, BrowserUnavailable) as error:
        print(f"corsproof audit: {error}", file=sys.stderr)
        return 2
    for line in table(result):
        print(line)
    notes = sorted({f"{f.attacker.origin} {f.path}: {note}" for f in result.findings for note in f.notes})
    for note in notes:
        print(f"* {note}")
    for line in why_leaked(result):
        print(line)
    data = to_report(result)
    report.write(data, options.report / "report.json")
    report_html.write(data, options.report / "report.html")
    leaks = result.leaks
    for what, probes in (
        ("read or wrote with the victim's cookies", ("read", "preflight")),
        ("had a cross-site form POST carried out (CSRF)", ("form",)),
    ):
        found = sorted({f"{f.attacker.origin} ({f.attacker.kind})" for f in leaks if f.probe in probes})
        if found:
            print(f"corsproof audit: {len(found)} attacker origins {what}: {', '.join(found)}")
    print(
        f"corsproof audit: {'LEAKS FOUND' if leaks else 'no leak'} ({len(leaks)} of {len(result.findings)} requests); "
        f"report: {options.report / 'report.json'}, {options.report / 'report.html'}"
    )
    return 1 if leaks else 0
