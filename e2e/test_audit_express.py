"""corsproof audit against Express with the `cors` package (tests/corpus/express/app.js): its verdicts
equal the ground truth, as e2e/test_audit_corpus.py has it for the Python frameworks (its helpers are
used here, not copied).

The Express apps run in node, one process per configuration, each reached through the audit's reverse
proxy (`corsproof audit http://127.0.0.1:PORT` does the same), and are served side by side under
prefixes of one site (/express-reflect-any/me ...), so that ONE audit (real Chromium, Firefox and
WebKit, default and third-party-allowed cookie profiles) covers them all. The team trusts www only.
  - reflect-any: every origin granted; the any-origin and null attackers read with third-party
    cookies allowed, the same-site ones by default.
  - unanchored-regex: RegExp.test() anchored at neither end; the no-dot and no-end-anchor attackers.
  - null-trusted: the opaque origin, with third-party cookies allowed only.
  - exact: the correct configuration, where no attacker reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from corsproof.audit.attackers import NULL
from corsproof.audit.target import reverse_proxy
from e2e.test_audit_corpus import (
    BROWSERS,
    LANES,
    SITE_TRUSTS,
    SUBDOMAIN_ATTACKERS,
    Audit,
    Audited,
    _mismatches,
    audit_site,
    audited_leaks,
    expected_leaks,
    mount,
)
from tests.corpus import TRUSTED_ORIGIN, Configuration, express_app

AUDITED: tuple[Configuration, ...] = ("reflect-any", "unanchored-regex", "null-trusted", "exact")
PUBLIC = "/express-reflect-any/public"
# What the cors package's RegExp.test lets through of UNANCHORED_REGEX beyond the subdomains.
NO_DOT = {"https://evilshop.example", "https://wwwxshop.example"}
NO_END_ANCHOR = {"https://www.shop.example.corsproof-evil.test", "https://www.shop.example-corsproof-evil.test"}


@pytest.fixture(scope="module")
def express_audit(cors_audit: Audit) -> Iterator[Audited]:
    """The four Express apps in node for the audit's length, audited once; stopped after."""
    try:
        express_app.npm_install()
    except express_app.NodeMissing as missing:
        pytest.skip(str(missing))
    with ExitStack() as running:
        urls = {c: running.enter_context(express_app.serve(c, "None")) for c in AUDITED}
        mounted = [mount("express", c, "None", reverse_proxy(url), url, SITE_TRUSTS) for c, url in urls.items()]
        yield audit_site(cors_audit, SITE_TRUSTS, mounted, [PUBLIC])


@pytest.mark.parametrize("configuration", AUDITED)
def test_read_leaks_equal_the_ground_truth(express_audit: Audited, configuration: Configuration) -> None:
    """In every lane, the audit's leaking origins for /me are exactly those the cors package grants
    and the browser sends the victim's SameSite=None cookie from."""
    wrong = _mismatches(express_audit, express_audit.mounted[f"express-{configuration}"])
    assert not wrong, "the audit and the ground truth disagree:\n" + "\n".join(wrong)


def test_the_ground_truth_is_not_empty(express_audit: Audited) -> None:
    """The equality above is not vacuous: what each misconfiguration grants, as measured straight at
    node, shows in the lanes where the cookie goes; exact grants no attacker."""
    mounted = express_audit.mounted
    for browser in BROWSERS:
        allowed, default = (browser, "third-party-allowed"), (browser, "default")
        reflect = mounted["express-reflect-any"]
        assert {"https://corsproof-evil.test", NULL} <= expected_leaks(express_audit, reflect, allowed)
        assert SUBDOMAIN_ATTACKERS | {"https://www.shop.example:8443"} <= expected_leaks(
            express_audit, reflect, default
        )
        unanchored = mounted["express-unanchored-regex"]
        assert NO_DOT | NO_END_ANCHOR <= expected_leaks(express_audit, unanchored, allowed)
        assert NULL in expected_leaks(express_audit, mounted["express-null-trusted"], allowed)
    assert mounted["express-exact"].granted == {TRUSTED_ORIGIN}


def test_the_audit_found_the_leaks(express_audit: Audited) -> None:
    """The headline leaks, read off the audit itself: the no-end-anchor origins read through the
    unanchored RegExp, and null through the trusted "null", where third-party cookies are allowed
    (and in WebKit's default, which withholds no cookie set first-party); exact leaks nothing anywhere."""
    mounted = express_audit.mounted
    for browser in BROWSERS:
        lane = (browser, "third-party-allowed")
        assert NO_END_ANCHOR <= audited_leaks(express_audit, mounted["express-unanchored-regex"].me, lane)
        assert NULL in audited_leaks(express_audit, mounted["express-null-trusted"].me, lane)
        by_default = NULL in audited_leaks(express_audit, mounted["express-null-trusted"].me, (browser, "default"))
        assert by_default == (browser == "webkit"), browser
    exact = mounted["express-exact"].me
    assert {lane: audited_leaks(express_audit, exact, lane) for lane in LANES} == dict.fromkeys(LANES, set())


def test_observed_public_and_controls(express_audit: Audited) -> None:
    """No verdict is missing; /public (readable by every attacker) is never a leak; the trusted origin
    reads every /me in every lane, so a clean lane is clean because cors refused."""
    result = express_audit.outcome.result
    unobserved = [(f.attacker.origin, f.path, f.browser, f.profile, f.why) for f in result.unobserved]
    assert not unobserved, unobserved[:5]
    assert not [f for f in express_audit.outcome.leaks if f.path == PUBLIC]
    for mounted in express_audit.mounted.values():
        read = {
            (f.browser, f.profile)
            for f in result.findings
            if f.path == mounted.me
            and f.probe == "read"
            and f.attacker.origin == TRUSTED_ORIGIN
            and f.verdict == "read"
        }
        assert read == set(LANES), f"{mounted.me}: the trusted origin read only in {read}"
