"""Which tests a run keeps, in what order, and in which shard or xdist worker.

Browser-only tests are deselected in the other browser before anything runs; the selected
scenarios are planned into groups (corsproof/suite/engine.py); the slow ones run last.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable

import pytest

from corsproof.report.collect import params_of
from corsproof.suite import state


class LaneGroups:
    """Under pytest-xdist (--dist loadgroup), every test of a lane runs on one worker: a lane is
    one browser process, and its groups of scenarios are planned per worker. Every other test
    runs on the worker of its module: a module's fixtures (an audit, servers) are made once."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            lane = _lane_of(item)
            item.add_marker(pytest.mark.xdist_group(lane if lane is not None else item.nodeid.split("::")[0]))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect browser-only tests in the other browser before anything runs, and plan the
    selected scenarios (the last word on selection: -k and -m have already been applied)."""
    in_shard = _shard_filter(config.getoption("--shard"), items)
    kept, dropped = [], []
    for item in items:
        params = params_of(item)
        only = item.get_closest_marker("only_browser")
        if (only is not None and params.get("browser_name") not in only.args) or not in_shard(item):
            dropped.append(item)
        elif (gap := _unmeasured(item, params.get("browser_name"))) is not None:
            config.stash[state.UNMEASURED].add(gap)
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    engine = config.stash[state.ENGINE]
    for item in items:
        params = params_of(item)
        if "browser_name" not in params:
            continue
        scenario = params.get("scenario")
        if item.get_closest_marker("slow") is not None:
            # The aged lane's: its browser, and the start its scenario needs (the clock's checks need none).
            config.stash[state.AGED_STARTS].add((params["browser_name"], None if scenario is None else scenario.start))
        elif scenario is not None and "cookie_profile" in params:
            engine.plan(params["browser_name"], params["cookie_profile"].value, scenario)
    # Slow tests last, in whatever order the rest has: their wait overlaps everything before them.
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)


def _unmeasured(item: pytest.Item, browser: str | None) -> str | None:
    """A test whose area has no expectations measured in this browser yet: one line saying so.
    It is deselected, and the run's summary names every such gap (never a silent pass)."""
    for marker in item.iter_markers("unmeasured"):
        if marker.args[0] == browser:
            return f"{browser}: {item.nodeid.split('::')[0]}: {marker.args[1]}"
    return None


def _lane_of(item: pytest.Item) -> str | None:
    params = params_of(item)
    if "browser_name" in params and "cookie_profile" in params:
        return f"{params['browser_name']}/{params['cookie_profile'].value}"
    return None


def _shard_filter(option: str | None, items: list[pytest.Item]) -> Callable[[pytest.Item], bool]:
    """Which items shard I of N runs: each lane whole (its browser starts once), the largest lanes
    first to the shard with the fewest tests so far; every other test by a stable hash of its id.
    Every shard computes the same split from the same collection."""
    if option is None:
        return lambda item: True
    index, _, count = option.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise pytest.UsageError(f"--shard must be I/N with 1 <= I <= N, like 2/3; not {option!r}")
    shard, shards = int(index) - 1, int(count)
    sizes = Counter(lane for item in items if (lane := _lane_of(item)) is not None)
    loads = [0] * shards
    owner: dict[str, int] = {}
    for lane, size in sorted(sizes.items(), key=lambda pair: (-pair[1], pair[0])):
        owner[lane] = loads.index(min(loads))
        loads[owner[lane]] += size

    def in_shard(item: pytest.Item) -> bool:
        lane = _lane_of(item)
        if lane is not None:
            return owner[lane] == shard
        return zlib.crc32(item.nodeid.encode()) % shards == shard

    return in_shard
