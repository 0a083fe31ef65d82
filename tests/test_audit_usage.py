"""corsproof audit: the attacker origins it derives, and bad input said in one line with exit 2.

Every case here fails before a browser starts, except the login URL that sets no cookie, which
only a browser can tell (Chromium alone: the message is the audit's, not the browser's).
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from corsproof import cli as corsproof_cli
from corsproof.audit.attackers import ATTACKER_DOMAIN, NotAnOrigin, Origin, derive

EXAMPLE = "corsproof.examples.shop_api:app"


def kinds(target: str, trusted: list[str]) -> dict[str, str]:
    return {a.origin: a.kind for a in derive(target, trusted)}


def test_every_class_is_derived_from_a_trusted_origin() -> None:
    found = kinds("https://api.shop.example", ["https://www.shop.example"])
    assert found == {
        f"https://{ATTACKER_DOMAIN}": "unrelated",
        "null": "null",
        "https://evilshop.example": "suffix",
        "https://corsproof-evil.shop.example": "any-subdomain",
        "https://corsproofevil.shop.example": "word-subdomain",
        f"https://www.shop.example.{ATTACKER_DOMAIN}": "prefix",
        f"https://www.shop.example-{ATTACKER_DOMAIN}": "unanchored-pattern",
        f"https://www.shop.example_.{ATTACKER_DOMAIN}": "special-characters",
        f"https://evil-www.shop.example.{ATTACKER_DOMAIN}": "substring",
        "https://hop.example": "reverse-substring",
        "https://wwwxshop.example": "unescaped-dot",
        "http://www.shop.example": "scheme-downgrade",
        "https://www.shop.example:8443": "another-port",
    }


def test_no_attacker_is_trusted_or_the_app_itself() -> None:
    trusted = ["https://www.shop.example", "http://www.shop.example", "https://www.shop.example:8443"]
    origins = set(kinds("https://api.shop.example", trusted))
    assert not origins & {*trusted, "https://api.shop.example"}


def test_registrable_domains_follow_the_public_suffix_list() -> None:
    # co.uk is a public suffix: the attacker's suffix look-alike is evilshop.co.uk, not evilco.uk.
    assert "https://evilshop.co.uk" in kinds("https://api.shop.co.uk", ["https://www.shop.co.uk"])


def test_an_address_gets_only_the_classes_that_need_no_name() -> None:
    assert set(kinds("http://127.0.0.1:9000", ["http://127.0.0.1:3000"]).values()) == {
        "unrelated",
        "null",
        "another-port",
    }


@pytest.mark.parametrize(
    "text", ["example.com", "ftp://example.com", "https://example.com/path", "https://[::1", "https://u@example.com"]
)
def test_what_is_not_an_origin_is_refused_with_the_reason(text: str) -> None:
    with pytest.raises(NotAnOrigin, match="is not an origin"):
        Origin.parse(text)


def audit(*args: str) -> subprocess.CompletedProcess[str]:
    """corsproof audit ARGS in this process (corsproof.cli.main, argparse's exits included): a
    Python start and every import per case cost more than most cases (tests/test_package.py runs
    the installed command itself). A traceback here is an exception that fails the test."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = corsproof_cli.main(["audit", *args])
        except SystemExit as exit:
            status = exit.code if isinstance(exit.code, int) else 1
    return subprocess.CompletedProcess(["corsproof", "audit", *args], status, out.getvalue(), err.getvalue())


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["no_such_module:app", "--trusted", "https://a.example"], "TARGET 'no_such_module:app'"),
        ([EXAMPLE.replace(":app", ":nope"), "--trusted", "https://a.example"], f"TARGET {EXAMPLE[:-3] + 'nope'!r}"),
        ([EXAMPLE, "--trusted", "www.shop.example"], "is not an origin"),
        ([EXAMPLE, "--trusted", "https://a.example", "--as", "https://x/y"], "is not an origin"),
        (["http://example.com:8000", "--trusted", "https://a.example"], "never sends traffic off the machine"),
        (["http://127.0.0.1:x", "--trusted", "https://a.example"], "is not an http(s) URL"),
        ([EXAMPLE, "--trusted", "https://a.example", "--path", "me"], "must start with /"),
        (
            [EXAMPLE, "--trusted", "https://a.example", "--login-url", "https://sso.example/login"],
            "must be on the app's origin",
        ),
    ],
)
def test_bad_input_is_said_in_one_line_with_exit_2(args: list[str], says: str) -> None:
    done = audit(*args)
    assert done.returncode == 2, done.stderr
    assert says in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_login_url_that_does_not_log_in_is_said_and_exits_2() -> None:
    args = [EXAMPLE, "--as", "https://api.shop.example", "--trusted", "https://www.shop.example"]
    done = audit(*args, "--login-url", "/me", "--browser", "chromium", "--cookie-profile", "default")
    assert done.returncode == 2, done.stderr
    assert "the login URL https://api.shop.example/me answered 401" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_cookie_without_samesite_is_refused() -> None:
    args = [EXAMPLE, "--trusted", "https://www.shop.example", "--cookie", "shop_session=x; Secure"]
    done = audit(*args, "--browser", "chromium", "--cookie-profile", "default")
    assert done.returncode == 2 and "state SameSite=None, Lax or Strict" in done.stderr, done.stderr


def test_an_app_already_running_here_is_audited_through_the_proxy(tmp_path: Path) -> None:
    """The URL form of TARGET: the example app served by uvicorn on loopback, audited under its
    public origin. The proxy passes the app's Set-Cookie and CORS answers on as they are, so the
    audit finds what it finds in the imported app: the suffix look-alike reads /me, and each of two
    cross-site form POSTs is carried out (the second from the attacker's page again, not from the
    app's answer to the first)."""
    from corsproof.examples.shop_api import app
    from corsproof.serving.runner import ServerThread, bind_loopback_socket

    server = ServerThread("shop", app, bind_loopback_socket())
    server.start()
    try:
        args = [f"http://127.0.0.1:{server.port}", "--as", "https://api.shop.example"]
        args += ["--trusted", "https://www.shop.example", "--login-url", "/login", "--path", "/me"]
        args += ["--form-post", "/orders", "--form-post", "/orders?again=1"]
        args += ["--sarif", str(tmp_path / "audit.sarif"), "--junit", str(tmp_path / "junit.xml")]
        done = audit(
            *args, "--browser", "chromium", "--cookie-profile", "third-party-allowed", "--report", str(tmp_path)
        )
    finally:
        server.stop()
    assert done.returncode == 1, done.stdout + done.stderr
    said = " ".join(done.stdout.split())  # the leak lines wrap at 100 columns
    # Each leak is said once, with why and where.
    assert (
        "! https://evilshop.example (suffix) read /me: the page read the answer (200) with the victim's credential "
        "(shop_session) [chromium third-party-allowed]" in said
    ), done.stdout
    # The same leaks for CI: a SARIF result per leaking origin, request and path; a failing JUnit case.
    sarif = json.loads((tmp_path / "audit.sarif").read_text())
    results = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]) for r in sarif["runs"][0]["results"]}
    assert ("corsproof/suffix", "/me") in results and ("corsproof/suffix-form", "/orders") in results, results
    junit = ElementTree.parse(tmp_path / "junit.xml").getroot()
    failed = {case.get("name") for case in junit.iter("testcase") if case.find("failure") is not None}
    assert "suffix https://evilshop.example read /me" in failed, failed
    # Both form POSTs carried out alike: one entry names both.
    assert "! https://evilshop.example (suffix) form /orders, /orders?again=1: the app answered 200" in said


def test_an_internal_error_exits_3_with_one_line_and_the_traceback_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug of corsproof's own is not "leaks found" (1) nor "cannot audit as asked" (2): exit 3,
    one line that says where the traceback went, and the traceback there."""
    import argparse

    from corsproof.audit import cli

    def broken(plan: object) -> object:
        raise RuntimeError("a bug in the audit")

    monkeypatch.setattr(cli, "run", broken)
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    options = parser.parse_args(
        [EXAMPLE, "--trusted", "https://www.shop.example", "--login-url", "/login"] + ["--report", str(tmp_path)]
    )
    assert cli.main(options) == 3
    said = capsys.readouterr().err.strip().splitlines()
    assert said == [
        f"corsproof audit: internal error (RuntimeError: a bug in the audit); no verdict. The traceback is in "
        f"{tmp_path / 'error.log'}"
    ]
    assert "Traceback" in (tmp_path / "error.log").read_text()


def test_an_audit_without_a_login_refuses_to_run() -> None:
    """Without the victim's credential nothing can be proven, so there is no verdict to give."""
    done = audit(EXAMPLE, "--trusted", "https://www.shop.example", "--browser", "chromium")
    assert done.returncode == 2, done.stderr
    assert "no way to log the victim in" in done.stderr and "Traceback" not in done.stderr
