"""The audit in a team's own test suite (a pytest11 entry point, loaded wherever corsproof is installed).

    def test_no_other_site_reads_our_users_data(cors_audit):
        cors_audit(app, trusted=["https://www.shop.example"], as_origin="https://api.shop.example",
                   login_url="/login", paths=["/me"]).assert_no_leak()

The fixture runs real Chromium and Firefox (stock or Playwright's builds, as corsproof finds them)
and fails the test with the audit's table. Nothing heavy is imported until the fixture is used.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class AuditOutcome:
    """An audit's findings, and one assertion."""

    result: Any  # corsproof.audit.run.Result
    lines: list[str]

    @property
    def leaks(self) -> list[Any]:
        return list(self.result.leaks)

    def assert_no_leak(self) -> None:
        """Fail with every leak, said once per attacker class, origin and request with the paths and
        the lanes where it leaked (as the command line says it); also fail where a request could not
        be observed (no verdict is not "no leak")."""
        __tracebackhide__ = True  # the failure is the team's app, not a line of corsproof's
        if self.result.unobserved:
            first = self.result.unobserved[0]
            raise AssertionError(
                f"corsproof audit: {len(self.result.unobserved)} requests could not be observed, so there is no "
                f"verdict ({first.attacker.origin} in {first.browser} {first.profile}: {first.why})"
            )
        if self.leaks:
            from corsproof.audit.terminal import leak_lines

            origins = len({f.attacker.origin for f in self.leaks})
            raise AssertionError(
                f"corsproof audit: {len(self.leaks)} leaks from {origins} attacker origins\n"
                + "\n".join(leak_lines(self.leaks))
                + "\n\n"
                + "\n".join(self.lines)
            )


@pytest.fixture(scope="session")
def cors_audit() -> Iterator[Callable[..., AuditOutcome]]:
    """Audit an app (ASGI, or WSGI such as Flask): cors_audit(app, trusted=[...], as_origin=...,
    login_url=... | cookie=... | login=Login(...), paths=[...], form_posts=[...], browsers=[...],
    profiles=[...], browser_build="auto" | "playwright" | "system") -> AuditOutcome. The session's
    audits share their browsers, each audit in contexts of its own (corsproof/audit/browser_pool.py)."""
    from corsproof.audit import browser_pool
    from corsproof.audit.attackers import Origin, parse_trusted
    from corsproof.audit.cli import DEFAULT_AS, DEFAULT_PROFILES
    from corsproof.audit.login import Login, check_set_cookie
    from corsproof.audit.run import Plan, run
    from corsproof.audit.target import as_asgi
    from corsproof.audit.terminal import fold
    from corsproof.browsers import BUILD_ENV, DRIVEN
    from corsproof.profiles import CookieProfile

    def audit(
        app: Any,
        trusted: Sequence[str],
        as_origin: str = DEFAULT_AS,
        login_url: str | None = None,
        cookie: str | None = None,
        login: Login | None = None,
        session_cookie: str | None = None,
        paths: Sequence[str] = ("/",),
        form_posts: Sequence[str] = (),
        browsers: Sequence[str] = DRIVEN,
        profiles: Sequence[str] = tuple(p.value for p in DEFAULT_PROFILES),
        browser_build: str | None = None,
    ) -> AuditOutcome:
        if cookie is not None:
            check_set_cookie(cookie)
            login = Login("cookie", cookie)
        elif login_url is not None:
            login = Login("url", login_url)
        plan = Plan(
            app=as_asgi(app, repr(app)),
            app_origin=Origin.parse(as_origin),
            trusted=tuple(str(parse_trusted(t)) for t in trusted),
            paths=tuple(paths),
            form_posts=tuple(form_posts),
            login=login,
            session_cookie=session_cookie,
            browsers=tuple(browsers),  # type: ignore[arg-type]
            profiles=tuple(CookieProfile.parse(p) for p in profiles),
            # As the command line: the argument, else CORSPROOF_BROWSER_BUILD, else auto.
            browser_build=browser_build or os.environ.get(BUILD_ENV) or "auto",
        )
        result = run(plan)
        return AuditOutcome(result, fold(result.findings))

    with browser_pool.kept():
        yield audit
