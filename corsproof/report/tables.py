"""The behaviour tables of README.md and docs/, made from a report, never typed by hand.

Each table sits between `<!-- table:NAME -->` and `<!-- /table:NAME -->` in a Markdown file;
`corsproof tables REPORT FILE...` rewrites what is between the markers, and a test checks that the
checked-in files say what baseline/report.json says. A marker that is misspelled, unpaired, nested
or names an unknown table is a TableError (`FILE:LINE: what is wrong`), never a table quietly skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from corsproof.audit import attackers
from corsproof.requests import HOWS

LANES = [(b, p) for b in ("chromium", "firefox") for p in ("default", "third-party-allowed", "third-party-blocked")]
PROFILES = ("default", "third-party-allowed", "third-party-blocked")
# The matrix cookies, as the tables name them (servers/cookie_lab.py sets them).
COOKIE_LABELS = {
    "http_only": "HttpOnly",
    "lax": "Lax",
    "lax_insecure": "Lax (not Secure)",
    "none_secure": "None",
    "partitioned": "Partitioned",
    "strict": "Strict",
    "unset": "unset",
}
Cells = dict[tuple[str, str, str, str], dict[str, Any]]


def _cells(data: dict[str, Any], area: str) -> Cells:
    """The area's scenario cells: the tables are about scenarios, not the multi-step tests."""
    return {
        (c["area"], c["scenario"], c["browser"], c["profile"]): c
        for c in data["cells"]
        if c["area"] == area and c["kind"] != "MultiStep"
    }


def _row(values: Iterable[str]) -> str:
    return "| " + " | ".join(values) + " |"


def _table(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join([_row(header), "|" + "---|" * len(header), *(_row(r) for r in rows)])


def _cookies(sent: list[str]) -> str:
    """'all', 'none', 'all but X' or the list, by the names the docs use."""
    stored = set(COOKIE_LABELS)
    names = set(sent)
    if names == stored:
        return "all"
    if not names:
        return "none"
    missing = sorted(COOKIE_LABELS[n] for n in stored - names)
    if names < stored and len(missing) <= 3:
        return "all but " + ", ".join(missing)
    return ", ".join(sorted(COOKIE_LABELS[n] for n in names))


def cookie_matrix(data: dict[str, Any], requesters: tuple[str, ...] = ("good", "sibling", "thirdparty")) -> str:
    cells = _cells(data, "cookie_matrix")
    header = ["requester", "way"] + [f"{b} {p}" for b, p in LANES]
    rows = []
    for who in requesters:
        for how in HOWS:
            found = [cells.get(("cookie_matrix", f"{who}-{how}", b, p)) for b, p in LANES]
            rows.append([who, how] + [_cookies(c["behaviour"]["cookies"]) if c else "—" for c in found])
    return _table(header, rows)


def _where(cells: Cells, area: str, scenario: str, test: Callable[[dict[str, Any]], bool]) -> set[tuple[str, str]]:
    return {(b, p) for (a, s, b, p), c in cells.items() if a == area and s == scenario and test(c)}


def _verdict(yes: set[tuple[str, str]], ran: set[tuple[str, str]], word: str) -> str:
    """Where something happened, in words: every profile, only some, per browser."""
    if not yes:
        return "no"
    if yes == ran:
        return f"**{word}**, every profile, both browsers"
    profiles = {p for _, p in yes}
    if all((b, p) in yes for b in ("chromium", "firefox") for p in profiles):
        return f"**{word} only** with " + ", ".join(sorted(profiles)).replace("third-party-", "third-party cookies ")
    return "**" + word + "** in " + ", ".join(f"{b} {p}" for b, p in sorted(yes))


def csrf(data: dict[str, Any]) -> str:
    cells = _cells(data, "csrf")
    vectors = {
        "form": "HTML form POST (top-level navigation)",
        "fetch-text-plain": "`fetch`, `text/plain`",
        "fetch-form-urlencoded": "`fetch`, `application/x-www-form-urlencoded`",
        "fetch-no-cors": '`fetch`, `mode: "no-cors"`',
    }
    rows = []
    for vector, name in vectors.items():
        row = [name]
        for samesite in ("none", "lax", "strict"):
            scenario = f"samesite-{samesite}-{vector}"
            ran = _where(cells, "csrf", scenario, lambda c: True)
            done = _where(cells, "csrf", scenario, lambda c: c["behaviour"]["transfers"] > 0)
            row.append(_verdict(done, ran, "carried out") if ran else "—")
        rows.append(row)
    return _table(["vector", "SameSite=None", "SameSite=Lax", "SameSite=Strict"], rows)


def _attacker(cell: dict[str, Any]) -> str:
    origin = next((e["origin"] for e in cell["evidence"] if not e["preflight"]), None)
    if origin in (None, "null"):
        return "`null` (a sandboxed iframe)"
    parts = urlsplit(origin)
    # The sites' ports are the OS's choice, so the table names a port only as "another".
    another = " (another port)" if cell["scenario"].endswith("-another-port") else ""
    return f"`{parts.scheme}://{parts.hostname}`{another}"


def attacks(data: dict[str, Any]) -> str:
    """Can evil read the victim's private data? Per attack scenario and cookie profile."""
    cells = _cells(data, "attacks")
    scenarios = sorted({s for _, s, _, _ in cells}, key=lambda s: (s.startswith("safe-"), s))
    rows = []
    for scenario in scenarios:
        first = next(c for (_, s, _, _), c in sorted(cells.items()) if s == scenario)
        row = [f"`{scenario}`", _attacker(first)]
        for profile in PROFILES:
            said = set()
            for browser in ("chromium", "firefox"):
                cell = cells.get(("attacks", scenario, browser, profile))
                if cell is None:
                    continue
                b = cell["behaviour"]
                leaked = b["page"] == "read" and "session" in b["cookies"]
                said.add(
                    "**leaks**" if leaked else "no, the browser withheld the cookie" if b["page"] == "read" else "no"
                )
            row.append(" / ".join(sorted(said)) if said else "—")
        rows.append(row)
    return _table(
        ["scenario", "attacker origin", "default", "third-party cookies allowed", "third-party cookies blocked"], rows
    )


# The cookies good's answers set on thirdparty's fetches (e2e/cookie_matrix_cases.py SET_CROSS_SITE).
SET_LABELS = {
    "x_none": "`SameSite=None; Secure`",
    "x_partitioned": "`… ; Partitioned`",
    "x_lax": "`SameSite=Lax; Secure`",
    "x_unset": "no SameSite, `Secure`",
}


def _kept(cell: dict[str, Any], name: str) -> str:
    """What became of one cookie set cross-site, in one lane."""
    if name not in cell["behaviour"]["stored"]:
        refused = cell["behaviour"].get("set_refusals", {}).get(name)
        return "refused" + (f" (`{', '.join(refused)}`)" if refused else "")
    read_back, first_party = (set(hop["cookies"]) for hop in cell["evidence"])
    if name in first_party:
        return "kept; good's own pages see it"
    return "kept, partitioned: only thirdparty's requests carry it" if name in read_back else "kept, never sent"


def cross_site_set(data: dict[str, Any]) -> str:
    cells = _cells(data, "cookie_matrix")
    header = ["cookie set cross-site"] + [f"{b} {p}" for b, p in LANES]
    rows = [
        [label]
        + [_kept(cells[("cookie_matrix", "cookies-set-by-a-cross-site-response", b, p)], name) for b, p in LANES]
        for name, label in SET_LABELS.items()
    ]
    return _table(header, rows)


def audit_classes(data: dict[str, Any]) -> str:
    """The attacker origins corsproof audit derives, for the README's example (from the code, not a report)."""
    found = attackers.derive("https://api.shop.example", ["https://www.shop.example"])
    rows = [[a.kind, f"`{a.origin}`", a.beats.replace("|", "\\|"), a.needs or "a domain of their own"] for a in found]
    return _table(["class", "attacker origin", "beats a check that trusts…", "a real attacker needs"], rows)


TABLES: dict[str, Callable[[dict[str, Any]], str]] = {
    "cookie-matrix": cookie_matrix,
    "cookie-matrix-thirdparty": lambda data: cookie_matrix(data, ("thirdparty",)),
    "csrf": csrf,
    "attacks": attacks,
    "audit-classes": audit_classes,
    "cookies-set-cross-site": cross_site_set,
}

# Any line that looks like it means to be a table marker, even misspelled: each one must be well formed.
_LOOKS_LIKE_MARKER = re.compile(r"<!--?\s*/?\s*tab", re.I)
_MARKER = re.compile(r"<!-- (?P<close>/?)table:(?P<name>[a-z][a-z0-9-]*) -->")
_FENCE = re.compile(r"\s{0,3}(```|~~~)")
_CODE_SPAN = re.compile(r"(`+).*?\1")


class TableError(ValueError):
    """A file's table markers cannot be followed, or a table cannot be made: one line, `FILE:LINE: what`."""


def _known() -> str:
    return "known: " + ", ".join(TABLES)


def _spans(text: str, where: str) -> list[tuple[str, int, int]]:
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
            if name not in TABLES:
                raise TableError(f"{at}: unknown table {name!r} ({_known()})")
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


def _made(name: str, data: dict[str, Any], at: str) -> list[str]:
    """The lines of table name, or a TableError when the report lacks what it needs."""
    try:
        return TABLES[name](data).split("\n")
    except LookupError as error:
        raise TableError(f"{at}: table {name!r} cannot be made from this report (it lacks {error})") from None


def render_into(text: str, data: dict[str, Any], where: str = "<text>") -> str:
    """text with every marked table made anew from data; a TableError if its markers are not right.

    where names the text in error messages (a file's path).
    """
    lines = text.split("\n")
    for name, start, end in reversed(_spans(text, where)):
        lines[start + 1 : end] = _made(name, data, f"{where}:{start + 1}")
    return "\n".join(lines)


def differing(text: str, data: dict[str, Any], where: str = "<text>") -> list[str]:
    """The names of the marked tables whose body render_into would change, in the order they appear."""
    lines = text.split("\n")
    names: list[str] = []
    for name, start, end in _spans(text, where):
        if lines[start + 1 : end] != _made(name, data, f"{where}:{start + 1}") and name not in names:
            names.append(name)
    return names
