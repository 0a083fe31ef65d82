"""The behaviour report without a browser: its schema, its counts, corsproof diff, the HTML file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from corsproof import cli, report
from corsproof.report import html as report_html
from tests.report_data import sample


def test_a_report_matches_its_json_schema() -> None:
    schema = json.loads(report.SCHEMA_PATH.read_text())
    jsonschema.validate(sample(), schema)


def test_the_schema_refuses_a_cell_without_its_behaviour() -> None:
    data = sample()
    del data["cells"][0]["behaviour"]
    with pytest.raises(jsonschema.ValidationError, match="'behaviour' is a required property"):
        jsonschema.validate(data, json.loads(report.SCHEMA_PATH.read_text()))


def test_headline_counts_scenarios_cells_disagreements_and_failures() -> None:
    assert sample()["summary"] == {"scenarios": 2, "cells": 8, "disagreements": 1, "failures": 1}


def test_diff_of_a_report_with_itself_finds_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report.write(sample(), tmp_path / "a.json")
    assert cli.main(["diff", str(tmp_path / "a.json"), str(tmp_path / "a.json")]) == 0
    assert "no behaviour changed" in capsys.readouterr().out


def test_diff_names_each_changed_cell_with_both_browser_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = sample(firefox_unset_cookie=True), sample(firefox_unset_cookie=False)
    new["browsers"] = [{**b, "version": "154.0"} if b["name"] == "firefox" else b for b in new["browsers"]]
    report.write(old, tmp_path / "old.json")
    report.write(new, tmp_path / "new.json")
    assert cli.main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "cookie_matrix unset-cookie [firefox 153.8 -> 154.0, third-party-allowed]: cookies ['session'] -> []",
        "corsproof diff: 1 cells changed",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not a JSON report"),
        ('{"cells": []}', "not a corsproof report"),
        ('{"schema_version": 99, "cells": []}', "report schema version 99, this corsproof reads version 1"),
        ('{"schema_version": 1, "cells": [1]}', "not a corsproof report: at the top level, 'browsers' is a required"),
    ],
    ids=["missing", "not-json", "no-version", "other-version", "bad-cells"],
)
def test_diff_of_a_bad_report_says_what_is_wrong_and_exits_2(
    content: str | None, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    report.write(sample(), good)
    if content is not None:
        bad.write_text(content)
    assert cli.main(["diff", str(good), str(bad)]) == 2
    error = capsys.readouterr().err
    assert f"corsproof diff: {bad}: {message}" in error and "Traceback" not in error


def test_the_html_is_one_file_that_loads_nothing_from_the_network() -> None:
    html = report_html.render(sample())
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    assert "</script>" not in html.split('id="report">', 1)[1].split("</script>", 1)[0]


def test_text_in_the_data_cannot_close_the_script_that_carries_it() -> None:
    data = sample()
    data["cells"][0]["expected"]["why"] = "</script><script>alert(1)</script>"
    html = report_html.render(data)
    embedded = html.split('id="report">', 1)[1].split("</script>", 1)[0]
    assert json.loads(embedded)["cells"][0]["expected"]["why"] == "</script><script>alert(1)</script>"


def test_diff_of_a_one_browser_run_compares_only_its_cells_with_subset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full = sample()
    chromium_only = {**full, "cells": [c for c in full["cells"] if c["browser"] == "chromium"]}
    report.write(full, tmp_path / "baseline.json")
    report.write(chromium_only, tmp_path / "run.json")
    assert cli.main(["diff", "--subset", str(tmp_path / "baseline.json"), str(tmp_path / "run.json")]) == 0
    assert cli.main(["diff", str(tmp_path / "baseline.json"), str(tmp_path / "run.json")]) == 1
    assert "no longer in the report" in capsys.readouterr().out


def test_the_committed_baseline_matches_the_schema_and_holds_every_kind_of_cell() -> None:
    """Scenarios of every kind, cookies set cross-site, and the tests that drive the page
    themselves (the preflight cache kept apart from a tainted origin, in both browsers)."""
    baseline = report.load(Path(__file__).resolve().parent.parent / "baseline" / "report.json")
    jsonschema.validate(baseline, json.loads(report.SCHEMA_PATH.read_text()))
    kinds = {cell["kind"] for cell in baseline["cells"]}
    assert kinds == {"Fetch", "Theft", "Forgery", "CookieRequest", "CrossSiteSet", "MultiStep", "LocalRequest"}
    taint = "preflight-cache-keeps-tainted-and-real-origins-apart (tainted-then-direct)"
    preflights = {c["browser"]: c["behaviour"]["preflights"] for c in baseline["cells"] if c["scenario"] == taint}
    # Firefox shares one preflight cache entry between the tainted and the real origin (a finding);
    # WebKit keeps them apart, as Chromium does.
    assert preflights == {"chromium": 3, "firefox": 2, "webkit": 3}


def test_findings_name_what_differs_where_the_labels_look_alike() -> None:
    """Two multi-step cells both labelled "no cookie" that differ in their preflights: the finding
    says preflights 3 against 2, not "no cookie" twice; a theft read with cookies is a LEAK."""
    data = sample()
    multi = [dict(c) for c in data["cells"] if c["scenario"] == "allowlist-lets-thirdparty-in"][:2]
    for cell, preflights in zip(multi, (3, 2), strict=True):
        cell["scenario"], cell["profile"], cell["kind"] = "taint", "default", "MultiStep"
        cell["behaviour"] = {**cell["behaviour"], "page": None, "cookies": [], "transfers": 0, "preflights": preflights}
    multi[1]["browser"] = "firefox" if multi[0]["browser"] == "chromium" else "chromium"
    theft = {**data["cells"][0], "scenario": "steal", "kind": "Theft"}
    theft["behaviour"] = {**theft["behaviour"], "page": "read", "cookies": ["session"]}
    view = report_html.view({**data, "cells": [*data["cells"], *multi, theft]})
    texts = [f["text"] for f in view["findings"]]
    assert any(t.startswith("taint (default): preflights: ") and "3" in t and "2" in t for t in texts), texts
    assert any(t.startswith("LEAK: steal (") for t in texts), texts


def test_an_e2e_run_loads_neither_the_command_line_nor_the_audit() -> None:
    """The suite's plugin needs the report (cells, diff, page), not the CLI that wraps it nor the
    audit, even once it reads every area's AREA to order the report: what a browser test imports
    stays what it uses."""
    code = (
        "import sys, importlib, corsproof.suite.plugin as p, corsproof.report.areas as a; "
        "[importlib.import_module(m) for m in p.pytest_plugins]; a.suite_areas(); "
        "print(sorted(m for m in sys.modules if m.startswith(('corsproof.audit', 'corsproof.cli'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_a_changed_cell_carries_what_changed_for_the_page() -> None:
    """The ▲ of a cell comes with "baseline -> now" (corsproof diff's line), which its detail shows;
    without a baseline there is no count of changes at all."""
    data = sample()
    key = report.key(data["cells"][0])
    line = f"{' '.join(key)}: cookies [] -> ['session']"
    view = report_html.view(data, {key: line})
    [marked] = [c for c in view["cells"] if c["changed"]]
    assert marked["change"] == line and view["changed"] == 1
    assert report_html.view(data)["changed"] is None
