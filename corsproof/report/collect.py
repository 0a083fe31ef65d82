"""The report's pytest collector: every browser test of a run becomes a cell of the report.

A scenario test hands its checked observation over (checked()); a test that drives the page
itself becomes a cell from what reached the servers for its probes (keep_probes()). At the end
of the run, with --report DIR, the cells become DIR/report.json and DIR/report.html, compared
with --baseline. Under pytest-xdist the workers send their cells and browsers to the controller.
A pytest plugin, loaded by the suite's (corsproof/suite/plugin.py): only pytest imports it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from corsproof import report
from corsproof.browsers import BrowserInfo
from corsproof.model import Expect, Observation, ScenarioFailed, check
from corsproof.profiles import CookieProfile
from corsproof.report import html as report_html
from corsproof.report.areas import suite_areas
from corsproof.report.diff import changes, subset
from corsproof.serving.recorder import Recorder

_CELLS = pytest.StashKey[list[report.Cell]]()
_BROWSERS_RUN = pytest.StashKey[dict[str, dict[str, object]]]()  # BrowserInfo per "browser/profile"
_MULTI_STEP = pytest.StashKey[tuple[Recorder, list[str]]]()  # a test's recorder and probes


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("corsproof")
    group.addoption(
        "--report",
        metavar="DIR",
        default=None,
        help="write the behaviour report, DIR/report.json and DIR/report.html, at the end of the run (default: none)",
    )
    group.addoption(
        "--baseline",
        metavar="REPORT",
        default=None,
        help="a report.json to compare this run's report with: changed cells are listed and marked (default: none)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_CELLS] = []
    config.stash[_BROWSERS_RUN] = {}


def area_of(item: pytest.Item) -> str:
    """A test's area: e2e/test_<area>.py, whose cases (and AREA) are in e2e/<area>_cases.py."""
    module: str = item.module.__name__  # type: ignore[attr-defined]
    return module.rsplit(".", 1)[-1].removeprefix("test_")


def ran_browser(config: pytest.Config, lane: str, info: BrowserInfo) -> None:
    """The browser a lane ("browser/profile") ran, for the terminal and the report."""
    config.stash[_BROWSERS_RUN][lane] = dataclasses.asdict(info)


def checked(
    request: pytest.FixtureRequest,
    kind: str,
    scenario: str,
    browser: str,
    profile: str,
    expect: Expect,
    seen: Observation,
) -> None:
    """check() the observation, and keep the result, passed or not, as a cell of the report."""
    failure = None
    try:
        check(scenario, expect, seen)
    except ScenarioFailed as error:
        failure = str(error)
        raise
    finally:
        cell = report.cell(area_of(request.node), kind, scenario, browser, profile, expect, seen, failure)
        request.config.stash[_CELLS].append(cell)


def keep_probes(item: pytest.Item, recorder: Recorder, probes: list[str]) -> None:
    """A test's probes (filled as it makes them): what reached the servers for them is its cell."""
    item.stash[_MULTI_STEP] = (recorder, probes)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A browser test that drives the page itself (not a scenario) still becomes a cell of the
    report: what reached good for its probes, in order, and whether its assertions held."""
    test_report: pytest.TestReport = yield
    kept = item.stash.get(_MULTI_STEP, None)
    fixtures = getattr(item, "fixturenames", ())
    scenario_test = "run_scenario" in fixtures or "run_aged" in fixtures
    if call.when == "call" and kept is not None and "browser_name" in params_of(item) and not scenario_test:
        item.config.stash[_CELLS].append(_multi_step_cell(item, test_report, *kept))
    return test_report


def params_of(item: pytest.Item) -> dict[str, Any]:
    """A test's parameters (browser_name, cookie_profile, scenario...), {} if it has none."""
    callspec = getattr(item, "callspec", None)
    return dict(callspec.params) if callspec is not None else {}


def _multi_step_cell(
    item: pytest.Item, outcome: pytest.TestReport, recorder: Recorder, probes: list[str]
) -> report.Cell:
    params = params_of(item)
    browser, profile = params["browser_name"], CookieProfile(params["cookie_profile"]).value
    # The test's own parameters name its variant; the lane's are the cell's columns.
    variant = item.callspec.id  # type: ignore[attr-defined]
    for part in (profile, browser):
        variant = variant.replace(part, "", 1)
    variant = "-".join(filter(None, variant.split("-")))
    name = multi_step_name(item.originalname, variant)  # type: ignore[attr-defined]
    docstring = (item.function.__doc__ or name).strip()  # type: ignore[attr-defined]
    seen = Observation(page_origin="", exchanges=tuple(e for p in probes for e in recorder.for_probe(p)))
    # The docstring's first paragraph whole: its first line alone stops mid-sentence.
    why = " ".join(docstring.split("\n\n")[0].split())
    expect = Expect(why, page=None, preflights=None, requests=None, cookies=None)
    failure = outcome.longreprtext[:2000] if outcome.failed else None
    return report.cell(area_of(item), "MultiStep", name, browser, profile, expect, seen, failure)


def multi_step_name(function: str, variant: str) -> str:
    """A browser test's scenario name as the report says scenarios, not a pytest id:
    test_preflight_cache_keeps_apart + [tainted-then-direct] -> preflight-cache-keeps-apart (tainted-then-direct)."""
    name = function.removeprefix("test_").replace("_", "-")
    return f"{name} ({variant})" if variant else name


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand what it ran to the controller
        workeroutput["corsproof_browsers"] = session.config.stash[_BROWSERS_RUN]
        workeroutput["corsproof_cells"] = [dataclasses.asdict(c) for c in session.config.stash[_CELLS]]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    output = getattr(node, "workeroutput", {})
    config: pytest.Config = node.config  # type: ignore[attr-defined]
    config.stash[_BROWSERS_RUN].update(output.get("corsproof_browsers", {}))
    config.stash[_CELLS].extend(report.Cell(**c) for c in output.get("corsproof_cells", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    browsers = config.stash[_BROWSERS_RUN]
    for name in sorted(browsers):
        terminalreporter.write_line(f"corsproof browser: {BrowserInfo(**browsers[name]).summary()}")  # type: ignore[arg-type]
    folder = config.getoption("--report")
    if folder and not hasattr(config, "workeroutput"):
        areas = [area.name for area in suite_areas()]
        built = report.build(config.stash[_CELLS], [browsers[name] for name in sorted(browsers)], areas)
        json_path, html_path = Path(folder) / "report.json", Path(folder) / "report.html"
        report.write(built, json_path)
        changed = _compare_with_baseline(terminalreporter, config.getoption("--baseline"), built)
        report_html.write(built, html_path, changed)
        counts = ", ".join(f"{value} {name}" for name, value in built["summary"].items())
        terminalreporter.write_line(f"corsproof report: {json_path} and {html_path} ({counts})")


def _compare_with_baseline(
    terminalreporter: pytest.TerminalReporter, baseline: str | None, built: dict[str, object]
) -> dict[tuple[str, str, str, str], str] | None:
    """The cells whose behaviour differs from the baseline's (only cells this run has), listed, each
    with what changed (baseline -> now); None where no baseline was compared (the page then says
    nothing of one)."""
    if not baseline:
        return None
    try:
        old = report.load(Path(baseline))
    except report.ReportError as error:
        terminalreporter.write_line(f"corsproof baseline: {error}", red=True)
        return None
    changed = changes(subset(old, built), built)
    for line in changed.values():
        terminalreporter.write_line(f"corsproof baseline: changed: {line}", yellow=True)
    terminalreporter.write_line(f"corsproof baseline: {len(changed)} cells changed since {baseline}")
    return changed
