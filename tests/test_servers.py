"""The sites without a browser: start and stop on time, and bad input gets a clear 4xx, never a 500."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from corsproof.serving.runner import ServerThread, bind_loopback_socket
from corsproof.suite.serve import main as serve_main
from servers.good import PASSWORD
from servers.policies import POLICIES
from servers.sites import Sites, running_sites


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    with running_sites() as running:
        yield running


@pytest.fixture
def good(sites: Sites) -> Iterator[httpx.Client]:
    # httpx, not a browser: these tests are about what the server does with any bytes it gets.
    port = sites.origins.good.rsplit(":", 1)[1]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Host": f"good.localhost:{port}"}) as client:
        yield client


def test_every_site_answers_on_its_own_port(sites: Sites) -> None:
    ports = {sites.origins.of(name).rsplit(":", 1)[1] for name in ("good", "sibling", "thirdparty", "evil")}
    assert len(ports) == 4
    for name in ("good", "sibling", "thirdparty", "evil"):
        port = sites.origins.of(name).rsplit(":", 1)[1]
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200


def test_login_sets_a_random_httponly_secure_cookie_with_explicit_samesite(good: httpx.Client) -> None:
    first = good.post("/login", data={"password": PASSWORD})
    second = good.post("/login", data={"password": PASSWORD, "samesite": "strict"})
    assert first.status_code == second.status_code == 303
    cookie = first.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=none" in cookie
    assert "samesite=strict" in second.headers["set-cookie"].lower()
    assert first.cookies["session"] != second.cookies["session"]


def test_wrong_password_is_refused(good: httpx.Client) -> None:
    response = good.post("/login", data={"password": "opensesam"})
    assert (response.status_code, response.text) == (401, "Wrong password")
    assert "set-cookie" not in response.headers


def test_private_needs_a_session(good: httpx.Client) -> None:
    assert good.get("/private").text == "Please login first"
    session = good.post("/login", data={"password": PASSWORD}).cookies["session"]
    assert good.get("/private", headers={"Cookie": f"session={session}"}).text.startswith("PRIVATE")


@pytest.mark.parametrize(
    ("request_kwargs", "status", "says"),
    [
        ({"data": {"password": PASSWORD, "samesite": "sometimes"}}, 422, "samesite"),
        ({"data": {"to": "", "amount": "5"}}, 400, "'to' is required"),
        ({"data": {"to": "evil", "amount": "lots"}}, 400, "whole number"),
        ({"data": {"to": "evil", "amount": "-3"}}, 400, "between 1 and"),
        ({"content": b"\xff\xfe to=%%%", "headers": {"Content-Type": "text/plain"}}, 400, "'to' is required"),
    ],
    ids=["bad-samesite", "empty-to", "amount-not-a-number", "negative-amount", "garbage-body"],
)
def test_bad_input_gets_a_clear_4xx(good: httpx.Client, request_kwargs: dict, status: int, says: str) -> None:
    session = good.post("/login", data={"password": PASSWORD}).cookies["session"]
    path = "/login" if "samesite" in str(request_kwargs) else "/transfer"
    headers = {"Cookie": f"session={session}", **request_kwargs.pop("headers", {})}
    response = good.post(path, headers=headers, **request_kwargs)
    assert response.status_code == status
    assert says in response.text


@pytest.mark.parametrize("policy", [p.name for p in POLICIES])
@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "null"},
        {"Origin": "http://"},
        {"Origin": "http://évil.localhost".encode()},  # raw UTF-8 bytes on the wire
        {"Origin": "http://a.localhost, http://b.localhost"},
        {"Cookie": 'session="unterminated; ;;=; \x7f'},
        {"Origin": "http://evil.localhost", "Access-Control-Request-Method": "P\tUT"},
    ],
    ids=["null", "no-host", "non-ascii", "two-origins", "malformed-cookie", "odd-request-method"],
)
def test_malformed_headers_never_cause_a_server_error(good: httpx.Client, policy: str, headers: dict) -> None:
    prefix = "" if policy == "no-cors" else f"/{policy}"
    for method in ("GET", "OPTIONS"):
        response = good.request(method, f"{prefix}/private", headers=headers)
        assert response.status_code < 500, response.text


def test_serve_command_starts_every_site_and_stops(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve_main(["--base-port", "0", "--check"]) == 0
    out = capsys.readouterr().out
    assert "http://good.localhost:" in out and "all sites answer" in out


def test_serve_command_rejects_a_bad_port() -> None:
    with pytest.raises(SystemExit) as exit_info:
        serve_main(["--base-port", "80"])
    assert exit_info.value.code == 2


def test_server_sockets_say_they_are_tcp_so_responses_are_not_delayed() -> None:
    """asyncio sets TCP_NODELAY only on sockets created with proto=IPPROTO_TCP (measured: 46 ms -> 5 ms)."""
    sock = bind_loopback_socket()
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def test_a_server_that_cannot_start_says_so_within_its_deadline() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # uvicorn cannot serve HTTP over UDP
    sock.bind(("127.0.0.1", 0))
    server = ServerThread("broken", lambda scope, receive, send: None, sock)
    try:
        with pytest.raises(RuntimeError, match="server 'broken' failed to start"):
            server.start(deadline_s=10)
    finally:
        sock.close()


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("redirect=399&location=/", "redirect must be one of"),
        ("redirect=302", "a redirect needs location"),
        ("redirect=abc", "must be an HTTP status"),
    ],
)
def test_cors_lab_refuses_bad_parameters_clearly(good: httpx.Client, query: str, says: str) -> None:
    response = good.get(f"/cors-lab/resource?{query}")
    assert response.status_code == 400 and says in response.text


@pytest.mark.parametrize(
    ("query", "says"), [("pstatus=99", "must be an HTTP status"), ("max_age=soon", "max_age must be an integer")]
)
def test_cors_lab_refuses_bad_preflight_parameters_clearly(good: httpx.Client, query: str, says: str) -> None:
    response = good.options(
        f"/cors-lab/resource?{query}", headers={"Origin": "http://x.localhost", "Access-Control-Request-Method": "PUT"}
    )
    assert response.status_code == 400 and says in response.text


def test_cors_lab_answers_any_method_token(good: httpx.Client) -> None:
    response = good.request("CHICKEN", "/cors-lab/resource?acao=*")
    assert response.status_code == 200 and response.text.startswith("lab CHICKEN")


def test_the_cookie_labs_max_age_is_a_number_of_seconds_or_a_400(good: httpx.Client) -> None:
    """The aged lane's clock check sets a cookie with Max-Age through the lab; anything but digits is refused."""
    brief = good.get("/cookie-lab/set", params={"name": "brief", "samesite": "lax", "max_age": "30"})
    assert brief.status_code == 200
    assert brief.headers["set-cookie"] == "brief=1; Path=/; Max-Age=30; SameSite=Lax"
    assert "max-age" not in good.get("/cookie-lab/set", params={"name": "kept"}).headers["set-cookie"].lower()
    for bad in ("-1", "30s", "1e3", "9" * 12):
        refused = good.get("/cookie-lab/set", params={"name": "brief", "max_age": bad})
        assert refused.status_code == 400 and "max_age" in refused.text, bad
