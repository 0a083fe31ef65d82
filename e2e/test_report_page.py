"""report.html as a person uses it, in Chromium and Firefox: opened from disk, its headline
counts, its filter, a cell's evidence. A screenshot of each is kept under test-results/."""

from __future__ import annotations

from pathlib import Path

import pytest

from corsproof import report_html
from corsproof.suite.lane import Lane
from tests.report_data import sample

pytestmark = pytest.mark.cookie_independent


def visible_scenarios(lane: Lane) -> list[str]:
    return lane.page.eval_on_selector_all(
        "tr[data-search]:not([hidden]) td:first-child", "cells => cells.map(c => c.textContent)"
    )


def test_report_page_shows_counts_filters_and_evidence(clean_lane: Lane, tmp_path: Path, browser_name: str) -> None:
    data = sample()
    page_file = tmp_path / "report.html"
    report_html.write(data, page_file)
    page = clean_lane.page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_file.as_uri())
    for name, value in data["summary"].items():
        assert page.text_content(f"[data-count='{name}'] b") == str(value), name
    assert sorted(visible_scenarios(clean_lane)) == ["allowlist-lets-thirdparty-in", "unset-cookie"]

    page.fill("#filter", "allowlist")
    assert visible_scenarios(clean_lane) == ["allowlist-lets-thirdparty-in"]
    page.fill("#filter", "")
    page.check("#only-disagree")
    assert visible_scenarios(clean_lane) == ["unset-cookie"]

    page.click("td.failed")  # the one cell whose expectation failed, framed in red
    details = page.inner_text("#details")
    assert "unset-cookie: firefox / third-party-allowed" in details
    assert "NOT as expected. Expected because Lax by default" in details
    assert '"origin": "http://thirdparty.localhost:1"' in details and '"cookies": [\n  "session"' in details
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path=f"test-results/report-page-{browser_name}.png", full_page=True)
    assert errors == []
