"""What a run keeps in pytest's stash, shared by the suite plugin's parts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from corsproof.suite.engine import Engine as ScenarioEngine
from corsproof.suite.lane import Lane, Start

if TYPE_CHECKING:
    from corsproof.suite.aged_lane import ClockLadder  # which imports this module

ENGINE = pytest.StashKey[ScenarioEngine]()
# Slow lane: the browsers of the selected slow tests, each with the start its scenario needs (None:
# the browser alone, for the clock's checks); their contexts, made as the run starts, and when
# (time.monotonic()).
AGED_STARTS = pytest.StashKey[set[tuple[str, Start | None]]]()
# Each aged context, when its cookies were set (time.monotonic()) and how fast its browser's clock runs.
AGING = pytest.StashKey[dict[tuple[str, Start], tuple[Lane, float, int]]]()
# Each aged browser's ladder of cookies, by browser.
LADDERS = pytest.StashKey[dict[str, "ClockLadder"]]()
DRIVER_NOTES = pytest.StashKey[set[str]]()  # why a browser's driver channel is slow (bidi_socket.py)
LENT_BROWSERS_PATH = pytest.StashKey[Path | None]()  # corsproof/video.py
# Tests deselected because their area has no expectations measured in a browser yet: one line each.
UNMEASURED = pytest.StashKey[set[str]]()

# Names in the JUnit report that scripts/benchmark --run reads: a lane's browser start-up (a
# property of the run: "startup_s chromium default"), and the real seconds an aged test's cookies
# needed to reach their age on their browser's clock (a property of the test).
STARTUP = "startup_s"
AGED_REAL = "aged_real_s"
