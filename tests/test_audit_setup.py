"""corsproof audit proves its set-up before any verdict: every way it can be set up wrong ends in
exit 2 with one line that names the cause, and every way to log in that works reaches a verdict.

The apps are tests/setup_apps.py's; each audit runs in one browser's default profile only (Chromium,
and WebKit for the logins it can make), to keep the file fast. The strings a user may type
(--cookie, --trusted, TARGET) are fuzzed too: never a traceback, never a clean exit for a login
that logs no one in.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import Phase, event, example, given, settings
from hypothesis import strategies as st

from corsproof.audit import browser_pool, cli
from corsproof.audit.login import AuditError
from corsproof.audit.target import UsageError
from tests.setup_apps import PASSWORD, SESSION_VALUE

APP_ORIGIN = "https://api.shop.example"
TRUSTED = "https://www.shop.example"
FAST = ("--cookie-profile", "default")
DEVTOOLS_COOKIE = (
    f"sid={SESSION_VALUE}; expires=Wed, 01 Jan 2031 00:00:00 GMT; Max-Age=99999; Domain=.shop.example; Path=/; "
    "Secure; HttpOnly; SameSite=None; Priority=High"
)


def audit(
    app: str, *args: str, report: Path | None = None, browser: str = "chromium"
) -> subprocess.CompletedProcess[str]:
    """corsproof audit of tests.setup_apps:APP (or a URL) as https://api.shop.example, in one
    browser's default profile only, in this process (cli.main, as the fuzzing below): a subprocess
    per audit cost a Python start and every import again, ~1 s of the file's ~70 s each. A
    traceback here is an exception that fails the test."""
    target = app if "://" in app else f"tests.setup_apps:{app}"
    argv = [target, "--as", APP_ORIGIN, "--trusted", TRUSTED, *args, "--browser", browser, *FAST]
    status, out, err = _main(argv, report)
    return subprocess.CompletedProcess(["corsproof", "audit", *argv], status, out, err)


@pytest.fixture(scope="module", autouse=True)
def kept_browsers() -> Iterator[None]:
    """The file's audits share their browsers, as a test session's do (cors_audit), each audit in
    contexts of its own: a launch per audit cost ~1 s of CPU (Chromium and Playwright's driver)."""
    with browser_pool.kept():
        yield


def assert_cannot_audit(done: subprocess.CompletedProcess[str], *says: str) -> None:
    """Exit 2, one line on stderr holding every fragment of says, no traceback."""
    shown = f"exit {done.returncode}\nstdout:\n{done.stdout[-2000:]}\nstderr:\n{done.stderr}"
    assert done.returncode == 2, shown
    assert "Traceback" not in done.stderr, shown
    assert len(terminal_lines(done.stderr)) == 1, shown
    for fragment in says:
        assert fragment in done.stderr, shown


def assert_no_leak(done: subprocess.CompletedProcess[str], *public: str) -> None:
    """Exit 0 with "no leak", the credential sid proven on /me (not waved through as public)."""
    shown = f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert done.returncode == 0, shown
    assert "corsproof audit: no leak" in done.stdout, shown
    assert "the victim's credential sid proven" in done.stdout, shown
    assert "/me answers the same without" not in done.stdout, shown
    for path in public:
        assert f"{path} answers the same without the victim's cookies: it is public" in done.stdout, shown
    assert "LEAK" not in done.stdout, shown


def terminal_lines(text: str) -> list[str]:
    """The lines a terminal shows: split at \\n and \\r only (str.splitlines also splits at \\x1c-\\x1e,
    \\x85, \\u2028..., which a terminal prints in a line; a TARGET may hold them)."""
    return re.split(r"\r\n|\r|\n", text.strip("\r\n"))


def free_port() -> int:
    """A loopback port nothing listens on (bound, read, closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- bad shapes: exit 2, one line naming the cause -----------------------------------------------


def test_no_login_at_all_is_refused_before_any_browser() -> None:
    """Without any way to log the victim in, the audit says it can prove nothing."""
    assert_cannot_audit(audit("shop", "--path", "/me"), "no way to log the victim in", "--login-url")


def test_a_running_app_url_where_nothing_listens_says_connection_refused_at_login() -> None:
    """A login through the proxy to a port nobody listens on says nothing answers: connection refused."""
    port = free_port()
    done = audit(f"http://127.0.0.1:{port}", "--login-url", "/login", "--path", "/me")
    assert_cannot_audit(done, "nothing answers", "connection refused", f"127.0.0.1:{port}")


def test_a_running_app_url_where_nothing_listens_says_connection_refused_at_proof() -> None:
    """With a --cookie login (the audit's own answer), the proof's read says connection refused."""
    port = free_port()
    done = audit(f"http://127.0.0.1:{port}", "--cookie", "sid=x; Secure; SameSite=None", "--path", "/me")
    assert_cannot_audit(done, "nothing answers", "connection refused", f"127.0.0.1:{port}")


def test_a_login_url_answering_404_names_404_and_suggests_login_post() -> None:
    """A login URL the app does not have: its 404, and the other ways to log in."""
    done = audit("shop", "--login-url", "/no-such-login", "--path", "/me")
    assert_cannot_audit(done, "answered 404", "--login-post")


def test_a_login_that_sets_only_a_csrf_cookie_is_said_to_answer_401_with_the_cookies() -> None:
    """A login that sets a CSRF token but no session: /me answers 401 with it, so no one logged in."""
    done = audit("csrf_only", "--login-url", "/login", "--path", "/me")
    assert_cannot_audit(done, "answered 401 to GET /me with the victim's cookies", "csrftoken")


def test_a_cookie_for_another_domain_leaves_the_browser_no_cookie() -> None:
    """--cookie with Domain=other.example: the browser refuses it, and the audit says so."""
    done = audit("shop", "--cookie", "sid=x; Domain=other.example; Path=/; Secure; SameSite=None", "--path", "/me")
    assert_cannot_audit(done, "left the browser no cookie", "Domain")


def test_a_cookie_whose_path_misses_the_audited_path_does_not_reach_it() -> None:
    """--cookie with Path=/api and --path /me: the browser holds it but never sends it to /me."""
    done = audit("shop", "--cookie", f"sid={SESSION_VALUE}; Path=/api; Secure; SameSite=None", "--path", "/me")
    assert_cannot_audit(done, "do not reach /me", "Path=/api")


def test_an_app_answering_500_with_the_cookie_is_said_to_answer_500() -> None:
    """An app whose /me fails with the victim's cookie: its 500, not a verdict."""
    assert_cannot_audit(audit("broken", "--login-url", "/login", "--path", "/me"), "answered 500", "GET /me")


def test_an_app_refusing_the_audits_host_at_login_names_allowed_hosts() -> None:
    """TrustedHostMiddleware(localhost) answers 400 to the login: the line says to allow the host."""
    done = audit("trusted_host", "--login-url", "/login", "--path", "/me")
    assert_cannot_audit(done, "answered 400", "api.shop.example", "ALLOWED_HOSTS", "TrustedHostMiddleware")


def test_an_app_refusing_the_audits_host_at_proof_names_allowed_hosts() -> None:
    """The same app logged in by --cookie: the proof's read gets the 400, and the same advice."""
    done = audit("trusted_host", "--cookie", "sid=x; Secure; SameSite=None", "--path", "/me")
    assert_cannot_audit(done, "answered 400", "api.shop.example", "ALLOWED_HOSTS", "TrustedHostMiddleware")


def test_a_redirect_loop_at_login_points_at_x_forwarded_proto() -> None:
    """A login URL that redirects to itself forever: the line names X-Forwarded-Proto."""
    done = audit("redirect_loop", "--login-url", "/login", "--path", "/me")
    assert_cannot_audit(done, "redirects in a loop", "X-Forwarded-Proto")


def test_a_redirect_loop_at_proof_points_at_x_forwarded_proto() -> None:
    """A path that redirects to itself forever, read by the proof: the line names X-Forwarded-Proto."""
    done = audit("redirect_loop", "--cookie", "sid=x; Secure; SameSite=None", "--path", "/me")
    assert_cannot_audit(done, "redirects in a loop", "X-Forwarded-Proto")


def test_a_login_form_field_the_page_lacks_is_named_with_the_fields_it_has() -> None:
    """--field user=... on a form whose inputs are username and password."""
    done = audit("shop", "--login-form", "/login-page", "--field", "user=alice", "--path", "/me")
    assert_cannot_audit(done, "has no field named 'user'", "username, password")


def test_a_login_post_json_that_is_not_json_is_refused() -> None:
    """--json that does not parse is said, with the parser's reason."""
    done = audit("shop", "--login-post", "/api/login", "--json", '{"username": alice}', "--path", "/me")
    assert_cannot_audit(done, "is not JSON")


def test_a_missing_storage_state_file_cannot_be_read(tmp_path: Path) -> None:
    """--storage-state naming no file: cannot read it."""
    done = audit("shop", "--storage-state", str(tmp_path / "missing.json"), "--path", "/me")
    assert_cannot_audit(done, "--storage-state", "cannot read it")


def test_a_storage_state_without_cookies_is_refused(tmp_path: Path) -> None:
    """--storage-state whose JSON holds no cookies list: not Playwright's storage state."""
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"origins": []}))
    done = audit("shop", "--storage-state", str(state), "--path", "/me")
    assert_cannot_audit(done, "has no list of cookies")


def test_a_login_script_that_raises_is_said_with_its_error() -> None:
    """--login-script whose function raises: its exception in one line."""
    done = audit("shop", "--login-script", "tests.setup_apps:failing_login", "--path", "/me")
    assert_cannot_audit(done, "the login script tests.setup_apps:failing_login failed", "RuntimeError")


def test_a_trusted_pattern_with_no_domain_is_not_an_origin() -> None:
    """--trusted 'https://*' (a wildcard with no domain) is refused as not an origin."""
    done = audit("shop", "--trusted", "https://*", "--login-url", "/login", "--path", "/me")
    assert_cannot_audit(done, "'https://*' is not an origin")


def test_webkit_refuses_a_login_script_before_any_browser() -> None:
    """WebKit is driven through WebDriver: a login script, given a Playwright Page, is refused,
    naming the ways WebKit has."""
    done = audit("shop", "--login-script", "tests.setup_apps:script_login", "--path", "/me", browser="webkit")
    assert_cannot_audit(done, "--login-script cannot log the victim in in WebKit", "--login-url or --login-form")


# --- good shapes: each way to log in reaches a verdict --------------------------------------------


def test_a_real_login_form_logs_in_and_reaches_no_leak() -> None:
    """--login-form fills the page's username/password form, which POSTs to /session."""
    fields = ["--field", "username=alice", "--field", f"password={PASSWORD}"]
    assert_no_leak(audit("shop", "--login-form", "/login-page", *fields, "--path", "/me"))


def test_a_json_login_post_logs_in_and_reaches_no_leak() -> None:
    """--login-post with --json, sent from the audit's page on the app's origin."""
    body = json.dumps({"username": "alice", "password": PASSWORD})
    assert_no_leak(audit("shop", "--login-post", "/api/login", "--json", body, "--path", "/me"))


def test_a_playwright_storage_state_logs_in_and_reaches_no_leak(tmp_path: Path) -> None:
    """--storage-state from a file in Playwright's format (api.shop.example, SameSite None); /public is
    audited beside /me and said to be public."""
    cookie = {"name": "sid", "value": SESSION_VALUE, "domain": "api.shop.example", "path": "/", "expires": -1}
    cookie |= {"httpOnly": True, "secure": True, "sameSite": "None"}
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"cookies": [cookie], "origins": []}))
    assert_no_leak(audit("shop", "--storage-state", str(state), "--path", "/me", "--path", "/public"), "/public")


def test_a_cookie_line_as_devtools_shows_it_logs_in_and_reaches_no_leak() -> None:
    """--cookie with a whole devtools line (expires, Max-Age, Domain=.shop.example, Priority)."""
    assert_no_leak(audit("shop", "--cookie", DEVTOOLS_COOKIE, "--path", "/me"))


def test_a_login_script_logs_in_and_reaches_no_leak() -> None:
    """--login-script: the team's function fills the login form from the app's origin."""
    assert_no_leak(audit("shop", "--login-script", "tests.setup_apps:script_login", "--path", "/me"))


def test_a_login_script_that_closes_its_page_still_reaches_no_leak() -> None:
    """The login's page is its own: a script that closes it leaves the lane's proof and visits
    their page (a lane that had shared it failed here, exit 3)."""
    assert_no_leak(audit("shop", "--login-script", "tests.setup_apps:closing_login", "--path", "/me"))


def test_webkit_fills_the_login_form_and_reaches_no_leak() -> None:
    """--login-form in WebKit: the same fields filled and the form submitted, through WebDriver."""
    fields = ["--field", "username=alice", "--field", f"password={PASSWORD}"]
    assert_no_leak(audit("shop", "--login-form", "/login-page", *fields, "--path", "/me", browser="webkit"))


def test_webkit_names_a_login_form_field_the_page_lacks() -> None:
    done = audit("shop", "--login-form", "/login-page", "--field", "user=alice", "--path", "/me", browser="webkit")
    assert_cannot_audit(done, "has no field named 'user'", "username, password")


def test_webkit_takes_a_playwright_storage_state_and_reaches_no_leak(tmp_path: Path) -> None:
    """--storage-state in WebKit: its cookies added through WebDriver from the app's own page."""
    cookie = {"name": "sid", "value": SESSION_VALUE, "domain": "api.shop.example", "path": "/", "expires": -1}
    cookie |= {"httpOnly": True, "secure": True, "sameSite": "None"}
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"cookies": [cookie], "origins": []}))
    assert_no_leak(audit("shop", "--storage-state", str(state), "--path", "/me", browser="webkit"))


def test_webkit_logs_in_by_json_post_and_reaches_no_leak() -> None:
    """WebKit, through the audit's name proxy, logs in from the audit's page on the app's origin."""
    body = json.dumps({"username": "alice", "password": PASSWORD})
    assert_no_leak(audit("shop", "--login-post", "/api/login", "--json", body, "--path", "/me", browser="webkit"))


def test_webkit_finds_the_leaky_pattern_with_exit_1() -> None:
    """The look-alike subdomain reads /me in WebKit too, logged in by --login-url."""
    done = audit("leaky", "--login-url", "/login", "--path", "/me", browser="webkit")
    shown = f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert done.returncode == 1, shown
    assert "! https://corsproof-evil.shop.example (any-subdomain) read /me" in done.stdout, shown
    assert "webkit default" in done.stdout, shown
    # Which setting "default" was in WebKit, lest it be read as Safari's.
    assert "* webkit default: MiniBrowser's own default, --cookies-policy=no-third-party (Safari's is ITP)" in " ".join(
        done.stdout.split()
    ), shown


@pytest.mark.parametrize("engine", ["chromium", "firefox"])
def test_an_audit_finds_nothing_of_the_audit_before_it_in_the_kept_browsers(engine: str) -> None:
    """Canary for the browsers the file's audits share: the victim logged in to a shop whose /me a
    browser may cache, then an audit of the same shop whose login sets another cookie, on the same
    names and probe URLs: it finds neither the first's sid nor its cached answers, and says the
    login did not log in (exit 2), never "no leak". (Fails, exit 0, where the jar is copied from
    one audit's context to the next: tried.)"""
    assert_no_leak(audit("cached", "--cookie", DEVTOOLS_COOKIE, "--path", "/me", browser=engine))
    visitor = "visitor=1; Secure; SameSite=None; Path=/"
    done = audit("cached", "--cookie", visitor, "--path", "/me", browser=engine)
    assert_cannot_audit(done, "answered 401 to GET /me")


def test_a_public_path_is_reported_public_and_never_a_leak(tmp_path: Path) -> None:
    """/public answers the same without cookies: a note says public and, even on the leaky app, no
    read of it is a leak; /me beside it still leaks (exit 1)."""
    sarif = tmp_path / "audit.sarif"
    done = audit("leaky", "--login-url", "/login", "--path", "/me", "--path", "/public", "--sarif", str(sarif))
    shown = f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert done.returncode == 1, shown
    assert "/public answers the same without the victim's cookies: it is public" in done.stdout, shown
    leaked = {
        r["locations"][0]["logicalLocations"][0]["name"] for r in json.loads(sarif.read_text())["runs"][0]["results"]
    }
    assert leaked == {"/me"}, shown


def test_only_public_paths_prove_nothing_and_exit_2() -> None:
    """No path needs the cookies, so nothing shows the login worked: no "no leak" without proof."""
    assert_cannot_audit(
        audit("leaky", "--login-url", "/login", "--path", "/public"), "no path answers differently", "/public"
    )


def test_a_leaky_pattern_is_found_with_exit_1() -> None:
    """allow_origin_regex https://.*shop\\.example lets a same-site look-alike read /me: exit 1."""
    done = audit("leaky", "--login-url", "/login", "--path", "/me")
    shown = f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert done.returncode == 1, shown
    assert "LEAKS FOUND" in done.stdout, shown
    assert "! https://corsproof-evil.shop.example (any-subdomain) read /me" in done.stdout, shown
    assert "Traceback" not in done.stderr, shown


# --- fuzzed strings: no traceback, never a clean exit ------------------------------------------------

PARSER = argparse.ArgumentParser(prog="corsproof audit")
cli.add_arguments(PARSER)

ATTRIBUTES = [
    "Secure",
    "HttpOnly",
    "Path=/",
    "Path=/api",
    "Domain=api.shop.example",
    "Domain=.shop.example",
    "Domain=other.example",
    "Max-Age=0",
    "Max-Age=99999",
    "Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    "Partitioned",
    "Priority=High",
    "SameSite=None",
    "SameSite=Lax",
    "SameSite=Strict",
    "SameSite=Bogus",
]
TEXT = st.text(max_size=40)
# Printable ASCII without ";": what a Set-Cookie name or value can be, so that lines reach the browser.
ASCII = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters=";"), max_size=20)
SAMESITE = st.sampled_from(["SameSite=None", "SameSite=Lax", "SameSite=Strict", "samesite = none", "SAMESITE=lax"])


def _line(name: str, value: str, attributes: list[str], samesite: str, at: int, sep: str) -> str:
    attributes.insert(at % (len(attributes) + 1), samesite)
    return f"{name}={value}" + "".join(f"{sep}{a}" for a in attributes)


# Lines that state SameSite (so the command line takes them) with a name and value that are never
# the shop's session (sid=SESSION_VALUE): none logs the victim in.
BROWSER_COOKIES = st.builds(
    _line,
    st.one_of(st.sampled_from(["sid", "csrftoken", "__Host-sid", "__Secure-sid"]), ASCII),
    ASCII.filter(lambda value: value != SESSION_VALUE),
    st.lists(st.one_of(st.sampled_from(ATTRIBUTES), ASCII), max_size=4),
    SAMESITE,
    st.integers(0, 4),
    st.sampled_from(["; ", ";", " ; ", ";\t"]),
)
COOKIE_LINES = st.one_of(TEXT, BROWSER_COOKIES, st.just(DEVTOOLS_COOKIE))
SCHEMES = st.sampled_from(["http", "https", "ftp", "HTTPS", "", "javascript"])
HOSTS = st.one_of(
    st.sampled_from(
        ["www.shop.example", "*.shop.example", "*", "*.", "*.com", "*.co.uk", "*.*.shop.example", "[::1", "[::1]"]
        + ["127.0.0.1", "1.2.3.4", "*.1.2.3.4", "xn--bcher-kva.example", "bücher.example", "a..b", "com", "localhost"]
    ),
    TEXT,
)
PORTS = st.sampled_from(["", ":443", ":8443", ":0", ":99999", ":-1", ":x", ":"])
TAILS = st.sampled_from(["", "/", "/path", "?q", "#f"])
ORIGINS = st.one_of(
    st.just(TRUSTED), TEXT, st.builds(lambda s, h, p, t: f"{s}://{h}{p}{t}", SCHEMES, HOSTS, PORTS, TAILS)
)
# Loopback or literal addresses only: a name would be looked up in DNS by the loopback check.
TARGETS = st.one_of(
    st.just("tests.setup_apps:shop"),
    TEXT.filter(lambda text: "://" not in text),
    st.builds(
        lambda s, h, p, t: f"{s}://{h}{p}{t}",
        SCHEMES,
        st.sampled_from(["127.0.0.1", "[::1]", "localhost", "10.0.0.1", "0.0.0.0", "[::ffff:127.0.0.1]", ""]),
        PORTS,
        TAILS,
    ),
    st.builds(
        lambda module, name: f"{module}:{name}",
        st.sampled_from(["tests.setup_apps", "corsproof.examples.shop_api", "no_such_module_here", "tests"]),
        st.one_of(st.sampled_from(["shop", "COOKIE", "script_login", "_shop", "redirect_loop", "nope"]), TEXT),
    ),
)
FUZZ = settings(max_examples=150, deadline=None, database=None)
# Each example that passes the command line starts Chromium: few, and no shrinking.
BROWSER_FUZZ = settings(max_examples=6, deadline=None, database=None, phases=[Phase.explicit, Phase.generate])


def _main(args: list[str], report: Path | None = None) -> tuple[int, str, str]:
    """cli.main in this process: its exit status, stdout and stderr (the report in report, else a
    scratch folder)."""
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as scratch, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        options = PARSER.parse_args([f"--report={report or scratch}", *args])
        status = cli.main(options)
    return status, out.getvalue(), err.getvalue()


@FUZZ
@given(target=TARGETS, trusted=ORIGINS, cookie=COOKIE_LINES)
@example(target="tests.setup_apps:sh\nop", trusted=TRUSTED, cookie=DEVTOOLS_COOKIE)  # uvicorn's message quotes it raw
def test_fuzzed_command_lines_fail_in_one_line_or_make_a_plan(target: str, trusted: str, cookie: str) -> None:
    """TARGET, --trusted and --cookie strings: refused in one line (UsageError/AuditError), or a
    plan whose attacker origins derive without error; never another exception."""
    options = PARSER.parse_args([f"--as={APP_ORIGIN}", f"--trusted={trusted}", f"--cookie={cookie}", "--", target])
    try:
        planned = cli.plan_from(options)
    except (UsageError, AuditError) as error:
        said = f"corsproof audit: {error}"
        assert len(terminal_lines(said)) == 1, said
        event(f"refused: {type(error).__name__}")
        return
    event("planned")
    plan = planned[0] if isinstance(planned, tuple) else planned  # (plan, notes) since --openapi
    # Taken: what run() does before any browser must not fail either.
    assert plan.attackers and plan.controls
    assert "samesite" in cookie.lower()


@FUZZ
@given(target=TARGETS, trusted=ORIGINS)
@example(target="no\nsuch:app", trusted=TRUSTED)
def test_fuzzed_targets_and_trusted_origins_without_a_login_exit_2(target: str, trusted: str) -> None:
    """Whatever TARGET and --trusted say, with no login the audit exits 2 in one line, no traceback."""
    status, _, err = _main([f"--as={APP_ORIGIN}", f"--trusted={trusted}", "--", target])
    assert status == 2, err
    assert len(terminal_lines(err)) == 1 and "Traceback" not in err, err


@BROWSER_FUZZ
@given(cookie=BROWSER_COOKIES)
def test_fuzzed_cookie_lines_never_log_in_and_never_exit_0(cookie: str) -> None:
    """A --cookie line that is not the shop's session: exit 2 in one line, never 0, no traceback."""
    status, out, err = _main(
        [
            f"--as={APP_ORIGIN}",
            f"--trusted={TRUSTED}",
            f"--cookie={cookie}",
            "--path=/me",
            "--browser=chromium",
            *FAST,
            "tests.setup_apps:shop",
        ]
    )
    assert status == 2, f"--cookie {cookie!r}: exit {status}\n{out[-600:]}\n{err}"
    assert len(terminal_lines(err)) == 1 and "Traceback" not in err, err
