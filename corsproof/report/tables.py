"""The behaviour tables of README.md and docs/, made from a report, never typed by hand.

Each table sits between `<!-- table:NAME -->` and `<!-- /table:NAME -->` in a Markdown file;
`corsproof tables REPORT FILE...` rewrites what is between the markers, and a test checks that the
checked-in files say what baseline/report.json says. A marker that is misspelled, unpaired, nested
or names an unknown table is a TableError (`FILE:LINE: what is wrong`), never a table quietly skipped.

The tables themselves belong to the areas (each e2e/<area>_cases.py declares its AREA and its
tables); this module holds what every table shares: the cells of an area, the lanes, the words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from corsproof.profiles import CookieProfile
from corsproof.report.areas import Table, suite_areas

Cells = dict[tuple[str, str, str, str], dict[str, Any]]
Lane = tuple[str, str]


def area_cells(data: dict[str, Any], area: str) -> Cells:
    """The area's scenario cells by (area, scenario, browser, profile): the tables are about
    scenarios, not the multi-step tests."""
    return {
        (c["area"], c["scenario"], c["browser"], c["profile"]): c
        for c in data["cells"]
        if c["area"] == area and c["kind"] != "MultiStep"
    }


def lanes(data: dict[str, Any], area: str | None = None) -> list[Lane]:
    """(browser, cookie profile) of every browser that ran (with cells in area, if one is named:
    an area may not be measured in every browser yet), by name, profiles in their own order."""
    profiles = [p.value for p in CookieProfile]
    ran = {(b["name"], b["cookie_profile"]) for b in data["browsers"]}
    if area is not None:
        ran &= {(c["browser"], c["profile"]) for c in data["cells"] if c["area"] == area}
        if not ran:
            raise LookupError(f"cells of area {area!r}")
    return sorted(ran, key=lambda lane: (lane[0], profiles.index(lane[1]) if lane[1] in profiles else len(profiles)))


def browsers(data: dict[str, Any], area: str | None = None) -> list[str]:
    """The browsers of the report's cells (of area's, if one is named), by name."""
    found = sorted({c["browser"] for c in data["cells"] if area is None or c["area"] == area})
    if area is not None and not found:
        raise LookupError(f"cells of area {area!r}")
    return found


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    row = "| {} |".format
    return "\n".join([row(" | ".join(header)), "|" + "---|" * len(header), *(row(" | ".join(r)) for r in rows)])


def lanes_where(cells: Cells, area: str, scenario: str, test: Callable[[dict[str, Any]], bool]) -> set[Lane]:
    """The lanes where the scenario's cell passes test."""
    return {(b, p) for (a, s, b, p), c in cells.items() if a == area and s == scenario and test(c)}


def verdict(yes: set[Lane], ran: set[Lane], word: str) -> str:
    """Where something happened, in words: every profile, only some, per browser."""
    if not yes:
        return "no"
    if yes == ran:
        every = "both browsers" if len({b for b, _ in ran}) == 2 else "every browser"
        return f"**{word}**, every profile, {every}"
    profiles = {p for _, p in yes}
    if all((b, p) in yes for b in {b for b, _ in ran} for p in profiles):
        return f"**{word} only** with " + ", ".join(sorted(profiles)).replace("third-party-", "third-party cookies ")
    return "**" + word + "** in " + ", ".join(f"{b} {p}" for b, p in sorted(yes))


def known_tables() -> dict[str, Table]:
    """Every table the areas of this checkout declare (corsproof/report/areas.py), by name."""
    return {name: made for area in suite_areas() for name, made in area.tables.items()}


# Any line that looks like it means to be a table marker, even misspelled: each one must be well formed.
_LOOKS_LIKE_MARKER = re.compile(r"<!--?\s*/?\s*tab", re.I)
_MARKER = re.compile(r"<!-- (?P<close>/?)table:(?P<name>[a-z][a-z0-9-]*) -->")
_FENCE = re.compile(r"\s{0,3}(```|~~~)")
_CODE_SPAN = re.compile(r"(`+).*?\1")


class TableError(ValueError):
    """A file's table markers cannot be followed, or a table cannot be made: one line, `FILE:LINE: what`."""


def _known(known: Mapping[str, Table]) -> str:
    if not known:
        return "known: none, for no e2e/*_cases.py of a corsproof checkout is on the path"
    return "known: " + ", ".join(known)


def _spans(text: str, where: str, known: Mapping[str, Table]) -> list[tuple[str, int, int]]:
    """Each marked table as (name, index of its opening line, index of its closing line), in order.

    Every line that looks like a table marker must be exactly `<!-- table:NAME -->` or
    `<!-- /table:NAME -->`; openings and closings pair up, do not nest, and name known tables.
    Markers inside fenced code blocks and `code spans` are prose about markers, not markers.
    """
    spans = []
    opened: tuple[str, int] | None = None
    fenced = False
    for index, line in enumerate(text.split("\n")):
        at = f"{where}:{index + 1}"
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or not _LOOKS_LIKE_MARKER.search(_CODE_SPAN.sub("", line)):
            continue
        marker = _MARKER.fullmatch(line.rstrip())
        if marker is None:
            raise TableError(
                f"{at}: malformed table marker {line.strip()!r}; "
                "write <!-- table:NAME --> and <!-- /table:NAME --> each alone on its line"
            )
        name = marker["name"]
        if not marker["close"]:
            if opened is not None:
                raise TableError(
                    f"{at}: <!-- table:{name} --> opens inside table {opened[0]!r} (opened on line "
                    f"{opened[1] + 1}); close that first with <!-- /table:{opened[0]} -->"
                )
            if name not in known:
                raise TableError(f"{at}: unknown table {name!r} ({_known(known)})")
            opened = (name, index)
        elif opened is None:
            raise TableError(f"{at}: <!-- /table:{name} --> closes no table: no <!-- table:{name} --> before it")
        elif name != opened[0]:
            raise TableError(
                f"{at}: <!-- /table:{name} --> closes table {opened[0]!r} (opened on line {opened[1] + 1}); "
                f"write <!-- /table:{opened[0]} -->"
            )
        else:
            spans.append((name, opened[1], index))
            opened = None
    if opened is not None:
        raise TableError(
            f"{where}:{opened[1] + 1}: table {opened[0]!r} is never closed: no <!-- /table:{opened[0]} --> after it"
        )
    return spans


def _made(made: Table, name: str, data: dict[str, Any], at: str) -> list[str]:
    """The lines of table name, or a TableError when the report lacks what it needs."""
    try:
        return made(data).split("\n")
    except LookupError as error:
        raise TableError(f"{at}: table {name!r} cannot be made from this report (it lacks {error})") from None


def render_into(
    text: str, data: dict[str, Any], where: str = "<text>", known: Mapping[str, Table] | None = None
) -> str:
    """text with every marked table made anew from data; a TableError if its markers are not right.

    where names the text in error messages (a file's path); known: the tables by name (default:
    the checkout's, known_tables()).
    """
    known = known_tables() if known is None else known
    lines = text.split("\n")
    for name, start, end in reversed(_spans(text, where, known)):
        lines[start + 1 : end] = _made(known[name], name, data, f"{where}:{start + 1}")
    return "\n".join(lines)


def differing(
    text: str, data: dict[str, Any], where: str = "<text>", known: Mapping[str, Table] | None = None
) -> list[str]:
    """The names of the marked tables whose body render_into would change, in the order they appear."""
    known = known_tables() if known is None else known
    lines = text.split("\n")
    names: list[str] = []
    for name, start, end in _spans(text, where, known):
        if lines[start + 1 : end] != _made(known[name], name, data, f"{where}:{start + 1}") and name not in names:
            names.append(name)
    return names
