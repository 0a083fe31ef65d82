"""corsproof audit finds every flaw it should, names it, and finds nothing in correct policies.

Each audit runs real Chromium and Firefox (both, in every test) under the default and
third-party-allowed cookie profiles, so these tests take no browser parameter. Cases:
e2e/audit_cases.py. Not WebKit: the catalogue's good is http://good.localhost with a Secure session
cookie, which WebKit drops over http (the suite's WebKit lanes reach good over https for it); the
audits on real middleware (e2e/test_audit_corpus.py, https) run WebKit.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from corsproof.audit.pytest_plugin import AuditOutcome
from corsproof.lna import LNA_CHECK
from e2e.audit_cases import (
    CASES,
    GOOD,
    HTTPS_THIRDPARTY,
    NO_VARY_PATH,
    ORIGINS,
    SCHEME_CASE,
    SIBLING,
    THIRDPARTY,
    audited_good,
)

Audit = Callable[..., AuditOutcome]
LANES = {(b, p) for b in ("chromium", "firefox") for p in ("default", "third-party-allowed")}


@pytest.fixture(scope="module")
def catalogue_audit(cors_audit: Audit) -> AuditOutcome:
    app, cookie = audited_good(ORIGINS)
    paths = [case.path for case in CASES] + [NO_VARY_PATH]
    return cors_audit(app, trusted=[THIRDPARTY, SIBLING], as_origin=GOOD, cookie=cookie, paths=paths)


def leaking_kinds(outcome: AuditOutcome, path: str, lane: tuple[str, str]) -> set[str]:
    return {
        f.attacker.kind
        for f in outcome.leaks
        if f.path == path and (f.browser, f.profile) == lane and f.probe == "read"
    }


@pytest.mark.parametrize("case", [c for c in CASES if c.finds], ids=lambda c: c.path.split("/")[1])
def test_each_flaw_is_found_and_named_in_both_browsers(catalogue_audit: AuditOutcome, case) -> None:  # type: ignore[no-untyped-def]
    """With third-party cookies allowed, the attacker class that beats the flaw reads the victim's data."""
    for browser in ("chromium", "firefox"):
        found = leaking_kinds(catalogue_audit, case.path, (browser, "third-party-allowed"))
        assert case.finds in found, f"{case.path} ({case.why}) in {browser}: leaks found {sorted(found)}"


@pytest.mark.parametrize("case", [c for c in CASES if not c.finds], ids=lambda c: c.path.split("/")[1])
def test_a_correct_policy_is_clean(catalogue_audit: AuditOutcome, case) -> None:  # type: ignore[no-untyped-def]
    leaks = [f for f in catalogue_audit.leaks if f.path == case.path]
    assert not leaks, f"{case.path} ({case.why}): {[(f.attacker.origin, f.browser, f.profile) for f in leaks]}"
    # Not clean because nothing ran: the trusted origins read in every lane.
    controls = {
        (f.browser, f.profile)
        for f in catalogue_audit.result.findings
        if f.path == case.path and f.attacker.kind == "trusted" and f.verdict == "read"
    }
    assert controls == LANES


def test_by_default_the_browser_saves_the_victim_from_a_cross_site_flaw(catalogue_audit: AuditOutcome) -> None:
    """Third-party cookies withheld (Chromium blocks them, Firefox partitions them): evilgood reads,
    but without the victim's cookie. A same-site attacker (any subdomain) leaks under every profile."""
    path = "/attack-suffix-match/private"
    for browser in ("chromium", "firefox"):
        suffix = [
            f
            for f in catalogue_audit.result.findings
            if f.path == path
            and f.attacker.origin == "http://evilgood.localhost"
            and f.probe == "read"
            and (f.browser, f.profile) == (browser, "default")
        ]
        assert [f.verdict for f in suffix] == ["no cookie (401)"]
        assert "any-subdomain" in leaking_kinds(catalogue_audit, "/attack-any-subdomain/private", (browser, "default"))


def test_a_reflected_origin_without_vary_is_noted(catalogue_audit: AuditOutcome) -> None:
    noted = {
        (f.browser, f.profile)
        for f in catalogue_audit.result.findings
        if f.path == NO_VARY_PATH and f.attacker.kind == "trusted" and any("Vary" in n for n in f.notes)
    }
    assert noted == LANES
    assert not [f for f in catalogue_audit.leaks if f.path == NO_VARY_PATH]


def test_the_scheme_downgrade_is_found_against_an_https_trusted_origin(cors_audit: Audit) -> None:
    """Under the profile where cross-site leaks show (the catalogue audit covers the default one)."""
    app, cookie = audited_good(HTTPS_THIRDPARTY)
    trusted = [HTTPS_THIRDPARTY.thirdparty]
    outcome = cors_audit(
        app, trusted=trusted, as_origin=GOOD, cookie=cookie, paths=[SCHEME_CASE.path], profiles=["third-party-allowed"]
    )
    for browser in ("chromium", "firefox"):
        assert "scheme-downgrade" in leaking_kinds(outcome, SCHEME_CASE.path, (browser, "third-party-allowed"))


def test_the_fixture_fails_a_test_with_every_leak_once_and_the_table(catalogue_audit: AuditOutcome) -> None:
    """One entry per attacker origin and request, with its paths and the lanes where it leaked, as
    the command line says it: not one line per browser and profile."""
    with pytest.raises(AssertionError) as failure:
        catalogue_audit.assert_no_leak()
    message = str(failure.value)
    origins = len({f.attacker.origin for f in catalogue_audit.leaks})
    assert message.startswith(f"corsproof audit: {len(catalogue_audit.leaks)} leaks from {origins} attacker origins")
    said = " ".join(message.split())
    assert "! http://evilgood.localhost (suffix) read " in said
    entry = said[said.index("! http://evilgood.localhost (suffix) read ") :].split(" ! ")[0]
    assert "/attack-suffix-match/private" in entry and "chromium third-party-allowed" in entry
    entries = [line for line in message.splitlines() if line.startswith("! ")]
    assert len(entries) < len(catalogue_audit.leaks)
    assert any(line.startswith("lanes: ") for line in message.splitlines())  # the folded table's legend


def test_chromium_and_corsproofs_own_check_agree_on_every_block(catalogue_audit: AuditOutcome) -> None:
    """Chromium says why it blocked (DevTools); corsproof derives why from the app's record for
    both browsers. On every request Chromium blocked in the audit, the two name the same reason."""
    said = [f for f in catalogue_audit.result.findings if f.browser == "chromium" and f.seen.reason_known]
    assert len(said) > 100
    # Local Network Access is no CORS check: corsproof says it in words, Chromium by name.
    same = {"LocalNetworkAccessPermissionDenied": LNA_CHECK}
    disagree = [
        (f.attacker.origin, f.probe, f.path, f.seen.reason, f.seen.derived_reason)
        for f in said
        if same.get(f.seen.reason or "", f.seen.reason) != f.seen.derived_reason
    ]
    assert not disagree, disagree[:10]
