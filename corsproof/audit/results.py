"""An audit's result as files that CI understands: SARIF 2.1.0 for code scanning, JUnit XML for
test dashboards.

Both say the same thing the terminal does, grouped the same way: one entry per attacker origin,
request and path (a "case"), with the lanes (browser and cookie profile) where it leaked. A leak
proven in one lane is a leak, whatever the other lanes said; the other lanes' verdicts go along
as evidence. A request the audit could not observe is never reported as safe: in SARIF it is a
tool execution notification of level "error" and the run is marked unsuccessful (SARIF results
are findings about the app, and "could not look" is a fact about the run); in JUnit it is an
<error>, the test framework's word for "the test could not run".

Rules (SARIF): one per attacker class that leaked, since a class is one way an origin check goes
wrong and so one thing to fix. A cross-site form POST the app carried out is a different flaw
(CSRF: no CORS check is involved, the browser sends the form whatever the app answers), so a
class's form leaks get a rule of their own, "corsproof/<kind>-form", tagged "csrf"; reads and
preflighted PUTs are "corsproof/<kind>", tagged "cors". Only the classes that leaked get rules:
a rule with no result says nothing, and the log stays as small as its findings.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corsproof.audit.run import Finding, Result

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "corsproof"
# The key of the fingerprint in partialFingerprints; the version changes if what it hashes does.
FINGERPRINT = "corsproofCase/v1"
SUITE = "corsproof audit"
REQUESTS = {
    "read": "a credentialed GET",
    "preflight": "a credentialed, preflighted PUT",
    "form": "a cross-site form POST",
}
# XML 1.0 cannot hold these at all (not even escaped): an app's answer or a browser's error may.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Case:
    """Every lane's finding for one attacker origin, request and path: one SARIF result or one
    JUnit test case."""

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def key(self) -> tuple[str, str, str, str]:
        f = self.first
        return (f.attacker.kind, f.attacker.origin, f.probe, f.path)

    @property
    def leaks(self) -> list[Finding]:
        return [f for f in self.findings if f.leak]

    @property
    def unobserved(self) -> list[Finding]:
        return [f for f in self.findings if not f.observed]

    @property
    def name(self) -> str:
        kind, origin, probe, path = self.key
        return f"{kind} {origin} {probe} {path}"

    def verdicts(self) -> dict[str, str]:
        """Each lane's verdict, leaking or not: the evidence beside the leak."""
        return {_lane(f): f.verdict for f in self.findings}


def _lane(finding: Finding) -> str:
    return f"{finding.browser} {finding.profile}"


def _lanes(findings: Iterable[Finding]) -> list[str]:
    return list(dict.fromkeys(_lane(f) for f in findings))


def _whys(findings: Iterable[Finding]) -> str:
    """The distinct reasons, in order: lanes that leaked alike say it once."""
    return "; ".join(dict.fromkeys(f.why for f in findings))


def cases(findings: Iterable[Finding]) -> list[Case]:
    """The findings grouped by (attacker class, origin, request, path), in the order first seen,
    so two runs over the same findings list the same cases in the same order."""
    grouped: dict[tuple[str, str, str, str], list[Finding]] = {}
    for finding in findings:
        key = (finding.attacker.kind, finding.attacker.origin, finding.probe, finding.path)
        grouped.setdefault(key, []).append(finding)
    return [Case(tuple(group)) for group in grouped.values()]


def fingerprint(case: Case) -> str:
    """A hash of what the case is, not of what it found: the same attack on the same path is the
    same alert from run to run (GitHub keeps its state, dismissed or fixed), whatever the lanes."""
    text = "\x00".join(case.key)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _rule_id(finding: Finding) -> str:
    suffix = "-form" if finding.probe == "form" else ""
    return f"corsproof/{finding.attacker.kind}{suffix}"


def _rule_name(rule_id: str) -> str:
    """PascalCase, as SARIF suggests for a rule's name: corsproof/any-subdomain-form → AnySubdomainForm."""
    return "".join(part.capitalize() for part in re.split(r"[-_/]", rule_id.removeprefix("corsproof/")) if part)


def _rule(rule_id: str, leaks: list[Finding]) -> dict[str, Any]:
    """One class's rule. A class's origins differ by the trusted origin they mimic, and so does
    the exact check they beat: the description lists each check seen, and what an attacker needs."""
    kind = leaks[0].attacker.kind
    form = leaks[0].probe == "form"
    checks = "; ".join(dict.fromkeys(f.attacker.beats for f in leaks))
    needs = "; ".join(dict.fromkeys(f.attacker.needs for f in leaks if f.attacker.needs))
    needs_text = f"A real attacker needs {needs}." if needs else "A real attacker needs only a site of their own."
    if form:
        short = f"Another site has the app carry out a write with the victim's cookies: {kind}"
        full = (
            f"A page on an origin of the class {kind} submitted a cross-site form POST that carried the "
            f"victim's credential, and the app carried it out (CSRF). The flawed check it beats: {checks}. "
        )
    else:
        short = f"Another site reads the victim's data: {kind}"
        full = (
            f"A page on an origin of the class {kind} made a credentialed request that the app answered "
            f"for it with the victim's credential. The flawed check it beats: {checks}. "
        )
    return {
        "id": rule_id,
        "name": _rule_name(rule_id),
        "shortDescription": {"text": short},
        "fullDescription": {"text": full + needs_text},
        "help": {
            "text": f"The flawed check: {checks}. Compare the Origin against the exact trusted origins. {needs_text}"
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["security", "csrf" if form else "cors"], "precision": "very-high"},
    }


def _rules(leaking: list[Case]) -> list[dict[str, Any]]:
    by_id: dict[str, list[Finding]] = {}
    for case in leaking:
        by_id.setdefault(_rule_id(case.first), []).extend(case.leaks)
    return [_rule(rule_id, leaks) for rule_id, leaks in by_id.items()]


def _locations(path: str, app_origin: str, source: str | None) -> list[dict[str, Any]]:
    location: dict[str, Any] = {
        "logicalLocations": [{"kind": "resource", "name": path, "fullyQualifiedName": app_origin.rstrip("/") + path}]
    }
    if source is not None:
        location["physicalLocation"] = {"artifactLocation": {"uri": source}}
    return [location]


def _message(case: Case) -> str:
    a, leaks = case.first.attacker, case.leaks
    mimics = f", mimicking {a.mimics}" if a.mimics else ""
    text = (
        f"The origin {a.origin} ({a.kind}{mimics}) made {REQUESTS[case.first.probe]} to {case.first.path}: "
        f"{_whys(leaks)}. Leaked in: {', '.join(_lanes(leaks))}. The flawed check it beats: {a.beats}."
    )
    return text + (f" A real attacker needs {a.needs}." if a.needs else "")


def _result(case: Case, rule_index: int, app_origin: str, source: str | None) -> dict[str, Any]:
    a = case.first.attacker
    return {
        "ruleId": _rule_id(case.first),
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": _message(case)},
        "locations": _locations(case.first.path, app_origin, source),
        "partialFingerprints": {FINGERPRINT: fingerprint(case)},
        "properties": {
            "attacker": {"kind": a.kind, "origin": a.origin, "page": a.page, "mimics": a.mimics, "needs": a.needs},
            "probe": case.first.probe,
            "path": case.first.path,
            "lanes": _lanes(case.leaks),
            "verdicts": case.verdicts(),
            "why": list(dict.fromkeys(f.why for f in case.leaks)),
            "notes": list(dict.fromkeys(n for f in case.findings for n in f.notes)),
        },
    }


def _notification(case: Case, app_origin: str) -> dict[str, Any]:
    """A case some lane could not observe: no verdict there, which must not read as "safe"."""
    missing, first = case.unobserved, case.first
    text = (
        f"not observed: the origin {first.attacker.origin} ({first.attacker.kind}) {REQUESTS[first.probe]} "
        f"to {first.path} in {', '.join(_lanes(missing))}: {_whys(missing)}"
    )
    return {
        "level": "error",
        "message": {"text": text},
        "locations": _locations(case.first.path, app_origin, None),
        "properties": {"lanes": _lanes(missing), "verdicts": case.verdicts()},
    }


def _invocation(result: Result, all_cases: list[Case], app_origin: str) -> dict[str, Any]:
    notifications = [_notification(c, app_origin) for c in all_cases if c.unobserved]
    notifications += [{"level": "note", "message": {"text": note}} for note in result.notes]
    invocation: dict[str, Any] = {"executionSuccessful": not any(c.unobserved for c in all_cases)}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def to_sarif(result: Result, app_origin: str, tool_version: str, source: str | None = None) -> dict[str, Any]:
    """The audit as a SARIF 2.1.0 log: one result per leaking (origin, request, path).

    source: a file to name as each result's physical location (the app's module, say). GitHub
    code scanning shows only results with a physicalLocation.artifactLocation.uri, so pass one for
    an upload there; without it the results carry a logical location only (the path on the app),
    which SARIF viewers and the schema accept.
    """
    all_cases = cases(result.findings)
    leaking = [c for c in all_cases if c.leaks]
    rules = _rules(leaking)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {"driver": {"name": TOOL_NAME, "version": tool_version, "rules": rules}},
        "invocations": [_invocation(result, all_cases, app_origin)],
        "results": [_result(c, index[_rule_id(c.first)], app_origin, source) for c in leaking],
        "properties": {"appOrigin": app_origin},
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _xml_text(text: str) -> str:
    """text with what XML 1.0 cannot hold replaced: the file must parse whatever an app answered."""
    return _NOT_XML.sub("\ufffd", text)


def _lane_lines(case: Case) -> str:
    return "\n".join(f"{_lane(f)}: {f.verdict} ({f.why})" for f in case.findings)


def _testcase(case: Case) -> ET.Element:
    """A leak in any lane fails the case; else a lane not observed makes it an error: the audit
    could not look, which is not a pass."""
    seconds = sum(f.seen.cost_ms for f in case.findings) / 1000
    element = ET.Element(
        "testcase",
        name=_xml_text(case.name),
        classname=_xml_text(f"corsproof.audit.{case.first.attacker.kind}"),
        time=f"{seconds:.3f}",
    )
    if case.leaks:
        message = f"leaked in {', '.join(_lanes(case.leaks))}: {_whys(case.leaks)}"
        failure = ET.SubElement(element, "failure", message=_xml_text(message), type="leak")
        failure.text = _xml_text(_lane_lines(case))
    elif case.unobserved:
        message = f"not observed in {', '.join(_lanes(case.unobserved))}: {_whys(case.unobserved)}"
        error = ET.SubElement(element, "error", message=_xml_text(message), type="unobserved")
        error.text = _xml_text(_lane_lines(case))
    else:
        ET.SubElement(element, "system-out").text = _xml_text(_lane_lines(case))
    return element


def to_junit(result: Result) -> str:
    """The audit as JUnit XML: one test case per (attacker class, origin, request, path), the
    trusted controls included (they pass, unless unobserved), in one suite."""
    testcases = [_testcase(c) for c in cases(result.findings)]
    counts = {
        "tests": str(len(testcases)),
        "failures": str(sum(1 for t in testcases if t.find("failure") is not None)),
        "errors": str(sum(1 for t in testcases if t.find("error") is not None)),
        "skipped": "0",
    }
    total = sum(float(t.get("time", "0")) for t in testcases)
    root = ET.Element("testsuites", {"name": SUITE, "time": f"{total:.3f}", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, "time": f"{total:.3f}", **counts})
    suite.extend(testcases)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_sarif(data: dict[str, Any], path: str | Path) -> Path:
    """Write a SARIF log where CI's upload step will look, making its folder as needed."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def write_junit(text: str, path: str | Path) -> Path:
    """Write JUnit XML where CI's test reporter will look, making its folder as needed."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
