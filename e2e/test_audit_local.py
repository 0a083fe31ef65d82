"""corsproof audit of an app on the person's own machine (`--as http://localhost:3000`): besides
every look-alike, a public website attacks it, once as browsers leave it today (nobody granted it
the local-network permission) and once granted (corsproof/lna.py, corsproof/audit/attackers.py).

The app is Starlette's CORSMiddleware reflecting any origin with credentials, its session cookie
SameSite=None (tests/corpus/starlette_app.py): the read of /me leaks to any origin that gets the
cookie there. Local Network Access stops the public website's read before it is sent, until the
permission is granted; a form POST is a navigation, which Local Network Access does not gate.
Chromium and Firefox only: WebKitGTK 2.50.6 ships Local Network Access as an unstable feature, off
(the suite's e2e/test_local_network.py is unmeasured in WebKit for the same reason).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from corsproof.audit.attackers import PUBLIC_WEBSITE
from corsproof.audit.pytest_plugin import AuditOutcome
from corsproof.lna import LNA_CHECK
from tests.corpus.starlette_app import make_app

LOCAL = "http://localhost:3000"


@pytest.fixture(scope="module")
def local_audit(cors_audit: Callable[..., AuditOutcome]) -> AuditOutcome:
    app = make_app("reflect-any", "None")
    return cors_audit(
        app,
        trusted=["http://localhost:5173"],
        as_origin=LOCAL,
        login_url="/login",
        paths=["/me"],
        form_posts=["/orders"],
    )


def findings(outcome: AuditOutcome, kind: str, probe: str) -> list[Any]:
    found = [f for f in outcome.result.findings if f.attacker.kind == kind and f.probe == probe]
    assert len(found) == 4, f"{kind} {probe}: one finding per browser and profile, got {len(found)}"
    return found


def test_without_the_permission_no_public_website_reads_the_dev_server(local_audit: AuditOutcome) -> None:
    """The middleware would let the page read; the browser never sends the request."""
    for finding in findings(local_audit, "public-website", "read"):
        assert finding.attacker.origin == PUBLIC_WEBSITE
        assert (finding.verdict, finding.leak, len(finding.seen.requests)) == ("blocked", False, 0), finding
        assert LNA_CHECK in finding.why


def test_once_granted_the_public_website_reads_it_wherever_the_cookie_goes(local_audit: AuditOutcome) -> None:
    """Granted, it is CORS and cookies again: the reflected origin lets the page read, and the
    SameSite=None session goes along where third-party cookies are allowed."""
    verdicts = {(f.browser, f.profile): f.verdict for f in findings(local_audit, "public-website-granted", "read")}
    assert verdicts == {
        # The page reads the app's refusal: the browser withheld the third-party cookie.
        ("chromium", "default"): "no cookie (401)",
        ("chromium", "third-party-allowed"): "LEAK",
        ("firefox", "default"): "no cookie (401)",
        ("firefox", "third-party-allowed"): "LEAK",
    }


def test_a_public_website_forges_a_form_post_to_the_dev_server_permission_or_not(local_audit: AuditOutcome) -> None:
    """A form POST is a top-level navigation: Local Network Access does not gate it, and a
    SameSite=None session goes along in every profile."""
    for kind in ("public-website", "public-website-granted"):
        assert {f.verdict for f in findings(local_audit, kind, "form")} == {"carried out"}
