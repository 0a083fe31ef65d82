"""scripts/suite, the README's test command once set up: a run, or either of its two halves run side
by side (tests/ and e2e/), that tests nothing is a failure, said in one line; pytest's exit 5
never passes. Either way it keeps what the machine's cores did meanwhile, for scripts/benchmark."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NO_SUCH_TEST = "corsproof_no_test_is_named_this"


def suite(results: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CORSPROOF_TEST_RESULTS": str(results)}
    return subprocess.run(
        ["bash", "scripts/suite", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_half_that_tests_nothing_fails_the_run_when_the_other_passes(tmp_path: Path) -> None:
    """-k picks one test of e2e/ (it needs no browser): the browser half passes, the tooling half
    runs nothing, and the run fails."""
    done = suite(tmp_path, "-k", "test_the_area_declares_itself")
    shown = f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr}"
    assert "1 passed" in done.stdout, shown
    assert done.returncode == 1, shown
    assert "the tooling tests (tests/) collected no tests" in done.stderr, shown
    assert (tmp_path / "browsers" / "junit.xml").is_file(), shown
    # What the machine's cores did meanwhile, kept beside the halves and said by the benchmark.
    split = subprocess.run(
        [sys.executable, "scripts/benchmark", "--run", str(tmp_path / "browsers" / "junit.xml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert split.returncode == 0, split.stderr
    assert re.search(r"the machine's \d+ cores during the run .*: \d+ s of CPU busy, \d+ s idle", split.stdout), (
        split.stdout
    )


def test_a_path_runs_one_pytest_and_collecting_nothing_there_fails(tmp_path: Path) -> None:
    done = suite(tmp_path, "tests/test_model.py", "-k", NO_SUCH_TEST)
    shown = f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr}"
    assert done.returncode == 1, shown
    assert done.stderr.strip().splitlines() == [
        "suite: pytest collected no tests; a run that tests nothing is a failure"
    ]
    assert not (tmp_path / "tooling").exists(), shown
    assert len((tmp_path / "machine-cpu").read_text().splitlines()) == 3, "its cores, and /proc/stat at start and end"
