"""The one expectation model and its check, without a browser: what a failure says, what passes."""

from __future__ import annotations

import json

import pytest

from corsproof.model import ANY, SESSION, Expect, Observation, ScenarioFailed, by_profile, check, outcome, pick
from corsproof.pages import FetchResult
from corsproof.serving.recorder import Exchange

PAGE = "http://thirdparty.localhost:1"


def exchange(method: str = "GET", cookie: str = "", origin: str = PAGE, status: int = 200) -> Exchange:
    headers = {"origin": origin, **({"cookie": cookie} if cookie else {})}
    return Exchange("good", method, "/private", "probe=p", headers, status, {})


def seen(
    *exchanges: Exchange, outcome: str = "read", body: str = "PRIVATE", watched: frozenset[str] = SESSION
) -> Observation:
    return Observation(PAGE, FetchResult(outcome, 200, body), exchanges, watched)  # type: ignore[arg-type]


def test_a_matching_observation_passes() -> None:
    check(
        "s",
        outcome("read", "listed", body="PRIVATE", cookies=SESSION, origins=("page",)),
        seen(exchange(cookie="session=1")),
    )


def test_a_failure_names_what_was_expected_why_and_what_was_seen() -> None:
    expect = outcome("blocked", "evil is not listed", reason="MissingAllowOriginHeader")
    with pytest.raises(ScenarioFailed) as failure:
        check("allowlist-keeps-evil-out", expect, seen(exchange()))
    text = str(failure.value)
    assert "allowlist-keeps-evil-out: expected because evil is not listed" in text
    assert "page saw: expected 'blocked', saw 'read'" in text
    assert "evidence: " in text and "GET /private?probe=p" in text


def test_a_cookie_the_group_never_set_fails_whatever_was_expected() -> None:
    with pytest.raises(ScenarioFailed, match=r"cookies this scenario never set: \['lab'\]"):
        check("s", Expect("any", cookies=None), seen(exchange(cookie="lab=1")))


def test_requests_that_disagree_on_cookies_fail() -> None:
    with pytest.raises(ScenarioFailed, match="requests at the target disagree"):
        check(
            "s",
            Expect("a retried request", cookies=SESSION, requests=None),
            seen(exchange(cookie="session=1"), exchange(), watched=SESSION),
        )


def test_fields_left_at_none_are_not_asserted() -> None:
    check(
        "s",
        Expect("only the status", preflights=None, requests=None, cookies=None, status=200),
        seen(exchange(), exchange()),
    )


def test_the_most_specific_expectation_wins() -> None:
    withheld, allowed = Expect("withheld"), Expect("allowed")
    expectations = {**by_profile(withheld, allowed), ("firefox", "default"): Expect("firefox")}
    assert pick(expectations, "chromium", "default", "x") is withheld
    assert pick(expectations, "firefox", "default", "x").why == "firefox"
    assert pick(expectations, "firefox", "third-party-allowed", "x") is allowed
    with pytest.raises(LookupError, match="no expectation for chromium / other"):
        pick({(ANY, "default"): withheld}, "chromium", "other", "x")


def test_an_observation_is_json_whole() -> None:
    observation = seen(exchange(cookie="session=1"))
    assert json.loads(json.dumps(observation.to_json()))["exchanges"][0]["request_headers"]["cookie"] == "session=1"
