"""The order in which the engine runs a group (corsproof/suite/engine.py): shuffled by the run's
seed, gathered by the page each scenario starts on, and on each page the scenarios that take the
page away after the others, so that a page is loaded again only after one took it away."""

from __future__ import annotations

from dataclasses import dataclass, field

from corsproof.model import Observation
from corsproof.suite.engine import Engine
from corsproof.suite.lane import LOGGED_OUT, Start


@dataclass
class RecordingLane:
    """What the engine asks of a lane, with no browser: the scenarios record the order they ran in."""

    ran: list[str] = field(default_factory=list)
    browser: str = "chromium"
    profile: str = "default"

    def begin(self, start: Start) -> None:
        pass

    def changed(self) -> str | None:
        return None


@dataclass(frozen=True)
class Step:
    id: str
    page: str
    leaves_page: bool
    start: Start = LOGGED_OUT
    expect: tuple[()] = ()

    def run(self, lane: RecordingLane, probe: str) -> Observation:
        lane.ran.append(self.id)
        return Observation(page_origin=self.page)


STEPS = [
    Step(f"{page}-{kind}-{n}", page, kind == "leaves")
    for page in ("evil", "thirdparty")
    for kind in ("stays", "leaves")
    for n in range(6)
]


def run_order(seed: int) -> list[Step]:
    engine = Engine(seed=seed)
    lane = RecordingLane()
    for step in STEPS:
        engine.plan(lane.browser, lane.profile, step)  # type: ignore[arg-type]
    engine.observe(lane, STEPS[0])  # type: ignore[arg-type]
    by_id = {step.id: step for step in STEPS}
    return [by_id[ran] for ran in lane.ran]


def test_each_page_runs_its_scenarios_that_stay_before_those_that_take_it_away() -> None:
    order = run_order(seed=1)
    assert sorted(order, key=lambda step: step.id) == sorted(STEPS, key=lambda step: step.id)
    assert [(step.page, step.leaves_page) for step in order] == sorted((s.page, s.leaves_page) for s in STEPS)


def test_the_seed_still_shuffles_the_scenarios_within_each_part() -> None:
    first, second = run_order(seed=1), run_order(seed=2)
    assert [step.id for step in first] != [step.id for step in second]
    assert [(s.page, s.leaves_page) for s in first] == [(s.page, s.leaves_page) for s in second]
