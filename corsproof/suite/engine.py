"""Plan, execute, then assert: every scenario its own test, run in groups that share a start.

At collection the plan gathers the selected scenarios by lane (browser, cookie profile) and by
the state they start from. The first test of a group to run executes the whole group in its
lane — the state made once, the scenarios in an order shuffled by the run's seed — and keeps one
Observation per scenario; each test then asserts its own. A test fails alone, with its own
message, whatever its neighbours in the group saw.
"""

from __future__ import annotations

import itertools
import random
import shutil
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

from corsproof.model import Observation
from corsproof.suite.lane import Lane, Start
from corsproof.suite.scenarios import Fetch, Scenario

_PROBES = itertools.count()  # one sequence for every engine of the process: good's record is shared
LaneKey = tuple[str, str]  # (browser, cookie profile)
ScenarioKey = tuple[str, str]  # (kind, id)


def key_of(scenario: Scenario) -> ScenarioKey:
    return type(scenario).__name__, scenario.id


@dataclass
class GroupRun:
    """What one executed group left: each scenario's observation, and its trace if kept."""

    observations: dict[ScenarioKey, Observation]
    trace: Path | None


@dataclass
class Engine:
    seed: int = 0
    trace_dir: Path | None = None  # keep a Playwright trace of each group here (None: no traces)
    shuffle: bool = True  # False: run a group in the order planned (the isolation canaries)
    # Remake the group's start when a scenario changed the cookie jar. Only the canary that proves
    # a leak would be caught turns it off.
    remake_start: bool = True
    _plan: dict[LaneKey, dict[Start, dict[ScenarioKey, Scenario]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict))
    )
    _runs: dict[tuple[LaneKey, Start], GroupRun] = field(default_factory=dict)

    def plan(self, browser: str, profile: str, scenario: Scenario) -> None:
        """Select a scenario for a lane (at collection, for every selected test)."""
        self._plan[(browser, profile)][scenario.start][key_of(scenario)] = scenario

    def observe(self, lane: Lane, scenario: Scenario) -> tuple[Observation, Path | None]:
        """This scenario's observation in the lane (its group executed on first use); the trace."""
        lane_key = (lane.browser, lane.profile)
        group = (lane_key, scenario.start)
        if group not in self._runs:
            planned = dict(self._plan[lane_key][scenario.start])
            planned.setdefault(key_of(scenario), scenario)
            self._runs[group] = self._execute(lane, scenario.start, list(planned.values()))
        run = self._runs[group]
        if key_of(scenario) not in run.observations:
            # Asked for by a test that was not planned with it (it names the scenario itself):
            # it runs alone, from the same start.
            late = self._execute(lane, scenario.start, [scenario])
            run.observations.update(late.observations)
            return late.observations[key_of(scenario)], late.trace
        return run.observations[key_of(scenario)], run.trace

    def new_probe(self, what: str) -> str:
        """A token for ?probe= that no other request of this process carries."""
        return f"{what}-{next(_PROBES)}"

    def _execute(self, lane: Lane, start: Start, scenarios: list[Scenario]) -> GroupRun:
        # Shuffled by the run's seed, then gathered by the page they start on, those that navigate
        # away last (a stable sort keeps the shuffle within each): any order must give the same
        # results, and a page is loaded again only after a scenario took the lane's page away.
        order = list(scenarios)
        if self.shuffle:
            order.sort(key=key_of)
            random.Random(f"{self.seed}/{lane.browser}/{lane.profile}/{start}").shuffle(order)
            order.sort(key=lambda scenario: (scenario.page, scenario.leaves_page))
        trace = self._start_trace(lane)
        observations: dict[ScenarioKey, Observation] = {}
        try:
            lane.begin(start)
        except (AssertionError, PlaywrightError) as error:
            _void(observations, order, f"the group's start ({start.label}) failed: {_describe(error)}")
            return GroupRun(observations, self._stop_trace(lane, trace))
        for batch in _batches(order):
            fetches = [s for s in batch if isinstance(s, Fetch)]
            if len(batch) > 1 and len(fetches) == len(batch) and self._run_batch(lane, fetches, observations):
                continue
            for scenario in batch:
                if not self._run_one(lane, start, scenario, observations):
                    _void(observations, order, f"the group's start ({start.label}) could not be made again")
                    return GroupRun(observations, self._stop_trace(lane, trace))
        return GroupRun(observations, self._stop_trace(lane, trace))

    def _run_one(
        self, lane: Lane, start: Start, scenario: Scenario, observations: dict[ScenarioKey, Observation]
    ) -> bool:
        """Run one scenario; False when the group's start could not be made again after it."""
        began = time.perf_counter()
        try:
            seen = scenario.run(lane, self.new_probe(scenario.id))
        except (AssertionError, PlaywrightError, TimeoutError) as error:
            seen = Observation("", error=_describe(error))
            lane.page.goto("about:blank")  # the next scenario starts from a page it navigates
        cost_ms = (time.perf_counter() - began) * 1000
        # A response may set a cookie (a lab's Set-Cookie, a partitioned cookie): the next
        # scenario must not see it, so the jar is checked after every scenario and the start
        # made anew when it changed.
        changed = lane.changed()
        observations[key_of(scenario)] = replace(seen, jar_changed=changed, cost_ms=cost_ms)
        if changed is not None and self.remake_start:
            try:
                lane.begin(start)
            except (AssertionError, PlaywrightError):
                return False
        return True

    def _run_batch(self, lane: Lane, batch: list[Fetch], observations: dict[ScenarioKey, Observation]) -> bool:
        """Fetches that cannot touch a cookie, from one page in one evaluate: a round trip to the
        browser that awaits a fetch costs ~12 ms where the fetch costs ~8 ms. False (and
        nothing kept) if the batch failed or the jar changed: then each runs alone."""
        began = time.perf_counter()
        probes = [self.new_probe(scenario.id) for scenario in batch]
        urls = [scenario.target.url(lane, probe) for scenario, probe in zip(batch, probes, strict=True)]
        try:
            client = lane.open(batch[0].page_url(lane))
            results = client.fetch_all([(url, dict(scenario.init)) for scenario, url in zip(batch, urls, strict=True)])
            seen = [s.observe_fetch(lane, p, u, r) for s, p, u, r in zip(batch, probes, urls, results, strict=True)]
        except (AssertionError, PlaywrightError, TimeoutError):
            return False
        if lane.changed() is not None:
            return False
        cost_ms = (time.perf_counter() - began) * 1000 / len(batch)
        for scenario, observation in zip(batch, seen, strict=True):
            observations[key_of(scenario)] = replace(observation, cost_ms=cost_ms)
        return True

    def _start_trace(self, lane: Lane) -> Path | None:
        if self.trace_dir is None or lane.tracing is None:
            return None
        self.trace_dir.mkdir(parents=True, exist_ok=True)
        lane.tracing.start_chunk()
        return self.trace_dir / f"group-{next(_PROBES)}.zip"

    def _stop_trace(self, lane: Lane, path: Path | None) -> Path | None:
        if path is not None and lane.tracing is not None:
            lane.tracing.stop_chunk(path=path)
        return path

    def discard_traces(self) -> None:
        if self.trace_dir is not None:
            shutil.rmtree(self.trace_dir, ignore_errors=True)


def _batches(order: list[Scenario]) -> list[list[Scenario]]:
    """Consecutive batchable fetches from the same page together; every other scenario alone."""
    batches: list[list[Scenario]] = []
    for scenario in order:
        joins = (
            isinstance(scenario, Fetch)
            and scenario.batchable
            and batches
            and isinstance(batches[-1][0], Fetch)
            and batches[-1][0].batchable
            and batches[-1][0].page == scenario.page
        )
        if joins:
            batches[-1].append(scenario)
        else:
            batches.append([scenario])
    return batches


def _void(observations: dict[ScenarioKey, Observation], order: list[Scenario], why: str) -> None:
    """Every scenario of the group that has no observation yet gets one that says why it did not run."""
    for scenario in order:
        observations.setdefault(key_of(scenario), Observation("", error=why))


def _describe(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    where = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
    return text + "".join(f" (at {frame.filename}:{frame.lineno})" for frame in where)
