"""The GitHub Action (action.yml) and its shell step (scripts/action-audit), without a browser.

The action's inputs reach the shell as environment variables only; scripts/action-audit turns them
into corsproof audit's arguments. Here a fake `corsproof` on PATH records the arguments it was given
and exits with a chosen status: what is tested is our shell step, not the audit.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
SCRIPT = ROOT / "scripts" / "action-audit"
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")

# Inputs the install, browser and upload steps take; every other one is an argument of the audit.
STEP_INPUTS = {
    "corsproof-version",
    "pip-install",
    "browser-build",
    "upload-sarif",
    "artifact-name",
    "working-directory",
}

FAKE = """\
#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_ARGS"], "w") as file:
    json.dump(args, file)
sarif = os.environ.get("FAKE_SARIF")
for arg in args:
    if sarif is not None and arg.startswith("--sarif="):
        path = arg.removeprefix("--sarif=")
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w") as file:
            file.write(sarif)
sys.exit(int(os.environ.get("FAKE_EXIT", "0")))
"""


def load_action() -> dict[str, Any]:
    """action.yml parsed with PyYAML (the test extra installs it, as GitHub's runner parses YAML)."""
    import yaml

    with ACTION.open() as file:
        parsed: dict[str, Any] = yaml.safe_load(file)
    return parsed


def declared_inputs() -> list[str]:
    """The input names, read from the text (no YAML library needed): the keys under `inputs:`."""
    block = ACTION.read_text().split("\ninputs:\n", 1)[1].split("\noutputs:\n", 1)[0]
    return re.findall(r"^  ([a-z][a-z-]*):$", block, re.MULTILINE)


def env_name(name: str) -> str:
    return "CORSPROOF_" + name.upper().replace("-", "_")


@dataclass
class Result:
    """One run of the script: its status, the fake corsproof's arguments (None: not run), $GITHUB_OUTPUT."""

    status: int
    args: list[str] | None
    outputs: dict[str, str]
    stdout: str
    stderr: str
    work: Path


RunStep = Callable[..., Result]


@pytest.fixture
def run_step(tmp_path: Path) -> RunStep:
    """Run scripts/action-audit with CORSPROOF_* variables and the fake corsproof first on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "corsproof"
    fake.write_text(FAKE.format(python=sys.executable))
    fake.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()

    def run(env: dict[str, str], *, exit_code: int = 0, sarif: str | None = None, mode: str = "audit") -> Result:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("CORSPROOF_", "GITHUB_", "RUNNER_"))}
        clean["PATH"] = f"{bin_dir}{os.pathsep}{clean.get('PATH', '/usr/bin:/bin')}"
        clean["FAKE_ARGS"] = str(tmp_path / "args.json")
        clean["FAKE_EXIT"] = str(exit_code)
        clean["GITHUB_OUTPUT"] = str(tmp_path / "github_output")
        if sarif is not None:
            clean["FAKE_SARIF"] = sarif
        done = subprocess.run(
            ["bash", str(SCRIPT), mode], env={**clean, **env}, cwd=work, capture_output=True, text=True, timeout=60
        )
        args_file = tmp_path / "args.json"
        args = json.loads(args_file.read_text()) if args_file.exists() else None
        args_file.unlink(missing_ok=True)
        output_file = tmp_path / "github_output"
        outputs = parse_outputs(output_file.read_text()) if output_file.exists() else {}
        output_file.unlink(missing_ok=True)
        return Result(done.returncode, args, outputs, done.stdout, done.stderr, work)

    return run


def parse_outputs(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it: name=value lines and name<<DELIMITER blocks."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for more in lines:
                if more == delimiter:
                    break
                block.append(more)
            outputs[name] = "\n".join(block)
        else:
            name, _, value = line.partition("=")
            outputs[name] = value
    return outputs


DEFAULTS = ["--report=corsproof-audit", "--sarif=corsproof-audit/results.sarif", "--junit=corsproof-audit/junit.xml"]


# --- action.yml ----------------------------------------------------------------------------------


def test_zizmor_finds_nothing_in_the_action() -> None:
    """zizmor (offline audits: template injection, unpinned actions...) reports no finding in action.yml."""
    zizmor = Path(sys.executable).parent / "zizmor"
    command = str(zizmor) if zizmor.exists() else shutil.which("zizmor")
    assert command, "zizmor is not installed (pip install -e '.[check]')"
    done = subprocess.run([command, "--offline", str(ACTION)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout + done.stderr


def test_the_action_declares_its_inputs_defaults_and_outputs() -> None:
    """action.yml is a composite action with the documented inputs, defaults and outputs."""
    action = load_action()
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert inputs["target"]["required"] is True
    for name in [
        "as", "trusted", "login-url", "login-form", "fields", "login-post", "json", "data", "storage-state",
        "cookie", "login-script", "session-cookie", "paths", "form-posts", "openapi", "browsers",
        "cookie-profiles", "corsproof-version",
    ]:  # fmt: skip
        assert name in inputs and inputs[name].get("required") is not True, name
    assert inputs["report-dir"]["default"] == "corsproof-audit"
    assert inputs["sarif"]["default"] == "corsproof-audit/results.sarif"
    assert inputs["junit"]["default"] == "corsproof-audit/junit.xml"
    assert inputs["upload-sarif"]["default"] == "true"
    assert inputs["corsproof-version"]["default"] == ""  # the action's own checkout
    assert set(action["outputs"]) == {"exit-code", "leaks", "report-dir"}
    for name, output in action["outputs"].items():
        assert output["value"] == f"${{{{ steps.audit.outputs.{name} }}}}"


def test_no_run_block_holds_an_expression() -> None:
    """No step's shell code has a ${{ }} expression in it: inputs reach the shell as env vars only."""
    steps = load_action()["runs"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert len(runs) == 3
    for run in runs:
        assert "${{" not in run and "scripts/action-audit" in run, run


def test_expressions_appear_only_in_env_with_if_and_outputs() -> None:
    """Read as text (no YAML library): every ${{ inputs.* }} sits in a key: value line, never in a run block."""
    in_run = False
    for line in ACTION.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        if re.match(r"^\s*(- )?run:", line):
            in_run = True
            assert "${{" not in line, line
            continue
        if in_run and re.match(r"^\s*(- )?[\w-]+:", line):
            in_run = False
        if "${{" in line:
            assert not in_run, line
            assert re.match(r"^\s*(- )?(if|[\w-]+): ", line), line


def test_every_audit_input_reaches_the_script_as_its_env_var() -> None:
    """Each input of the audit is passed to the audit step as CORSPROOF_<NAME>: ${{ inputs.<name> }}."""
    text = ACTION.read_text()
    names = declared_inputs()
    assert "target" in names and "trusted" in names and "upload-sarif" in names
    for name in names:
        if name in STEP_INPUTS:
            continue
        assert f"{env_name(name)}: ${{{{ inputs.{name} }}}}" in text, name
        assert env_name(name) in SCRIPT.read_text(), name


def test_third_party_actions_are_pinned_to_full_commit_shas() -> None:
    """upload-artifact and codeql-action's upload-sarif are pinned to 40-hex SHAs with a version comment."""
    uses = re.findall(r"^\s*(?:- )?uses: (\S+)\s+# (v[\d.]+)$", ACTION.read_text(), re.MULTILINE)
    names = {ref.split("@")[0] for ref, _ in uses}
    assert names == {"actions/upload-artifact", "github/codeql-action/upload-sarif"}
    for ref, _version in uses:
        assert SHA_PIN.match(ref), ref
    assert "PLACEHOLDER" not in ACTION.read_text().upper()


def test_the_sarif_upload_runs_always_and_only_when_asked() -> None:
    """The SARIF step runs after a failed audit too, only with upload-sarif true and a SARIF written."""
    steps = load_action()["runs"]["steps"]
    upload = next(step for step in steps if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    condition = upload["if"]
    assert "always()" in condition and "inputs.upload-sarif == 'true'" in condition
    artifact = next(step for step in steps if str(step.get("uses", "")).startswith("actions/upload-artifact"))
    assert "always()" in artifact["if"]


# --- scripts/action-audit ------------------------------------------------------------------------


def test_the_script_is_valid_bash() -> None:
    """bash -n accepts scripts/action-audit."""
    done = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_readme_example_becomes_one_argument_per_option(run_step: RunStep) -> None:
    """The five-line usage gives the audit the README's command line, with the report files."""
    result = run_step(
        {
            "CORSPROOF_TARGET": "myapp.main:app",
            "CORSPROOF_AS": "https://api.shop.example",
            "CORSPROOF_TRUSTED": "https://www.shop.example",
            "CORSPROOF_LOGIN_URL": "/login",
            "CORSPROOF_PATHS": "/me",
        }
    )
    assert result.status == 0, result.stderr
    assert result.args == [
        "audit",
        "myapp.main:app",
        "--as=https://api.shop.example",
        "--trusted=https://www.shop.example",
        "--login-url=/login",
        "--path=/me",
        *DEFAULTS,
    ]


def test_lists_split_on_newlines_and_spaces_and_never_glob(run_step: RunStep, tmp_path: Path) -> None:
    """trusted, paths, form-posts, browsers and cookie-profiles give one option per item; /* and * stay so."""
    (tmp_path / "work" / "me").touch()  # what * would glob to in the audit's directory
    result = run_step(
        {
            "CORSPROOF_TARGET": "app:app",
            "CORSPROOF_TRUSTED": "https://a.example https://b.example\n\n  https://*.c.example\r\n",
            "CORSPROOF_PATHS": "/me\n/orders/1   /*\n*",
            "CORSPROOF_FORM_POSTS": "/orders\t/cart",
            "CORSPROOF_BROWSERS": "chromium\nfirefox",
            "CORSPROOF_COOKIE_PROFILES": "default third-party-allowed",
        }
    )
    assert result.args == [
        "audit",
        "app:app",
        "--trusted=https://a.example",
        "--trusted=https://b.example",
        "--trusted=https://*.c.example",
        "--path=/me",
        "--path=/orders/1",
        "--path=/*",
        "--path=*",
        "--form-post=/orders",
        "--form-post=/cart",
        "--browser=chromium",
        "--browser=firefox",
        "--cookie-profile=default",
        "--cookie-profile=third-party-allowed",
        *DEFAULTS,
    ]


def test_shell_metacharacters_are_one_literal_argument_never_run(run_step: RunStep, tmp_path: Path) -> None:
    """A value with $(...), backticks, ; and spaces is one argument, passed as written and never executed."""
    cookie = "sid=$(touch pwned-cookie); Path=/; SameSite=None; Secure `touch pwned-tick` && touch pwned-and"
    body = '{"user": "$(touch pwned-json)", "pass": "a b; touch pwned-semicolon"}'
    target = "my app:$(touch pwned-target)"
    result = run_step(
        {
            "CORSPROOF_TARGET": target,
            "CORSPROOF_TRUSTED": "https://www.shop.example",
            "CORSPROOF_COOKIE": cookie,
            "CORSPROOF_JSON": body,
            "CORSPROOF_SESSION_COOKIE": "-sid'\"",
        }
    )
    assert result.status == 0, result.stderr
    assert result.args == [
        "audit",
        target,
        "--trusted=https://www.shop.example",
        f"--json={body}",
        f"--cookie={cookie}",
        "--session-cookie=-sid'\"",
        *DEFAULTS,
    ]
    assert not list(tmp_path.rglob("pwned*")) and not list(Path.cwd().glob("pwned*"))
    # The printed command, quoted with printf %q, reads back as the very arguments run.
    printed = next(line for line in result.stdout.splitlines() if line.startswith("+ "))
    assert shlex.split(printed[2:]) == ["corsproof", *result.args]


def test_fields_and_data_split_on_newlines_only(run_step: RunStep) -> None:
    """A login field's value may hold spaces: fields and data are one per line, trimmed, blank lines skipped."""
    form = run_step(
        {
            "CORSPROOF_TARGET": "app:app",
            "CORSPROOF_TRUSTED": "https://www.shop.example",
            "CORSPROOF_LOGIN_FORM": "/login",
            "CORSPROOF_FIELDS": "username=alice\n  password=correct horse $(battery)  \n\n",
        }
    )
    assert (form.args or [])[3:6] == [
        "--login-form=/login",
        "--field=username=alice",
        "--field=password=correct horse $(battery)",
    ]
    post = run_step(
        {
            "CORSPROOF_TARGET": "app:app",
            "CORSPROOF_TRUSTED": "https://www.shop.example",
            "CORSPROOF_LOGIN_POST": "/api/login",
            "CORSPROOF_DATA": "user=alice\r\npass=a b\r\n",
        }
    )
    assert (post.args or [])[3:6] == ["--login-post=/api/login", "--data=user=alice", "--data=pass=a b"]


def test_every_login_way_is_passed_through_as_given(run_step: RunStep) -> None:
    """Each login input gives its option (the audit itself refuses more than one); openapi too."""
    env = {
        "CORSPROOF_LOGIN_URL": "/login",
        "CORSPROOF_STORAGE_STATE": "state dir/state.json",
        "CORSPROOF_LOGIN_SCRIPT": "tests.login:log_in",
        "CORSPROOF_OPENAPI": "/openapi.json",
        "CORSPROOF_OPENAPI_WRITES": "true",
    }
    result = run_step({"CORSPROOF_TARGET": "app:app", "CORSPROOF_TRUSTED": "https://t.example", **env})
    assert result.args == [
        "audit",
        "app:app",
        "--trusted=https://t.example",
        "--login-url=/login",
        "--storage-state=state dir/state.json",
        "--login-script=tests.login:log_in",
        "--openapi=/openapi.json",
        "--openapi-writes",
        *DEFAULTS,
    ]


def test_empty_inputs_add_no_option_and_empty_sarif_junit_omit_theirs(run_step: RunStep) -> None:
    """An input given empty (the action's default) adds nothing; sarif: '' and junit: '' write no file."""
    names = [n for n in declared_inputs() if n not in STEP_INPUTS | {"target", "sarif", "junit", "report-dir"}]
    env = {env_name(name): "" for name in names}
    result = run_step(
        {
            **env,
            "CORSPROOF_TARGET": "app:app",
            "CORSPROOF_SARIF": "",
            "CORSPROOF_JUNIT": "",
            "CORSPROOF_REPORT_DIR": "out",
        }
    )
    assert result.status == 0, result.stderr
    assert result.args == ["audit", "app:app", "--report=out"]


@pytest.mark.parametrize("status", [0, 1, 2, 3])
def test_the_audits_exit_status_is_the_steps_and_an_output(run_step: RunStep, status: int) -> None:
    """corsproof audit's exit status (0 clean, 1 leaks, 2 cannot audit, 3 internal) is the step's, and exit-code."""
    result = run_step({"CORSPROOF_TARGET": "app:app", "CORSPROOF_TRUSTED": "https://t.example"}, exit_code=status)
    assert result.status == status
    assert result.outputs["exit-code"] == str(status)
    assert result.outputs["report-dir"] == str(result.work / "corsproof-audit")
    assert result.outputs["leaks"] == ""  # no SARIF written: no count
    assert "sarif" not in result.outputs


def test_leaks_are_counted_from_the_sarif(run_step: RunStep) -> None:
    """leaks counts the SARIF's error and warning results (notes are not leaks); sarif is its absolute path."""
    sarif = json.dumps(
        {
            "version": "2.1.0",
            "runs": [
                {"results": [{"level": "error"}, {"level": "error"}, {"level": "note"}]},
                {"results": [{"ruleId": "no level: SARIF's default is warning"}]},
            ],
        }
    )
    env = {"CORSPROOF_TARGET": "app:app", "CORSPROOF_TRUSTED": "https://t.example", "CORSPROOF_REPORT_DIR": "out"}
    result = run_step({**env, "CORSPROOF_SARIF": "out/results.sarif"}, exit_code=1, sarif=sarif)
    assert result.status == 1
    assert result.outputs["leaks"] == "3"
    assert result.outputs["sarif"] == str(result.work / "out" / "results.sarif")


def test_a_sarif_left_by_an_earlier_run_is_neither_counted_nor_uploaded(run_step: RunStep) -> None:
    """A stale SARIF at the path is removed before the audit: an audit that writes none reports none."""
    first = run_step({"CORSPROOF_TARGET": "app:app", "CORSPROOF_TRUSTED": "https://t.example"}, sarif="{}")
    stale = first.work / "corsproof-audit" / "results.sarif"
    stale.parent.mkdir(exist_ok=True)
    stale.write_text(json.dumps({"runs": [{"results": [{"level": "error"}]}]}))
    result = run_step({"CORSPROOF_TARGET": "app:app", "CORSPROOF_TRUSTED": "https://t.example"}, exit_code=2)
    assert not stale.exists()
    assert result.outputs["leaks"] == "" and "sarif" not in result.outputs


def test_an_output_value_holding_a_newline_adds_no_output(run_step: RunStep) -> None:
    """A report-dir with a newline is written in the delimiter form: it cannot forge another output."""
    result = run_step(
        {
            "CORSPROOF_TARGET": "app:app",
            "CORSPROOF_TRUSTED": "https://t.example",
            "CORSPROOF_REPORT_DIR": "r\nleaks=99",
        },
        exit_code=1,
    )
    assert result.outputs["leaks"] == ""
    assert result.outputs["report-dir"] == f"{result.work}/r\nleaks=99"
    assert result.outputs["exit-code"] == "1"


def test_the_venvs_corsproof_is_run_when_the_action_installed_one(run_step: RunStep, tmp_path: Path) -> None:
    """With CORSPROOF_VENV set (the action's install step), its bin/corsproof runs, not one on PATH."""
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    shutil.copy(tmp_path / "bin" / "corsproof", venv_bin / "corsproof")
    result = run_step(
        {
            "CORSPROOF_TARGET": "app:app",
            "CORSPROOF_TRUSTED": "https://t.example",
            "CORSPROOF_VENV": str(tmp_path / "venv"),
        }
    )
    assert result.status == 0
    assert f"+ {venv_bin}/corsproof audit app:app" in result.stdout


def test_a_missing_target_or_bad_flag_exits_2_without_running_the_audit(run_step: RunStep) -> None:
    """No target, or openapi-writes neither true nor false: exit 2 and one ::error:: line; corsproof never runs."""
    missing = run_step({"CORSPROOF_TRUSTED": "https://t.example"}, exit_code=0)
    assert missing.status == 2 and missing.args is None
    assert "::error" in missing.stderr and "target" in missing.stderr
    assert missing.outputs["exit-code"] == "2"
    bad = run_step({"CORSPROOF_TARGET": "app:app", "CORSPROOF_OPENAPI_WRITES": "yes"})
    assert bad.status == 2 and bad.args is None
    assert "openapi-writes" in bad.stderr


def test_an_unknown_mode_or_browser_build_exits_2_before_installing_anything(run_step: RunStep) -> None:
    """action-audit refuses a mode it does not know, and a browser-build other than auto, system, playwright."""
    assert run_step({}, mode="deploy").status == 2
    bad = run_step({"CORSPROOF_BROWSER_BUILD": "nightly"}, mode="browsers")
    assert bad.status == 2 and "browser-build" in bad.stderr


def test_the_step_summary_says_the_verdict(run_step: RunStep, tmp_path: Path) -> None:
    """With GITHUB_STEP_SUMMARY set, the job summary names the target, the verdict and the exit status."""
    summary = tmp_path / "summary.md"
    result = run_step(
        {"CORSPROOF_TARGET": "app:app", "CORSPROOF_TRUSTED": "https://t.example", "GITHUB_STEP_SUMMARY": str(summary)},
        exit_code=1,
    )
    assert result.status == 1
    assert summary.read_text() == textwrap.dedent(
        """\
        ### corsproof audit of app:app: LEAKS FOUND

        Exit status 1; the report is in corsproof-audit (uploaded as an artifact).
        """
    )


FAKE_PYTHON = """\
#!/bin/sh
# A venv's python for the browsers step: selenium is not importable; pip installs are recorded.
[ "$1" = -c ] && exit 1
echo "$@" >>"$FAKE_PIP"
"""


@pytest.mark.parametrize(("browsers", "webkit"), [("chromium\nwebkit", True), ("chromium firefox", False), ("", False)])
def test_webkit_is_set_up_only_when_the_browsers_input_names_it(
    run_step: RunStep, tmp_path: Path, browsers: str, webkit: bool
) -> None:
    """browsers naming webkit: WebKitGTK's driver and Xvfb found (or apt-installed) and selenium
    put into the venv; otherwise neither is looked for."""
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    pip = tmp_path / "pip.txt"
    env = {"CORSPROOF_BROWSERS": browsers, "CORSPROOF_VENV": str(tmp_path / "venv"), "FAKE_PIP": str(pip)}
    result = run_step(env | {"CORSPROOF_BROWSER_BUILD": "system"}, mode="browsers")
    assert result.status == 0, result.stderr
    assert ("WebKit found: /usr/bin/WebKitWebDriver" in result.stdout) == webkit, result.stdout
    installed = pip.read_text() if pip.exists() else ""
    (selenium,) = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["webkit"]
    assert (selenium in installed) == webkit, f"the webkit extra's {selenium}, installed: {installed!r}"
