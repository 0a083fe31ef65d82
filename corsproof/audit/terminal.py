"""The audit's findings folded for a terminal: a screenful, not one row per request.

An audit of 40 paths makes thousands of requests (origins × requests × paths × browsers and
cookie profiles), and nearly all of them come to the same verdict as their neighbours. A row per
request buries the one leak in a thousand lines; so `fold` gives each attacker origin a heading,
and under it one line per request kind and verdict pattern (the verdict in each lane: browser
and cookie profile), with the paths that share it counted, or named when there are three or
fewer. A path whose verdicts differ from its neighbours' (a leak on one path among 40) gets a
line of its own, so it cannot be folded away. report.json keeps every request.

Lanes are numbered (C1 = chromium default, ...) in a legend at the top, and lanes that share a
verdict are said together ("C1 C3: blocked · C2 C4: LEAK", or "all: blocked"), which keeps a line
short whatever the number of lanes. `leak_lines` then says every leak once, in full words.
Every line is at most `width` columns: long lines wrap with their continuation indented, and an
origin too long for a line by itself is shortened in the middle with "…".
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from corsproof.audit.run import Finding

Lane = tuple[str, str]  # (browser, cookie profile)
MIN_WIDTH = 40  # narrower than this, not even a heading fits in a useful way
LISTED = 3  # a group of this many paths or fewer names them; a bigger one is counted
SEPARATOR = " · "
ROW_INDENT = "    "
CONTINUATION = " " * 8


def _middle(text: str, room: int) -> str:
    """text in at most room columns, its middle replaced by "…" (both ends of an origin tell)."""
    if len(text) <= room:
        return text
    if room <= 1:
        return "…"[:room]
    head = room // 2  # room - 1 characters kept, the odd one at the front
    return text[:head] + "…" + text[len(text) - (room - 1 - head) :]


def _wrap(first: str, parts: Sequence[str], width: int, indent: str) -> list[str]:
    """first followed by parts joined with SEPARATOR, broken between parts (inside a part only
    when it alone is wider than a line), continuation lines starting with indent."""
    lines = [first]
    for index, part in enumerate(parts):
        joiner = SEPARATOR if index else ""
        if len(lines[-1]) + len(joiner) + len(part) <= width:
            lines[-1] += joiner + part
        else:  # the part on lines of its own; textwrap breaks inside it only if it must
            lines += [indent + piece for piece in textwrap.wrap(part, width - len(indent), break_on_hyphens=False)]
    return [line.rstrip() for line in lines if line.strip()]


def _lanes(findings: Sequence[Finding]) -> list[Lane]:
    return list(dict.fromkeys((f.browser, f.profile) for f in findings))


def _label(finding: Finding) -> str:
    """The verdict as the table shows it; "*": the app's answer has a note (printed below it)."""
    return finding.verdict + (" *" if finding.notes else "")


def _cells(verdicts: Sequence[str], names: Sequence[str]) -> list[str]:
    """Lanes grouped by verdict, in the order the verdicts first appear: ["C1 C3: blocked", ...]."""
    if len(set(verdicts)) == 1:
        return [f"all: {verdicts[0]}"]
    by_verdict: dict[str, list[str]] = {}
    for name, verdict in zip(names, verdicts, strict=True):
        by_verdict.setdefault(verdict, []).append(name)
    return [f"{' '.join(lanes)}: {verdict}" for verdict, lanes in by_verdict.items()]


@dataclass
class _Group:
    """The paths on which one attacker's request of one kind came to the same verdicts."""

    paths: list[str]
    leak: bool


def _where(paths: Sequence[str]) -> str:
    return " ".join(paths) if len(paths) <= LISTED else f"{len(paths)} paths"


def _attackers(findings: Sequence[Finding]) -> list[tuple[str, str]]:
    """(kind, origin) of each origin in the findings: trusted controls first, then the run's order."""
    seen = list(dict.fromkeys((f.attacker.kind, f.attacker.origin) for f in findings))
    return sorted(seen, key=lambda attacker: attacker[0] != "trusted")  # a stable sort keeps the order


def _legend(lanes: Sequence[Lane], width: int) -> list[str]:
    names = [f"C{index} {browser} {profile}" for index, (browser, profile) in enumerate(lanes, 1)]
    return _wrap("lanes: ", names, width, " " * len("lanes: "))


def _heading(kind: str, origin: str, leak: bool, width: int) -> str:
    """An origin's heading, "! suffix  https://evilshop.example": the origin shortened only if it must be."""
    marker = "! " if leak else ""
    title = f"{kind} (control)" if kind == "trusted" else kind
    title = _middle(title, max(1, width // 3))  # a kind is a short name; a long one must not crowd out the origin
    return marker + title + "  " + _middle(origin, width - len(marker) - len(title) - 2)


def fold(findings: Sequence[Finding], width: int = 100) -> list[str]:
    """The findings as a short table: a legend of the lanes, then for each origin (trusted controls
    first) a heading and one line per request kind and verdict pattern, "!" where one leaked."""
    if width < MIN_WIDTH:
        raise ValueError(f"width {width}: at least {MIN_WIDTH} columns")
    if not findings:
        return []
    lanes = _lanes(findings)
    names = [f"C{index}" for index in range(1, len(lanes) + 1)]
    # (kind, origin) -> probe -> verdicts in lane order -> the paths, in the run's order
    grouped: dict[tuple[str, str], dict[str, dict[tuple[str, ...], _Group]]] = {}
    cells: dict[tuple[str, str, str, str], dict[Lane, Finding]] = {}
    for f in findings:
        cells.setdefault((f.attacker.kind, f.attacker.origin, f.probe, f.path), {})[(f.browser, f.profile)] = f
    for (kind, origin, probe, path), by_lane in cells.items():
        verdicts = tuple(_label(by_lane[lane]) if lane in by_lane else "-" for lane in lanes)
        leak = any(f.leak for f in by_lane.values())
        group = grouped.setdefault((kind, origin), {}).setdefault(probe, {}).setdefault(verdicts, _Group([], False))
        group.paths.append(path)
        group.leak = group.leak or leak
    rows = [
        _where(group.paths) for probes in grouped.values() for groups in probes.values() for group in groups.values()
    ]
    probe_width = max(len(probe) for *_, probe, _ in cells)
    # the paths column as wide as its widest entry, up to a third of the line: a long list of
    # paths pushes its own line's verdicts right, not everyone's
    where_width = min(max(len(row) for row in rows), width // 3)
    lines = _legend(lanes, width)
    for kind, origin in _attackers(findings):
        probes = grouped[(kind, origin)]
        leaked = any(group.leak for groups in probes.values() for group in groups.values())
        lines.append(_heading(kind, origin, leaked, width))
        for probe, groups in probes.items():
            for verdicts, group in groups.items():
                start = ("  ! " if group.leak else ROW_INDENT) + probe.ljust(probe_width) + "  "
                where = _where(group.paths)
                if len(start) + len(where) + 2 > width:  # paths too long to share a line: theirs, then the verdicts
                    lines += textwrap.wrap(start + where, width, subsequent_indent=CONTINUATION, break_on_hyphens=False)
                    start = CONTINUATION
                else:
                    start += where.ljust(where_width) + "  "
                lines += _wrap(start, _cells(verdicts, names), width, CONTINUATION)
    return lines


def leak_lines(findings: Sequence[Finding], width: int = 100) -> list[str]:
    """Each leak once: the origin, the request, every path where it leaked alike (one line for the
    paths that share why and lanes, so 40 paths are one entry, each path still named), why, and
    the lanes (in words) where it leaked."""
    if width < MIN_WIDTH:
        raise ValueError(f"width {width}: at least {MIN_WIDTH} columns")
    where: dict[tuple[str, str, str, str], dict[str, list[str]]] = {}
    for f in findings:
        if f.leak:
            lanes = where.setdefault((f.attacker.kind, f.attacker.origin, f.probe, f.why), {})
            lanes.setdefault(f.path, []).append(f"{f.browser} {f.profile}")
    paths_by: dict[tuple[str, str, str, str, tuple[str, ...]], list[str]] = {}
    for (kind, origin, probe, why), lanes_by_path in where.items():
        for path, leaked_in in lanes_by_path.items():
            paths_by.setdefault((kind, origin, probe, why, tuple(leaked_in)), []).append(path)
    lines: list[str] = []
    for (kind, origin, probe, why, named), paths in paths_by.items():
        shown = _middle(origin, width - len("! ") - 1)
        text = f"! {shown} ({kind}) {probe} {', '.join(paths)}: {why} [{', '.join(named)}]"
        # an origin is one word here, shortened above to fit a line: textwrap never splits it
        lines += textwrap.wrap(text, width, subsequent_indent=ROW_INDENT, break_on_hyphens=False)
    return lines
