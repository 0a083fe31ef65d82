"""Shared state is proven harmless: canaries that fail if one scenario could see another's state.

Each canary runs a writer and then a reader in one group of a fresh engine, in that order, in the
lane every other scenario uses (e2e/isolation_cases.py). A control run shows each canary has
teeth: with the engine's protection off (the jar not reset; the same probe for both), the reader
does see the writer's cookie or cache entry.
"""

from __future__ import annotations

import pytest

from corsproof import webkit
from corsproof.model import Observation, ScenarioFailed, check
from corsproof.suite.engine import Engine
from corsproof.suite.lane import Lane
from corsproof.suite.scenarios import Fetch, expected
from e2e.isolation_cases import CACHE_CANARY, COOKIE_CANARY, WRITER_REFUSED


def run_in_order(lane: Lane, scenarios: tuple[Fetch, ...], engine: Engine) -> list[Observation]:
    for scenario in scenarios:
        engine.plan(lane.browser, lane.profile, scenario)
    return [engine.observe(lane, scenario)[0] for scenario in scenarios]


def test_a_cookie_one_scenario_got_never_reaches_the_next(clean_lane: Lane) -> None:
    writer, reader = run_in_order(clean_lane, COOKIE_CANARY, Engine(shuffle=False))
    if (clean_lane.browser, clean_lane.profile) in WRITER_REFUSED:
        assert writer.jar_changed is None, "the browser refuses the writer's cookie: nothing can leak"
    else:
        assert writer.jar_changed is not None and "lab" in writer.jar_changed, "the writer's cookie was kept"
    for scenario, seen in zip(COOKIE_CANARY, (writer, reader), strict=True):
        check(scenario.id, expected(scenario, clean_lane.browser, clean_lane.profile), seen)


def test_the_cookie_canary_fails_when_the_jar_is_not_reset(clean_lane: Lane) -> None:
    writer, reader = run_in_order(clean_lane, COOKIE_CANARY, Engine(shuffle=False, remake_start=False))
    if (clean_lane.browser, clean_lane.profile) in WRITER_REFUSED:
        # Nothing exists here to leak (isolation_cases.py): even unreset, the jar stays empty.
        assert writer.jar_changed is None and not any(e.cookies for e in reader.requests)
        return
    with pytest.raises(ScenarioFailed, match="cookies this scenario never set: \\['lab'\\]"):
        check("cookie-reader", expected(COOKIE_CANARY[1], clean_lane.browser, clean_lane.profile), reader)


def test_no_cache_entry_of_one_scenario_answers_the_next(clean_lane: Lane) -> None:
    writer, reader = run_in_order(clean_lane, CACHE_CANARY, Engine(shuffle=False))
    for scenario, seen in zip(CACHE_CANARY, (writer, reader), strict=True):
        check(scenario.id, expected(scenario, clean_lane.browser, clean_lane.profile), seen)


def test_the_cache_canary_fails_when_two_scenarios_share_a_probe(clean_lane: Lane) -> None:
    """The same probe makes the same URL: then the writer's cached preflight and answer serve the
    reader, and good never sees it (the HTTP cache answers without asking)."""
    engine = Engine(shuffle=False)
    shared = engine.new_probe("shared")
    engine.new_probe = lambda what: shared  # type: ignore[method-assign]
    _, reader = run_in_order(clean_lane, CACHE_CANARY, engine)
    assert reader.page is not None and reader.page.outcome == "read"
    # Under one probe good's record holds both: only the writer's preflight and request are there.
    seen = [e.method for e in reader.exchanges]
    if not webkit.http_cache_answers_fetches(clean_lane.browser):
        # WebKit answers no fetch from its HTTP cache (corsproof/webkit.py), so the reader's GET
        # reaches good; its preflight cache does answer: the reader's own preflight is missing.
        assert seen == ["OPTIONS", "GET", "GET"], f"good saw the reader's preflight, so no cache was shared: {seen}"
        return
    assert seen == ["OPTIONS", "GET"], f"good saw the reader, so the cache was not shared: {seen}"
