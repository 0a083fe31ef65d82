"""The behaviour report: every scenario x browser x cookie profile, as data (report.json).

A cell is one scenario's run in one lane: the behaviour (what the page saw, whether good's
cookies and the state change got through, the reasons), the evidence (what reached good and what
it answered), the expectation with its why, and whether it held. The report carries the browsers
that ran, with version and build. Its shape is corsproof/report/report.schema.json (SCHEMA_VERSION).
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import jsonschema

from corsproof.model import Expect, Observation

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("report.schema.json")


class ReportError(Exception):
    """A report that cannot be read: the message says which file and what is wrong."""


def behaviour(seen: Observation) -> dict[str, Any]:
    """What the browser did, without the evidence: what a diff compares. The cookies a scenario
    set itself (stored, Chromium's refusals) appear only for the scenarios that set some."""
    own_cookies: dict[str, Any] = {}
    if seen.stored is not None:
        own_cookies["stored"] = sorted(seen.stored)
    if seen.set_refusals is not None:
        own_cookies["set_refusals"] = {name: list(why) for name, why in sorted(seen.set_refusals.items())}
    return own_cookies | {
        "page": seen.page.outcome if seen.page is not None else None,
        "cookies": sorted(seen.cookies_sent()),
        "preflights": len(seen.preflights),
        "requests": len(seen.requests),
        "transfers": len(seen.transfers),
        "reason": seen.reason if seen.reason_known else None,
        "derived_reason": seen.derived_reason if seen.derived else None,
        "error": seen.error,
    }


def evidence(seen: Observation) -> list[dict[str, Any]]:
    """Each exchange at the target: method, Origin, Sec-Fetch-*, cookies, status, CORS answer."""
    return [
        {
            "method": e.method,
            "url": f"{e.path}?{e.query}" if e.query else e.path,
            "origin": e.origin,
            "sec_fetch": {k: v for k, v in e.request_headers.items() if k.startswith("sec-fetch-")},
            "cookies": sorted(e.cookies),
            "preflight": e.is_preflight,
            "access_control_request": {
                k: v for k, v in e.request_headers.items() if k.startswith("access-control-request-")
            },
            "status": e.status,
            "cors_answer": {
                k: v for k, v in e.response_headers.items() if k.startswith("access-control-") or k == "vary"
            },
        }
        for e in seen.exchanges
    ]


@dataclass(frozen=True)
class Cell:
    area: str
    scenario: str
    kind: str
    browser: str
    profile: str
    passed: bool
    failure: str | None
    behaviour: dict[str, Any]
    evidence: list[dict[str, Any]]
    expected: dict[str, Any]
    cost_ms: float


def cell(
    area: str,
    kind: str,
    scenario: str,
    browser: str,
    profile: str,
    expect: Expect,
    seen: Observation,
    failure: str | None,
) -> Cell:
    expected = {k: v for k, v in asdict(expect).items() if v is not None and v != {} and k != "why"}
    expected = json.loads(json.dumps(expected, default=sorted))  # frozensets become sorted lists
    return Cell(
        area,
        scenario,
        kind,
        browser,
        profile,
        failure is None,
        failure,
        behaviour(seen),
        evidence(seen),
        {"why": expect.why, **expected},
        round(seen.cost_ms, 1),
    )


def build(cells: list[Cell], browsers: list[dict[str, Any]], areas: list[str] | None = None) -> dict[str, Any]:
    """The report of a run. areas: the order its areas are read in (the README's; the article
    first), which the page follows; areas not named there come after, alphabetically."""
    rows = [asdict(c) for c in sorted(cells, key=lambda c: (c.area, c.scenario, c.browser, c.profile))]
    built = {"schema_version": SCHEMA_VERSION, "browsers": browsers, "cells": rows, "summary": summary(rows)}
    return {**built, "areas": areas} if areas is not None else built


def key(row: dict[str, Any]) -> tuple[str, str, str, str]:
    return row["area"], row["scenario"], row["browser"], row["profile"]


def disagreements(rows: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """(area, scenario, profile) where the browsers behaved differently."""
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    differ = set()
    for row in rows:
        where = (row["area"], row["scenario"], row["profile"])
        # Only Chromium tells reasons.
        comparable = {k: v for k, v in row["behaviour"].items() if k not in ("reason", "set_refusals")}
        if where in seen and seen[where] != comparable:
            differ.add(where)
        seen.setdefault(where, comparable)
    return differ


def summary(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "scenarios": len({(r["area"], r["scenario"]) for r in rows}),
        "cells": len(rows),
        "disagreements": len(disagreements(rows)),
        "failures": sum(1 for r in rows if not r["passed"]),
    }


def merge(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """One report from the reports of shards: their cells and browsers together, counted anew."""
    cells: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    browsers: dict[tuple[str, str], dict[str, Any]] = {}
    for data in reports:
        for row in data["cells"]:
            if key(row) in cells:
                raise ReportError(f"cell {' '.join(key(row))} is in more than one of the reports merged")
            cells[key(row)] = row
        for browser in data["browsers"]:
            browsers[(browser["name"], browser["cookie_profile"])] = browser
    rows = [cells[k] for k in sorted(cells)]
    # Shards of one run declare the same areas: the first order given stands.
    areas = next((data["areas"] for data in reports if "areas" in data), None)
    return {
        "schema_version": SCHEMA_VERSION,
        "browsers": [browsers[k] for k in sorted(browsers)],
        "cells": rows,
        "summary": summary(rows),
        **({"areas": areas} if areas is not None else {}),
    }


def write(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")


def load(path: Path) -> dict[str, Any]:
    """A report read back, or a ReportError that says what is wrong with it."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file") from None
    except (OSError, ValueError) as error:
        raise ReportError(f"{path}: not a JSON report ({error})") from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise ReportError(f"{path}: not a corsproof report (no schema_version)")
    if data["schema_version"] != SCHEMA_VERSION:
        raise ReportError(
            f"{path}: report schema version {data['schema_version']!r}, this corsproof reads version {SCHEMA_VERSION}"
        )
    problem = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if problem is not None:
        where = "/".join(str(part) for part in problem.absolute_path) or "the top level"
        raise ReportError(f"{path}: not a corsproof report: at {where}, {problem.message[:200]}")
    return data


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    """The report's JSON Schema, compiled once: what a report is, said in one place."""
    schema = json.loads(SCHEMA_PATH.read_text())
    validator: jsonschema.protocols.Validator = jsonschema.validators.validator_for(schema)(schema)
    return validator
