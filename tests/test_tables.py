"""The behaviour tables in README.md and docs/ say what baseline/report.json says, and
`corsproof tables` refuses, in one line and exit 2, every marker it cannot follow."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from corsproof import cli, report
from corsproof.report import areas, tables
from e2e.csrf_cases import csrf_table

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *(p for p in sorted((ROOT / "docs").glob("*.md")) if "<!-- table:" in p.read_text())]
BASELINE = ROOT / "baseline" / "report.json"
_load = report.load


@functools.cache
def _baseline_text() -> str:
    _load(BASELINE)  # validated once: raises ReportError as the command would
    return BASELINE.read_text()


@pytest.fixture(autouse=True)
def baseline_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checked-in baseline (1.8 MB) is checked against the report's JSON Schema on its first
    read only (~1 s of CPU a read, ~20 s for the file's commands): these tests are about tables.
    Every other report is loaded as the command loads it."""

    def load(path: Path) -> dict[str, Any]:
        if Path(path).resolve() == BASELINE.resolve():
            loaded: dict[str, Any] = json.loads(_baseline_text())
            return loaded
        return _load(path)

    monkeypatch.setattr(report, "load", load)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_checked_in_tables_are_what_the_baseline_says(document: Path) -> None:
    """Each checked-in document renders unchanged from the baseline report."""
    text = document.read_text()
    assert "<!-- table:" in text, f"{document.name} has no generated table"
    assert tables.render_into(text, report.load(BASELINE), str(document)) == text, (
        f"{document.name}: its tables drifted from {BASELINE.name}; run: "
        ".venv/bin/corsproof tables baseline/report.json README.md docs/*.md"
    )


def test_tables_check_passes_on_the_checked_in_documents(capsys: pytest.CaptureFixture[str]) -> None:
    """--check over the real documents exits 0 and says, in one line, that nothing differs."""
    assert cli.main(["tables", "--check", str(BASELINE), *map(str, DOCUMENTS)]) == 0
    out = capsys.readouterr().out
    assert out == f"corsproof tables: {len(DOCUMENTS)} files up to date with {BASELINE}; nothing rewritten\n"


def test_tables_check_reports_a_stale_file_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check exits 1 naming the differing table; a rewrite then fixes it and names it."""
    stale = tmp_path / "doc.md"
    stale.write_text("before\n<!-- table:csrf -->\n| typed by hand |\n<!-- /table:csrf -->\nafter\n")
    assert cli.main(["tables", "--check", str(BASELINE), str(stale)]) == 1
    assert "| typed by hand |" in stale.read_text()
    assert capsys.readouterr().out == f"corsproof tables: {stale}: table 'csrf' differs from {BASELINE}\n"
    assert cli.main(["tables", str(BASELINE), str(stale)]) == 0
    assert capsys.readouterr().out == f"corsproof tables: {stale}: rewrote table 'csrf' from {BASELINE}\n"
    assert "| vector | SameSite=None |" in stale.read_text() and stale.read_text().endswith("after\n")
    assert cli.main(["tables", "--check", str(BASELINE), str(stale)]) == 0


def test_tables_check_names_only_the_tables_that_differ(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Of two tables in a file, --check names only the one whose body would change."""
    data = report.load(BASELINE)
    doc = tmp_path / "doc.md"
    doc.write_text(
        f"<!-- table:csrf -->\n{csrf_table(data)}\n<!-- /table:csrf -->\n\n"
        "<!-- table:attacks -->\n| old |\n<!-- /table:attacks -->\n"
    )
    assert tables.differing(doc.read_text(), data) == ["attacks"]
    assert cli.main(["tables", "--check", str(BASELINE), str(doc)]) == 1
    assert capsys.readouterr().out == f"corsproof tables: {doc}: table 'attacks' differs from {BASELINE}\n"


def test_an_empty_table_body_is_filled_in(tmp_path: Path) -> None:
    """Markers on adjacent lines are a table to fill, not something to skip."""
    doc = tmp_path / "doc.md"
    doc.write_text("<!-- table:csrf -->\n<!-- /table:csrf -->\n")
    assert cli.main(["tables", str(BASELINE), str(doc)]) == 0
    assert "| vector | SameSite=None |" in doc.read_text()


def test_markers_quoted_in_code_are_prose_not_markers(tmp_path: Path) -> None:
    """A marker in a `code span` or a fenced block is documentation about markers, and is left alone."""
    text = "Write `<!-- table:NAME -->` above a table.\n\n```\n<!-- table:NAME -->\n| x |\n```\n"
    assert tables.differing(text, report.load(BASELINE)) == []
    assert tables.render_into(text, report.load(BASELINE)) == text


def test_an_unknown_table_name_is_refused() -> None:
    """render_into raises a TableError (a ValueError) naming the unknown table and the known ones."""
    with pytest.raises(tables.TableError, match=r"^doc\.md:1: unknown table 'nope' \(known: cookie-matrix, "):
        tables.render_into("<!-- table:nope -->\n| old |\n<!-- /table:nope -->", report.load(BASELINE), "doc.md")


def _refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, name: str) -> str:
    """Run `tables` (and `tables --check`) on text: exit 2, the file untouched, one stderr line
    that starts with FILE:LINE and names the table, no traceback. Returns that line."""
    doc = tmp_path / "doc.md"
    doc.write_text(text)
    said = []
    for check in ([], ["--check"]):
        assert cli.main(["tables", *check, str(BASELINE), str(doc)]) == 2
        out, err = capsys.readouterr()
        assert out == "" and doc.read_text() == text
        assert err.endswith("\n") and err.count("\n") == 1, err
        assert err.startswith(f"corsproof tables: {doc}:{line}: "), err
        assert name in err and "Traceback" not in err
        said.append(err)
    assert said[0] == said[1]
    return said[0]


def test_a_table_never_closed_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An opening marker with no closing marker after it is an error, not a skipped table."""
    err = _refused(tmp_path, capsys, "intro\n<!-- table:csrf -->\n| old |\nthe rest\n", 2, "csrf")
    assert "never closed" in err


def test_a_misspelled_marker_word_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`<!-- tabel:x -->` is a malformed marker, not text to pass over."""
    err = _refused(tmp_path, capsys, "<!-- tabel:csrf -->\n| old |\n<!-- /table:csrf -->\n", 1, "csrf")
    assert "malformed table marker" in err


def test_a_marker_without_spaces_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`<!--table:x-->` is a malformed marker."""
    err = _refused(tmp_path, capsys, "<!--table:csrf-->\n| old |\n<!-- /table:csrf -->\n", 1, "csrf")
    assert "malformed table marker" in err


def test_a_marker_with_a_broken_comment_end_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`<!-- table:x ->` (one dash short) is a malformed marker."""
    err = _refused(tmp_path, capsys, "<!-- table:csrf ->\n| old |\n<!-- /table:csrf -->\n", 1, "csrf")
    assert "malformed table marker" in err


def test_a_malformed_closing_marker_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelled closing marker is refused on its own line, not read as a table never closed."""
    err = _refused(tmp_path, capsys, "<!-- table:csrf -->\n| old |\n<!-- /table:csrf --\n", 3, "csrf")
    assert "malformed table marker" in err


def test_a_marker_sharing_its_line_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A marker must be alone on its line: text after it makes it malformed."""
    err = _refused(tmp_path, capsys, "<!-- table:csrf --> here\n| old |\n<!-- /table:csrf -->\n", 1, "csrf")
    assert "alone on its line" in err


def test_a_closing_marker_naming_another_table_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`<!-- /table:attacks -->` cannot close table csrf; both names are said."""
    err = _refused(tmp_path, capsys, "<!-- table:csrf -->\n| old |\n<!-- /table:attacks -->\n", 3, "attacks")
    assert "closes table 'csrf' (opened on line 1)" in err


def test_a_closing_marker_with_no_opening_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A closing marker before any opening closes nothing and is an error."""
    err = _refused(tmp_path, capsys, "text\n| old |\n<!-- /table:csrf -->\n", 3, "csrf")
    assert "closes no table" in err


def test_a_table_opened_inside_another_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tables do not nest: an opening inside an open table is an error at the inner opening."""
    text = "<!-- table:csrf -->\n<!-- table:attacks -->\n| old |\n<!-- /table:attacks -->\n<!-- /table:csrf -->\n"
    err = _refused(tmp_path, capsys, text, 2, "attacks")
    assert "opens inside table 'csrf'" in err


def test_a_duplicated_opening_marker_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same opening marker twice before its closing is refused at the second."""
    text = "<!-- table:csrf -->\n| old |\n<!-- table:csrf -->\n| old |\n<!-- /table:csrf -->\n"
    err = _refused(tmp_path, capsys, text, 3, "csrf")
    assert "opens inside table 'csrf' (opened on line 1)" in err


def test_an_unknown_table_name_is_refused_by_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown name is one line listing the known tables, not a ValueError traceback."""
    err = _refused(tmp_path, capsys, "\n<!-- table:nope -->\n| old |\n<!-- /table:nope -->\n", 2, "nope")
    assert "unknown table 'nope' (known: " + ", ".join(tables.known_tables()) + ")" in err


def test_a_table_the_report_cannot_make_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A report without the cells a table needs is one line and exit 2, not a KeyError traceback."""
    data = json.loads(BASELINE.read_text())
    data["cells"] = [c for c in data["cells"] if c["area"] != "cookie_matrix"]
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(data))
    doc = tmp_path / "doc.md"
    doc.write_text("<!-- table:cookies-set-cross-site -->\n| old |\n<!-- /table:cookies-set-cross-site -->\n")
    assert cli.main(["tables", str(partial), str(doc)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"corsproof tables: {doc}:1: table 'cookies-set-cross-site'")


def test_a_missing_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that does not exist is said in one line, exit 2, and no other file is rewritten."""
    good = tmp_path / "good.md"
    good.write_text("<!-- table:csrf -->\n| old |\n<!-- /table:csrf -->\n")
    missing = tmp_path / "missing.md"
    assert cli.main(["tables", str(BASELINE), str(good), str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"corsproof tables: {missing}: no such file\n"
    assert "| old |" in good.read_text()


def test_a_missing_report_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A report that does not exist is said in one line, exit 2."""
    doc = tmp_path / "doc.md"
    doc.write_text("text\n")
    assert cli.main(["tables", str(tmp_path / "none.json"), str(doc)]) == 2
    err = capsys.readouterr().err
    assert err == f"corsproof tables: {tmp_path / 'none.json'}: no such file\n"


def test_every_area_declares_itself_in_its_cases_file() -> None:
    """Each e2e/test_<area>.py has an e2e/<area>_cases.py whose AREA is named <area>: the area a
    cell carries (its test module's) is the one whose tables and rank the report uses."""
    declared = {area.name for area in areas.suite_areas()}
    tested = {
        p.stem.removeprefix("test_")
        for p in (ROOT / "e2e").glob("test_*.py")
        if (ROOT / "e2e" / f"{p.stem.removeprefix('test_')}_cases.py").exists()
    }
    assert tested == declared
    assert [a.name for a in areas.suite_areas()][0] == "article", "the article is read first"
    assert set(tables.known_tables()) >= {"attacks", "csrf", "cookie-matrix", "audit-classes"}


def test_the_report_code_names_no_scenario_nor_cookie() -> None:
    """Tables and pages are generic: what a scenario or cookie is called lives with the area's cases."""
    for module in ("tables", "html", "collect", "areas", "__init__", "diff"):
        source = (ROOT / "corsproof" / "report" / f"{module}.py").read_text()
        for name in ("samesite-", "session", "none_secure", "x_partitioned", "csrf", "attacks", "cookie_matrix"):
            assert f'"{name}' not in source, f"corsproof/report/{module}.py names {name!r}"


def test_a_report_keeps_its_areas_order_through_a_merge() -> None:
    data = report.load(BASELINE)
    ordered = {**data, "areas": ["csrf", "article"]}
    assert report.merge([ordered])["areas"] == ["csrf", "article"]
    assert "areas" not in report.merge([{k: v for k, v in data.items() if k != "areas"}])
