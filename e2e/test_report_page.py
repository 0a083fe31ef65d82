"""report.html as a person uses it, in every browser: opened from disk, its headline counts, its
filter, a cell's evidence. A screenshot of each is kept under test-results/. In WebKit the page's
errors are those thrown once it has loaded (WebDriver runs no script before the page's own); one
thrown while it loads would leave the counts and the filter unset, which the test checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from corsproof.report import html as report_html
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
    # Findings first: every disagreement of the report, one sentence each, linked to its row.
    findings = page.eval_on_selector_all("#findings-list a", "links => links.map(a => [a.textContent, a.hash])")
    said = "unset-cookie (third-party-allowed): Chromium blocked, Firefox blocked +cookie"
    assert findings == [[said, "#cookie_matrix%2Funset-cookie"]]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth")

    page.fill("#filter", "allowlist")
    assert visible_scenarios(clean_lane) == ["allowlist-lets-thirdparty-in"]
    page.fill("#filter", "")
    page.check("#only-disagree")
    assert visible_scenarios(clean_lane) == ["unset-cookie"]

    page.click("td.failed")  # the one cell whose expectation failed, framed in red
    details = page.inner_text("#details")
    assert "unset-cookie (third-party-allowed)" in details
    assert "NOT as expected. Expected because Lax by default" in details
    # Every browser of that scenario and profile side by side, in words.
    cookies = page.eval_on_selector_all("#details tr", "rows => rows.map(r => [...r.children].map(c => c.textContent))")
    assert ["", "chromium", "firefox"] in cookies
    assert ["cookies that reached the server", "none", "session"] in cookies
    assert ["the browser's reason", "Chromium: none", "Firefox gives its driver none"] in cookies
    # The raw JSON is there, behind a toggle.
    assert '"origin": "http://thirdparty.localhost:1"' not in page.inner_text("#details")
    page.click("#details summary")
    assert '"origin": "http://thirdparty.localhost:1"' in page.inner_text("#details")
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path=f"test-results/report-page-{browser_name}.png", full_page=True)
    assert errors == []


def test_an_audit_report_speaks_of_the_app_its_proof_and_its_leaks(
    clean_lane: Lane, tmp_path: Path, browser_name: str
) -> None:
    """An audit's page in its own words: the app and its trusted origins, the proof of the set-up on
    top, leaks counted as leaks, the verdicts as the terminal says them, no baseline line where no
    baseline was compared, and no sideways scroll at 1024 px."""
    data = sample()
    proofs = [{"lane": "chromium default", "credential": "session", "private": ["/me"], "public": ["/health"]}]
    verdicts = {"allowlist-lets-thirdparty-in|firefox|third-party-allowed": "LEAK"}
    context = report_html.audit_context("https://api.shop.example", ["https://www.shop.example"], proofs, [], verdicts)
    page_file = tmp_path / "report.html"
    report_html.write(data, page_file, audit=context)
    page = clean_lane.page
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(page_file.as_uri())
    assert page.text_content("h1") == "corsproof audit: can other sites read your users' data?"
    top = page.inner_text("#audit")
    assert "The app: https://api.shop.example; the origins it trusts: https://www.shop.example." in top
    assert "chromium default: the victim's credential (session) reached /me; public (never a leak): /health" in top
    assert page.inner_text("[data-count='failures']").endswith("leaks")
    assert page.locator("[data-count='changed since baseline']").count() == 0
    assert page.locator("td.cell", has_text="LEAK").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    Path("test-results").mkdir(exist_ok=True)
    page.screenshot(path=f"test-results/audit-report-page-{browser_name}.png", full_page=True)
