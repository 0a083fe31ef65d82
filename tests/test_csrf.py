"""The CSRF defences' decisions, without a browser: every header combination Go's
CrossOriginProtection distinguishes, and the token check's clear refusals."""

from __future__ import annotations

import httpx
import pytest
from starlette.datastructures import Headers

from servers.csrf import cross_origin_refusal
from servers.good import PASSWORD
from servers.sites import running_sites

HOST = "good.localhost:8000"


@pytest.mark.parametrize(
    ("method", "headers", "refused"),
    [
        ("GET", {"sec-fetch-site": "cross-site"}, False),  # safe methods always pass
        ("POST", {"sec-fetch-site": "same-origin"}, False),
        ("POST", {"sec-fetch-site": "none"}, False),  # typed in the address bar, a bookmark
        ("POST", {"sec-fetch-site": "same-site"}, True),  # a sibling is another origin
        ("POST", {"sec-fetch-site": "cross-site"}, True),
        ("POST", {"origin": f"http://{HOST}"}, False),  # no Fetch metadata: compare Origin and Host
        ("POST", {"origin": "http://evil.localhost:8003"}, True),
        ("POST", {"origin": "null"}, True),
        ("POST", {}, False),  # neither header: not a browser
    ],
)
def test_cross_origin_refusal(method: str, headers: dict[str, str], refused: bool) -> None:
    why = cross_origin_refusal(method, Headers({"host": HOST, **headers}))
    assert (why is not None) == refused


def test_token_defence_refuses_clearly_and_moves_nothing() -> None:
    with running_sites() as sites:
        port = sites.origins.good.rsplit(":", 1)[1]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as good:
            # httpx keeps a Secure cookie off plain http: carry the session by hand.
            session = good.post("/login", data={"password": PASSWORD}).cookies["session"]
            good.headers["Cookie"] = f"session={session}"
            refused = good.post(
                "/csrf-token/transfer?probe=t", data={"to": "evil", "amount": "5", "csrf_token": "guess"}
            )
            # A forgery knows no token at all: the form without one is refused the same way.
            missing = good.post("/csrf-token/transfer?probe=t", data={"to": "evil", "amount": "5"})
            token = good.get("/csrf-token/token").text
            accepted = good.post(
                "/csrf-token/transfer?probe=t", data={"to": "a friend", "amount": "5", "csrf_token": token}
            )
        for answer in (refused, missing):
            assert (answer.status_code, answer.text) == (
                403,
                "Refused as cross-site request forgery: the CSRF token is missing or wrong",
            )
        assert accepted.status_code == 200
        assert [t.to for t in sites.good.transfers_for("t")] == ["a friend"]
