"""What changed between two reports: each cell whose behaviour differs, appeared or disappeared
(`corsproof diff`, and the suite's comparison of a run with the baseline)."""

from __future__ import annotations

from typing import Any

from corsproof import report


def changes(old: dict[str, Any], new: dict[str, Any]) -> dict[tuple[str, str, str, str], str]:
    """Each cell whose behaviour differs, appeared or disappeared: one line, with both browsers."""
    before = {report.key(row): row for row in old["cells"]}
    after = {report.key(row): row for row in new["cells"]}
    versions = {
        which: {(b["name"], b["cookie_profile"]): b["version"] for b in data["browsers"]}
        for which, data in (("old", old), ("new", new))
    }
    lines: dict[tuple[str, str, str, str], str] = {}
    for cell in sorted(before.keys() | after.keys()):
        area, scenario, browser, profile = cell
        was, now = before.get(cell), after.get(cell)
        old_version = versions["old"].get((browser, profile), "?")
        new_version = versions["new"].get((browser, profile), "?")
        where = f"{area} {scenario} [{browser} {old_version} -> {new_version}, {profile}]"
        if was is None:
            lines[cell] = f"{where}: new cell {now['behaviour']}"  # type: ignore[index]
        elif now is None:
            lines[cell] = f"{where}: no longer in the report"
        elif was["behaviour"] != now["behaviour"]:
            diff = {
                k: (was["behaviour"].get(k), v) for k, v in now["behaviour"].items() if was["behaviour"].get(k) != v
            }
            lines[cell] = f"{where}: " + "; ".join(f"{k} {a!r} -> {b!r}" for k, (a, b) in sorted(diff.items()))
    return lines


def subset(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """old with only the cells new has."""
    ran = {report.key(row) for row in new["cells"]}
    return {**old, "cells": [row for row in old["cells"] if report.key(row) in ran]}
