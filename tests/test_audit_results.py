"""The audit's SARIF and JUnit files: valid against the SARIF 2.1.0 schema, one entry per leaking
(origin, request, path), stable fingerprints, right JUnit counts; no browser needed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from corsproof.audit.attackers import Attacker, derive
from corsproof.audit.results import FINGERPRINT, to_junit, to_sarif, write_junit, write_sarif
from corsproof.audit.run import Finding, Probe, Result
from corsproof.model import Observation

APP = "https://api.shop.example"
TRUSTED = "https://www.shop.example"
LANES = [(b, p) for b in ("chromium", "firefox") for p in ("default", "third-party-allowed")]
PATHS = ["/me", "/orders"]
PROBES: tuple[Probe, ...] = ("read", "preflight", "form")
# The schema as published in the npm package @microsoft/jest-sarif 1.0.0-beta.0 (MIT):
# schemastore's sarif-2.1.0-rtm.5.json, the OASIS SARIF 2.1.0 schema.
SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0.schema.json"
LEAK_WHY = "the page read the answer (200) with the victim's credential (session)"


def _attackers() -> dict[str, Attacker]:
    trusted = Attacker("trusted", TRUSTED, TRUSTED, TRUSTED, "an origin the app trusts (the control)")
    return {"trusted": trusted, **{a.kind: a for a in derive(APP, [TRUSTED])}}


ATTACKERS = _attackers()


def _finding(
    kind: str, probe: Probe, path: str, lane: tuple[str, str], verdict: str = "blocked", leak: bool = False
) -> Finding:
    attacker = ATTACKERS[kind]
    why = LEAK_WHY if leak else "the browser said no"
    return Finding(attacker, probe, path, *lane, verdict, leak, why, Observation(page_origin=attacker.page))


def _unobserved(kind: str, probe: Probe, path: str, lane: tuple[str, str]) -> Finding:
    attacker = ATTACKERS[kind]
    seen = Observation(page_origin=attacker.origin)
    return Finding(attacker, probe, path, *lane, "not observed", False, "the browser failed: crash", seen, (), False)


# What leaks, and where: (kind, probe, path) → the lanes (indexes into LANES) that leak.
LEAKING: dict[tuple[str, Probe, str], tuple[int, ...]] = {
    ("suffix", "read", "/me"): (0, 1),  # chromium only
    ("suffix", "read", "/orders"): (1, 3),  # third-party cookies allowed only
    ("null", "preflight", "/me"): (0, 1, 2, 3),
    ("suffix", "form", "/orders"): (0,),
}
UNOBSERVED = {("substring", "read", "/orders"): (2, 3)}  # firefox failed there


def _result(leaking: dict[tuple[str, Probe, str], tuple[int, ...]] = LEAKING) -> Result:
    findings = []
    for kind in ("trusted", "unrelated", "null", "suffix", "substring"):
        for probe in PROBES:
            for path in PATHS:
                for index, lane in enumerate(LANES):
                    key = (kind, probe, path)
                    if index in UNOBSERVED.get(key, ()):
                        findings.append(_unobserved(kind, probe, path, lane))
                    elif index in leaking.get(key, ()):
                        findings.append(_finding(kind, probe, path, lane, "LEAK", True))
                    else:
                        findings.append(_finding(kind, probe, path, lane))
    return Result(findings, [], {})


CASES = 5 * len(PROBES) * len(PATHS)


def _validate(data: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)


@pytest.mark.parametrize("source", [None, "app/main.py"])
def test_the_sarif_log_is_valid_sarif_2_1_0(source: str | None) -> None:
    data = to_sarif(_result(), APP, "1.2.3", source=source)
    _validate(data)
    json.dumps(data)  # plain JSON all through
    assert data["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert data["version"] == "2.1.0"
    (run,) = data["runs"]
    assert run["tool"]["driver"]["name"] == "corsproof"
    assert run["tool"]["driver"]["version"] == "1.2.3"
    assert "informationUri" not in run["tool"]["driver"]
    location = run["results"][0]["locations"][0]
    assert ("physicalLocation" in location) == (source is not None)
    if source:
        assert location["physicalLocation"]["artifactLocation"]["uri"] == source


def test_an_audit_without_findings_is_valid_and_successful() -> None:
    data = to_sarif(Result([], [], {}), APP, "0")
    _validate(data)
    (run,) = data["runs"]
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_one_result_per_leaking_origin_request_and_path() -> None:
    (run,) = to_sarif(_result(), APP, "1")["runs"]
    got = {
        (r["properties"]["attacker"]["origin"], r["properties"]["probe"], r["properties"]["path"])
        for r in run["results"]
    }
    want = {(ATTACKERS[k].origin, probe, path) for k, probe, path in LEAKING}
    assert len(run["results"]) == len(LEAKING)
    assert got == want
    for r in run["results"]:
        assert r["level"] == "error"
        (logical,) = r["locations"][0]["logicalLocations"]
        assert logical == {
            "kind": "resource",
            "name": r["properties"]["path"],
            "fullyQualifiedName": APP + r["properties"]["path"],
        }


def test_a_result_names_origin_request_path_why_and_the_lanes_it_leaked_in() -> None:
    (run,) = to_sarif(_result(), APP, "1")["runs"]
    suffix = ATTACKERS["suffix"].origin
    (result,) = [
        r for r in run["results"] if r["properties"]["path"] == "/orders" and r["properties"]["probe"] == "read"
    ]
    text = result["message"]["text"]
    assert suffix in text and "/orders" in text and "GET" in text and LEAK_WHY in text
    assert "chromium third-party-allowed, firefox third-party-allowed" in text
    assert "chromium default" not in text.split("Leaked in:")[1]
    assert result["properties"]["lanes"] == ["chromium third-party-allowed", "firefox third-party-allowed"]
    assert result["properties"]["verdicts"] == {
        "chromium default": "blocked",
        "chromium third-party-allowed": "LEAK",
        "firefox default": "blocked",
        "firefox third-party-allowed": "LEAK",
    }


def test_rules_one_per_leaking_class_with_form_posts_apart() -> None:
    (run,) = to_sarif(_result(), APP, "1")["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["corsproof/null", "corsproof/suffix", "corsproof/suffix-form"]
    by_id = {r["id"]: r for r in rules}
    assert by_id["corsproof/suffix"]["shortDescription"]["text"] == "Another site reads the victim's data: suffix"
    assert ATTACKERS["suffix"].beats in by_id["corsproof/suffix"]["fullDescription"]["text"]
    assert ATTACKERS["null"].needs in by_id["corsproof/null"]["help"]["text"]
    assert "csrf" in by_id["corsproof/suffix-form"]["properties"]["tags"]
    assert all(r["defaultConfiguration"]["level"] == "error" for r in rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    form = next(r for r in run["results"] if r["properties"]["probe"] == "form")
    assert form["ruleId"] == "corsproof/suffix-form"


def test_fingerprints_are_stable_across_runs_and_distinct_between_results() -> None:
    first = to_sarif(_result(), APP, "1")["runs"][0]["results"]
    # Another run: other lanes leak, another version; the same cases must keep their alerts.
    other: dict[tuple[str, Probe, str], tuple[int, ...]] = {key: (3,) for key in LEAKING}
    second = to_sarif(_result(other), APP, "2")["runs"][0]["results"]
    prints = [r["partialFingerprints"][FINGERPRINT] for r in first]
    assert prints == [r["partialFingerprints"][FINGERPRINT] for r in second]
    assert len(set(prints)) == len(prints)


def test_unobserved_requests_are_errors_of_the_run_not_results() -> None:
    (run,) = to_sarif(_result(), APP, "1")["runs"]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert ATTACKERS["substring"].origin in note["message"]["text"]
    assert "firefox default, firefox third-party-allowed" in note["message"]["text"]
    assert all(r["properties"]["attacker"]["kind"] != "substring" for r in run["results"])


def _junit(result: Result) -> ET.Element:
    return ET.fromstring(to_junit(result))


def test_junit_counts_and_a_failure_per_leaking_case() -> None:
    root = _junit(_result())
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "corsproof audit"
    testcases = suite.findall("testcase")
    assert len(testcases) == CASES
    assert suite.get("tests") == root.get("tests") == str(CASES)
    assert suite.get("failures") == str(len(LEAKING))
    assert suite.get("errors") == str(len(UNOBSERVED))
    failed = {t.get("name") for t in testcases if t.find("failure") is not None}
    assert failed == {f"{k} {ATTACKERS[k].origin} {probe} {path}" for k, probe, path in LEAKING}
    errored = {t.get("name") for t in testcases if t.find("error") is not None}
    assert errored == {f"{k} {ATTACKERS[k].origin} {probe} {path}" for k, probe, path in UNOBSERVED}
    names = [t.get("name") for t in testcases]
    assert len(set(names)) == len(names)
    assert f"suffix {ATTACKERS['suffix'].origin} read /me" in names
    assert {t.get("classname") for t in testcases} == {
        f"corsproof.audit.{k}" for k in ("trusted", "unrelated", "null", "suffix", "substring")
    }


def test_a_junit_failure_says_the_lanes_and_why() -> None:
    testcases = _junit(_result()).iter("testcase")
    case = next(t for t in testcases if t.get("name") == f"suffix {ATTACKERS['suffix'].origin} read /me")
    failure = case.find("failure")
    assert failure is not None
    message = failure.get("message", "")
    assert "chromium default, chromium third-party-allowed" in message and LEAK_WHY in message
    assert "firefox" not in message
    assert "firefox default: blocked" in (failure.text or "")


def test_junit_holds_any_text_an_app_or_browser_could_say() -> None:
    """XML 1.0 cannot hold a NUL or most control characters; the file must parse anyway."""
    finding = _finding("suffix", "read", "/me\x00\x1b[31m", LANES[0], "LEAK", True)
    finding = Finding(**{**finding.__dict__, "why": "answer: \x00\x07\ufffe done"})
    root = _junit(Result([finding], [], {}))
    assert root.get("failures") == "1"
    _validate(to_sarif(Result([finding], [], {}), APP, "1"))


def test_the_writers_make_their_folders(tmp_path: Path) -> None:
    result = _result()
    sarif = write_sarif(to_sarif(result, APP, "1"), tmp_path / "a" / "b" / "audit.sarif")
    junit = write_junit(to_junit(result), tmp_path / "c" / "junit.xml")
    assert json.loads(sarif.read_text(encoding="utf-8")) == to_sarif(result, APP, "1")
    assert ET.parse(junit).getroot().get("tests") == str(CASES)
