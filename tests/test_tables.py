"""The behaviour tables in README.md and docs/ say what baseline/report.json says."""

from __future__ import annotations

from pathlib import Path

import pytest

from corsproof import cli, report, tables

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "cookie-matrix.md", ROOT / "docs" / "attacks.md"]
BASELINE = ROOT / "baseline" / "report.json"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_checked_in_tables_are_what_the_baseline_says(document: Path) -> None:
    text = document.read_text()
    assert "<!-- table:" in text, f"{document.name} has no generated table"
    assert tables.render_into(text, report.load(BASELINE)) == text, (
        f"{document.name}: its tables drifted from {BASELINE.name}; run: "
        ".venv/bin/corsproof tables baseline/report.json README.md docs/*.md"
    )


def test_tables_check_reports_a_stale_file_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "doc.md"
    stale.write_text("before\n<!-- table:csrf -->\n| typed by hand |\n<!-- /table:csrf -->\nafter\n")
    assert cli.main(["tables", "--check", str(BASELINE), str(stale)]) == 1
    assert "| typed by hand |" in stale.read_text()
    assert "tables differ from" in capsys.readouterr().out
    assert cli.main(["tables", str(BASELINE), str(stale)]) == 0
    assert "| vector | SameSite=None |" in stale.read_text() and stale.read_text().endswith("after\n")


def test_an_unknown_table_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown table 'nope'"):
        tables.render_into("<!-- table:nope -->\n| old |\n<!-- /table:nope -->", report.load(BASELINE))
