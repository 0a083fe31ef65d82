"""Shards: --shard I/N splits the suite so that every test runs in exactly one shard and every lane
whole in one; corsproof report merge joins the shards' reports into the report one run makes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from corsproof import cli, report
from corsproof.browsers import ENGINES
from tests.report_data import sample

ROOT = Path(__file__).resolve().parent.parent


def collected(*runs: tuple[str, ...]) -> list[list[str]]:
    """The test ids each collection (its options) finds, the collections side by side (each a
    pytest of its own, CPU-bound: two at once on two cores)."""
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly", *options],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for options in runs
    ]
    found = []
    for process in started:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-2000:]
        found.append([line for line in out.splitlines() if "::" in line])
    return found


def lane(test_id: str) -> str | None:
    params = test_id.partition("[")[2]
    for profile in ("third-party-allowed", "third-party-blocked", "default"):
        for browser in ENGINES:
            if f"{profile}-{browser}" in params:
                return f"{browser}/{profile}"
    return None


def test_three_shards_run_every_test_once_and_every_lane_whole() -> None:
    everything, *shards = collected((), *(("--shard", f"{index}/3") for index in (1, 2, 3)))
    assert {lane(t) for t in everything} >= {f"{b}/{p}" for b in ENGINES for p in ("default", "third-party-allowed")}
    assert sorted(sum(shards, [])) == sorted(everything)
    assert all(shards), "a shard with no test"
    for one in shards:
        others = {t for other in shards if other is not one for t in other}
        assert not {lane(t) for t in one if lane(t)} & {lane(t) for t in others if lane(t)}


def test_a_bad_shard_is_refused_in_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "--shard", "0/2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "--shard must be I/N with 1 <= I <= N" in result.stderr and "Traceback" not in result.stderr


def test_merging_shards_gives_the_report_of_one_run(tmp_path: Path) -> None:
    whole = sample()
    for browser in ("chromium", "firefox"):
        part = {**whole, "cells": [c for c in whole["cells"] if c["browser"] == browser]}
        part["browsers"] = [b for b in whole["browsers"] if b["name"] == browser]
        report.write(part, tmp_path / f"{browser}.json")
    out = tmp_path / "merged"
    assert cli.main(["report", "merge", str(out), str(tmp_path / "chromium.json"), str(tmp_path / "firefox.json")]) == 0
    merged = report.load(out / "report.json")
    assert merged["summary"] == whole["summary"] and merged["cells"] == whole["cells"]
    assert (out / "report.html").read_text().startswith("<!doctype html>")


def test_a_cell_in_two_shards_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report.write(sample(), tmp_path / "a.json")
    assert cli.main(["report", "merge", str(tmp_path / "out"), str(tmp_path / "a.json"), str(tmp_path / "a.json")]) == 2
    assert "is in more than one of the reports merged" in capsys.readouterr().err
