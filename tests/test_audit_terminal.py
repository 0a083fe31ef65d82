"""The audit's folded terminal table: short, never wider than asked, and no leak folded away."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corsproof.audit.attackers import Attacker, derive
from corsproof.audit.run import Finding, Probe
from corsproof.audit.terminal import fold, leak_lines
from corsproof.model import Observation

APP = "https://api.shop.example"
TRUSTED = "https://www.shop.example"
PATHS = [f"/api/v1/things/{n}" for n in range(40)]
LANES = [(b, p) for b in ("chromium", "firefox") for p in ("default", "third-party-allowed")]
PROBES: tuple[Probe, ...] = ("read", "preflight", "form")
# What each attacker class gets in the default profile, and with third-party cookies allowed.
UNIFORM = {"default": ("read, no cookie", False), "third-party-allowed": ("LEAK", True)}


def _attackers() -> list[Attacker]:
    trusted = Attacker("trusted", TRUSTED, TRUSTED, TRUSTED, "an origin the app trusts (the control)")
    attackers = derive(APP, [TRUSTED])[:11]
    assert len(attackers) == 11  # with the control: 12 origins
    return [trusted, *attackers]


def _finding(attacker: Attacker, probe: Probe, path: str, lane: tuple[str, str], verdict: str, leak: bool) -> Finding:
    why = "the page read the answer with the victim's cookies (session)" if leak else "the browser said no"
    return Finding(attacker, probe, path, *lane, verdict, leak, why, Observation(page_origin=attacker.page))


def _audit(leak_at: tuple[str, str, str] | None = None) -> list[Finding]:
    """40 paths × 12 origins × 3 requests × 4 lanes. Uniform verdicts per class: attackers read
    without a cookie by default and LEAK with third-party cookies, except the suffix class, which
    is blocked everywhere but on leak_at's (origin kind, probe, path), which leaks in chromium."""
    made = []
    for attacker in _attackers():
        for probe in PROBES:
            for path in PATHS:
                for lane in LANES:
                    verdict, leak = UNIFORM[lane[1]]
                    if attacker.kind == "trusted":
                        verdict, leak = "read", False
                    elif attacker.kind == "suffix":
                        verdict, leak = "blocked", False
                        if (attacker.kind, probe, path) == leak_at and lane[0] == "chromium":
                            verdict, leak = "LEAK", True
                    made.append(_finding(attacker, probe, path, lane, verdict, leak))
    return made


def test_forty_paths_fold_into_a_screenful() -> None:
    findings = _audit()
    assert len(findings) == 40 * 12 * 3 * 4
    lines = fold(findings)
    assert max(map(len, lines)) <= 100
    assert len(lines) <= 80, "\n".join(lines)
    # trusted controls first, each origin named once in a heading
    headings = [line for line in lines if not line.startswith(" ") and not line.startswith("lanes")]
    assert headings[0].startswith("trusted")
    assert len(headings) == 12
    assert "40 paths" in "\n".join(lines)


def test_the_legend_names_every_lane() -> None:
    text = "\n".join(fold(_audit()))
    for index, (browser, profile) in enumerate(LANES, 1):
        assert f"C{index} {browser} {profile}" in text
    # lanes with the same verdict said together
    assert "C1 C3: read, no cookie · C2 C4: LEAK" in text


def test_a_leak_on_one_path_among_forty_is_not_folded_away() -> None:
    lines = fold(_audit(leak_at=("suffix", "read", "/api/v1/things/17")))
    rows = [line for line in lines if "/api/v1/things/17" in line]
    assert len(rows) == 1
    assert rows[0].startswith("  ! read")
    assert rows[0].endswith("C1 C2: LEAK · C3 C4: blocked")  # C1 C2: chromium
    # the other 39 stay together, and the suffix heading is marked
    assert any(re.search(r"^    read\s+39 paths\s+all: blocked$", line) for line in lines)
    assert any(line.startswith("! suffix ") for line in lines)


def test_each_leak_is_said_once_with_its_lanes() -> None:
    """Every leaking (origin, request, path) is named in exactly one entry, which gives its lanes;
    the paths that leaked alike share the entry."""
    findings = _audit(leak_at=("suffix", "read", "/api/v1/things/17"))
    lines = leak_lines(findings)
    assert max(map(len, lines)) <= 100
    entries = " ".join(line.strip() for line in lines).split("! ")[1:]
    named = []
    for entry in entries:
        origin, kind, probe, rest = entry.split(" ", 3)
        paths = rest.split(": ", 1)[0].split(", ")
        named += [(origin, probe, path) for path in paths]
    leaking = {(f.attacker.origin, f.probe, f.path) for f in findings if f.leak}
    assert sorted(named) == sorted(leaking)
    assert len(entries) < len(leaking)  # folded: 40 paths leaking alike are one entry
    suffix = next(a for a in _attackers() if a.kind == "suffix")
    entry = next(e for e in entries if e.startswith(f"{suffix.origin} (suffix) read /api/v1/things/17:"))
    assert "[chromium default, chromium third-party-allowed]" in entry
    assert "firefox" not in entry


def test_no_leak_no_leak_lines() -> None:
    trusted = _attackers()[0]
    assert leak_lines([_finding(trusted, "read", "/", LANES[0], "read", False)]) == []
    assert fold([]) == []


def test_a_long_origin_is_shortened_in_the_middle_only_when_it_must_be() -> None:
    long_origin = "https://" + "very-long-label." * 10 + "corsproof-evil.test"
    attacker = Attacker("substring", long_origin, long_origin, TRUSTED, "x in origin")
    findings = [_finding(attacker, "read", "/", lane, "LEAK", True) for lane in LANES]
    for width in (40, 60, 100, 200):
        lines = fold(findings, width) + leak_lines(findings, width)
        assert max(map(len, lines)) <= width
        shortened = any("…" in line for line in lines)
        assert shortened == (len(long_origin) > width - len("! substring  ")), lines
        assert all(line.startswith("! https://") or line.startswith(" ") for line in leak_lines(findings, width))


@given(
    origin=st.text(st.characters(codec="ascii", categories=["L", "N", "P"]), min_size=1, max_size=300),
    path=st.text(st.characters(codec="ascii", categories=["L", "N", "P"]), min_size=1, max_size=250),
    verdict=st.sampled_from(["LEAK", "blocked", "read, no cookie", "refused (401)", "x" * 150]),
    why=st.text(max_size=400),
    width=st.integers(40, 160),
)
def test_no_line_is_ever_wider_than_asked(origin: str, path: str, verdict: str, why: str, width: int) -> None:
    attacker = Attacker("unanchored-pattern", origin, origin, TRUSTED, "x")
    findings = [
        _finding(attacker, probe, p, lane, verdict if lane[1] == "default" else "blocked", True)
        for probe in PROBES
        for p in (path, path + "/2", "/")
        for lane in LANES
    ]
    findings = [Finding(**{**f.__dict__, "why": why}) for f in findings]
    lines = fold(findings, width) + leak_lines(findings, width)
    assert all(len(line) <= width for line in lines), [line for line in lines if len(line) > width]


def test_too_narrow_a_width_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 40"):
        fold([], 20)
