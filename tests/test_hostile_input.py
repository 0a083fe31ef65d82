"""Hostile input, as an attacker would send it: every site answers every request with a clear
status, never a 5xx, never a dropped connection; no header value goes out with a control
character; a refused forgery carries nothing out; the safe policy allows only its own list.

Requests are raw bytes over a socket (not httpx, which would refuse to send much of this), made
by hypothesis: Origin values that are not URLs, Access-Control-Request-* lists, Cookie headers,
lab query parameters, odd methods, paths and bodies, against every site and every mounted policy.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servers.attacks import ATTACK_POLICIES
from servers.policies import POLICIES
from servers.sites import Sites, running_sites

DEADLINE_S = 5.0
# In CI the examples are derived from each test's name, so a run can be repeated exactly; elsewhere
# every run explores new ones (and hypothesis prints any failing example to replay).
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
MOUNTS = [f"/{p.name}" for p in POLICIES + ATTACK_POLICIES] + ["", "/csrf-origin-check", "/csrf-token"]
PATHS = ["/", "/private", "/api/public", "/transfer", "/login", "/logout", "/token"]
LAB_PARAMS = [
    "acao",
    "acac",
    "acam",
    "acah",
    "aceh",
    "vary",
    "cache",
    "location",
    "redirect",
    "predirect",
    "pstatus",
    "max_age",
    "p_acao",
    "p_acac",
]
SAFE_LISTED = {"thirdparty", "sibling"}  # the safe policy's list: thirdparty and app.good (servers/attacks.py)

# Header values as raw bytes: anything but CR and LF, which would end the header line.
header_bytes = st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
origins = st.one_of(
    header_bytes,
    st.sampled_from(
        [
            b"null",
            b"http://[::1",
            b"http://evil.localhost:1",
            b"http://good.localhost:99999",
            b"\xff\xfe",
            b"http://thirdparty.localhost.evil.localhost",
            b"*",
            b"",
            b"http://",
        ]
    ),
    st.text(max_size=40).map(lambda t: t.encode("utf-8")),
)
token = st.text(st.characters(codec="ascii", exclude_categories=["Cc", "Zs"]), min_size=1, max_size=12)
methods = st.one_of(st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"]), token)
any_text = st.text(max_size=40)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    raw: bytes


def send_raw(
    port: int, host: str, request_line: bytes, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> Answer:
    """One request over a new connection; the answer, or an AssertionError if the server closed
    the connection without one."""
    lines = [request_line, b"Host: " + host.encode()] + [name + b": " + value for name, value in headers]
    lines += [b"Content-Length: " + str(len(body)).encode(), b"Connection: close"]
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S) as connection:
        connection.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        raw = b""
        while chunk := connection.recv(65536):
            raw += chunk
    assert raw, f"the server closed the connection without an answer to {request_line!r} {headers!r}"
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    status = int(head[0].split(b" ")[1])
    parsed = [tuple(line.split(b":", 1)) for line in head[1:]]
    return Answer(status, [(n.strip().lower(), v.strip()) for n, v in parsed], raw)  # type: ignore[misc]


def assert_well_formed(answer: Answer, what: str) -> None:
    assert answer.status < 500, f"{what}: {answer.status}\n{answer.raw[:600]!r}"
    for name, value in answer.headers:
        assert not any(b < 32 and b != 9 for b in value), f"{what}: header {name!r} carries a control character"


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    with running_sites() as running:
        yield running


def port_of(sites: Sites, site: str) -> int:
    return int(sites.origins.of(site).rsplit(":", 1)[1])


@SETTINGS
@given(
    method=methods,
    mount=st.sampled_from(MOUNTS),
    path=st.sampled_from(PATHS),
    origin=origins,
    request_method=header_bytes,
    request_headers=header_bytes,
    cookie=header_bytes,
    body=st.binary(max_size=80),
    content_type=st.sampled_from([b"text/plain", b"application/x-www-form-urlencoded", b"application/json", b"\x00"]),
)
def test_good_answers_every_policy_clearly(
    sites: Sites,
    method: str,
    mount: str,
    path: str,
    origin: bytes,
    request_method: bytes,
    request_headers: bytes,
    cookie: bytes,
    body: bytes,
    content_type: bytes,
) -> None:
    headers = [
        (b"Origin", origin),
        (b"Access-Control-Request-Method", request_method),
        (b"Access-Control-Request-Headers", request_headers),
        (b"Cookie", cookie),
        (b"Content-Type", content_type),
    ]
    probe = f"hostile-{abs(hash((method, mount, path, origin, body)))}"
    line = f"{method} {mount}{path}?probe={probe} HTTP/1.1".encode()
    answer = send_raw(port_of(sites, "good"), "good.localhost", line, headers, body)
    assert_well_formed(answer, f"{method} {mount}{path} Origin {origin!r}")
    if mount.startswith("/csrf-") and answer.status == 403:
        assert sites.good.transfers_for(probe) == [], "a refused forgery carried something out"


@SETTINGS
@given(origin=origins, method=st.sampled_from(["GET", "OPTIONS"]))
def test_the_safe_policy_allows_only_its_own_origins(sites: Sites, origin: bytes, method: str) -> None:
    answer = send_raw(
        port_of(sites, "good"),
        "good.localhost",
        f"{method} /safe-allowlist/private HTTP/1.1".encode(),
        [(b"Origin", origin), (b"Access-Control-Request-Method", b"GET")],
    )
    assert_well_formed(answer, f"safe policy, Origin {origin!r}")
    allowed = dict(answer.headers).get(b"access-control-allow-origin")
    listed = {sites.origins.of(site).encode() for site in SAFE_LISTED}
    assert allowed is None or (allowed == origin and origin in listed), f"the safe policy allowed {allowed!r}"


@SETTINGS
@given(
    site=st.sampled_from(["good", "thirdparty", "evil", "sibling"]),
    params=st.lists(st.tuples(st.sampled_from(LAB_PARAMS), any_text), max_size=5),
    method=methods,
    origin=origins,
)
def test_the_cors_lab_refuses_what_http_cannot_carry(
    sites: Sites, site: str, params: list[tuple[str, str]], method: str, origin: bytes
) -> None:
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in params)
    line = f"{method} /cors-lab/resource?{query} HTTP/1.1".encode()
    answer = send_raw(
        port_of(sites, site),
        f"{site}.localhost",
        line,
        [(b"Origin", origin), (b"Access-Control-Request-Method", b"PUT")],
    )
    assert_well_formed(answer, f"{site} cors lab {query!r}")


@SETTINGS
@given(
    site=st.sampled_from(["good", "thirdparty", "evil", "sibling"]),
    path=any_text,
    method=methods,
    name=any_text,
    samesite=any_text,
    max_age=any_text,
)
def test_every_site_answers_odd_paths_and_the_cookie_lab_odd_names(
    sites: Sites, site: str, path: str, method: str, name: str, samesite: str, max_age: str
) -> None:
    for target in (
        f"/{quote(path)}",
        f"/exploits/{quote(path)}",
        f"/cookie-lab/set?name={quote(name)}&samesite={quote(samesite)}&max_age={quote(max_age)}",
    ):
        answer = send_raw(port_of(sites, site), f"{site}.localhost", f"{method} {target} HTTP/1.1".encode(), [])
        assert_well_formed(answer, f"{method} {site}{target}")
