"""`corsproof`: the command line around the behaviour report.

corsproof diff OLD.json NEW.json [--subset]
    the cells whose behaviour changed; exit 1 if any did, 0 if none, 2 if a report cannot be
    read. --subset: NEW ran only some browsers or profiles; compare the cells it has.
corsproof audit TARGET --trusted ORIGIN... [--as ORIGIN] [--path PATH...] [--login-url URL | --cookie COOKIE]
    attack an app from real browsers under look-alike origins (corsproof/audit/cli.py); exit 1
    when an attacker origin reads or writes with the victim's cookies, 2 on a usage error
corsproof tables REPORT FILE... [--check]
    rewrite the behaviour tables between <!-- table:NAME --> and <!-- /table:NAME --> from
    REPORT, naming each file and table it rewrote. Exit 0 if the tables are up to date or were
    rewritten; 1 if --check (which changes nothing) found tables that differ, each named; 2 if
    it cannot do as asked: a report or file that cannot be read, or a marker that is misspelled,
    unpaired, nested or names an unknown table (one line, FILE:LINE: what is wrong)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from corsproof import __version__, report
from corsproof.audit import cli as audit_cli
from corsproof.report import html as report_html
from corsproof.report import tables
from corsproof.report.diff import changes, subset


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="corsproof", description="corsproof's behaviour report")
    parser.add_argument("--version", action="version", version=f"corsproof {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    diff = commands.add_parser("diff", help="list the cells whose behaviour changed between two reports")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.add_argument(
        "--subset",
        action="store_true",
        help="NEW ran part of OLD (one browser or profile): compare only the cells NEW has",
    )
    tables_command = commands.add_parser(
        "tables",
        help="write the behaviour tables of Markdown files from a report",
        description="Rewrite each table between <!-- table:NAME --> and <!-- /table:NAME --> (each marker "
        "alone on its line) from REPORT.",
        epilog="exit status: 0 the tables are up to date or were rewritten; 1 --check found tables that differ "
        "(each is named); 2 cannot do it as asked: a report or file cannot be read, or a table marker is "
        "misspelled, unpaired, nested or names an unknown table (said in one line, FILE:LINE: what is wrong)",
    )
    tables_command.add_argument("report", type=Path)
    tables_command.add_argument("files", type=Path, nargs="+")
    tables_command.add_argument(
        "--check", action="store_true", help="change nothing; name each table that differs and exit 1"
    )
    report_command = commands.add_parser("report", help="work on reports")
    report_commands = report_command.add_subparsers(dest="action", required=True)
    merge_command = report_commands.add_parser("merge", help="join the reports of shards into one")
    merge_command.add_argument("out", type=Path, help="folder for the merged report.json and report.html")
    merge_command.add_argument("reports", type=Path, nargs="+")
    audit = commands.add_parser("audit", help="can another site read your users' data? (real browsers)")
    audit_cli.add_arguments(audit)
    options = parser.parse_args(argv)
    if options.command == "audit":
        return audit_cli.main(options)
    if options.command == "report":
        return _merge(options.out, options.reports)
    if options.command == "tables":
        return _tables(options.report, options.files, options.check)
    try:
        old, new = report.load(options.old), report.load(options.new)
    except report.ReportError as error:
        print(f"corsproof diff: {error}", file=sys.stderr)
        return 2
    if options.subset:
        old = subset(old, new)
    lines = list(changes(old, new).values())
    for line in lines:
        print(line)
    print(f"corsproof diff: {len(lines)} cells changed" if lines else "corsproof diff: no behaviour changed")
    return 1 if lines else 0


def _merge(out: Path, sources: list[Path]) -> int:
    try:
        merged = report.merge([report.load(path) for path in sources])
    except report.ReportError as error:
        print(f"corsproof report merge: {error}", file=sys.stderr)
        return 2
    report.write(merged, out / "report.json")
    report_html.write(merged, out / "report.html")
    counts = ", ".join(f"{value} {name}" for name, value in merged["summary"].items())
    print(f"corsproof report merge: {out / 'report.json'} and {out / 'report.html'} ({counts})")
    return 0


def _tables(source: Path, files: list[Path], check: bool) -> int:
    """Exit 0: up to date or rewritten; 1: --check found tables that differ; 2: cannot do it as asked.

    Every file is read and checked before any is written, so a bad marker in one leaves all as they were.
    """
    try:
        data = report.load(source)
    except report.ReportError as error:
        print(f"corsproof tables: {error}", file=sys.stderr)
        return 2
    texts: dict[Path, str] = {}
    stale: dict[Path, list[str]] = {}
    failed = False
    for path in files:
        try:
            texts[path] = path.read_text(encoding="utf-8")
            stale[path] = tables.differing(texts[path], data, str(path))
        except FileNotFoundError:
            problem = f"{path}: no such file"
        except IsADirectoryError:
            problem = f"{path}: a directory, not a Markdown file"
        except OSError as error:
            problem = f"{path}: cannot be read ({error.strerror})"
        except UnicodeDecodeError:
            problem = f"{path}: not UTF-8 text"
        except tables.TableError as error:
            problem = str(error)
        else:
            continue
        print(f"corsproof tables: {problem}", file=sys.stderr)
        failed = True
    if failed:
        return 2
    changed = {path: names for path, names in stale.items() if names}
    if not changed:
        count = f"{len(files)} files" if len(files) != 1 else "1 file"
        print(f"corsproof tables: {count} up to date with {source}; nothing rewritten")
        return 0
    for path, names in changed.items():
        if check:
            for name in names:
                print(f"corsproof tables: {path}: table {name!r} differs from {source}")
            continue
        try:
            path.write_text(tables.render_into(texts[path], data, str(path)), encoding="utf-8")
        except OSError as error:
            print(f"corsproof tables: {path}: cannot be written ({error.strerror})", file=sys.stderr)
            return 2
        print(f"corsproof tables: {path}: rewrote " + ", ".join(f"table {n!r}" for n in names) + f" from {source}")
    return 1 if check else 0


if __name__ == "__main__":
    sys.exit(main())
