"""pytest-playwright's options work with corsproof's browsers: --device changes what the browser
says it is, in Chromium and Firefox, and the browser_context_args marker reaches the context
(the two and --video checked on one run); an engine corsproof does not drive is refused in one
line before any test. Each case runs pytest on a small test file.

--video records with Playwright's own ffmpeg or, where that cannot be downloaded (this project's
machines), the system's (corsproof/video.py): Chromium's videos have frames; stock Firefox over
WebDriver BiDi gives Playwright none, so its files stay empty, and the run says so in its header.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
RUN_DEADLINE_S = 300

USES_PAGE = """
def test_page(page, sites, browser_name, pytestconfig):
    page.goto(sites.url("thirdparty"))
    agent = page.evaluate("navigator.userAgent")
    (pytestconfig.rootpath / f"agent-{browser_name}.txt").write_text(agent)
"""
MARKED = """
import pytest

@pytest.mark.browser_context_args(locale="fr-FR")
def test_locale(page, sites, browser_name, pytestconfig):
    page.goto(sites.url("thirdparty"))
    (pytestconfig.rootpath / f"language-{browser_name}.txt").write_text(page.evaluate("navigator.language"))
"""
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    done: subprocess.CompletedProcess[str]
    path: Path


@pytest.fixture(scope="module")
def with_options(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One pytest run of a page test and a test marked browser_context_args, in Chromium and
    Firefox, with --device and --video: the tests below each check one option on it (a run per
    option cost a pytest start and both browsers' launches again, ~12 s of the tooling half each)."""
    path = tmp_path_factory.mktemp("options")
    (path / "conftest.py").write_text('pytest_plugins = ["corsproof.suite.plugin"]\n')
    (path / "test_uses_page.py").write_text(USES_PAGE)
    (path / "test_marked.py").write_text(MARKED)
    options = ["--device", "Desktop Edge", "--video", "on", "--output", str(path / "results")]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", "--basetemp", str(path / "tmp")]
        + ["--browser", "chromium", "--browser", "firefox", "--cookie-profile", "default", *options],
        cwd=path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))},
        capture_output=True,
        text=True,
        timeout=RUN_DEADLINE_S,
    )
    assert done.returncode == 0 and "4 passed" in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]
    return Run(done, path)


@pytest.fixture
def run_with(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest('pytest_plugins = ["corsproof.suite.plugin"]')
    pytester.makepyfile(test_uses_page=USES_PAGE)
    return pytester


def test_device_reaches_every_page_in_both_browsers(with_options: Run) -> None:
    for browser in ("chromium", "firefox"):
        # The Desktop Edge descriptor's user agent names Edge, whatever the engine really is.
        assert "Edg/" in (with_options.path / f"agent-{browser}.txt").read_text(), browser


def test_video_is_recorded_in_chromium_and_said_to_be_empty_in_stock_firefox(with_options: Run) -> None:
    assert "Playwright records no frames from stock Firefox over WebDriver BiDi" in with_options.done.stdout
    results = with_options.path / "results"
    sizes = {
        browser: [video.stat().st_size for video in results.rglob(f"*-{browser}/*.webm")]
        for browser in ("chromium", "firefox")
    }
    # Two tests a browser: a video each.
    assert len(sizes["chromium"]) == 2 and all(size > 0 for size in sizes["chromium"]), sizes
    # A finding about the tooling, asserted so that a Playwright that records Firefox is noticed.
    assert sizes["firefox"] == [0, 0], sizes


def test_the_browser_context_args_marker_reaches_the_context(with_options: Run) -> None:
    """The marker's locale reaches the context in both browsers, with --device's context args."""
    for browser in ("chromium", "firefox"):
        assert (with_options.path / f"language-{browser}.txt").read_text() == "fr-FR", browser


def test_a_missing_webkit_ends_the_run_in_one_line_saying_what_to_install(run_with: pytest.Pytester) -> None:
    run_with.makeconftest(
        'pytest_plugins = ["corsproof.suite.plugin"]\n'
        "import corsproof.webkit\n"
        'corsproof.webkit.WEBDRIVER = "/nonexistent/WebKitWebDriver"\n'
    )
    result = run_with.runpytest_subprocess("-p", "no:randomly", "--browser", "webkit", "--cookie-profile", "default")
    assert result.ret == 4
    result.stdout.fnmatch_lines(
        ["*corsproof: WebKit needs /nonexistent/WebKitWebDriver: *apt-get install webkit2gtk-driver xvfb*"]
    )
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_playwrights_own_options_are_said_to_pass_webkit_by(run_with: pytest.Pytester) -> None:
    """--video, --device and the like are Playwright's: WebKit's lanes run without them, and the
    run's header says so rather than leave a WebKit result that silently lacks them."""
    said = run_with.runpytest_subprocess(
        "-p", "no:randomly", "--collect-only", "--browser", "webkit", "--video", "on", "--device", "Desktop Edge"
    )
    said.stdout.fnmatch_lines(["*--video, --device: Playwright's, which WebKit's lanes * run without*"])
    quiet = run_with.runpytest_subprocess("-p", "no:randomly", "--collect-only", "--browser", "webkit")
    assert "run without" not in quiet.stdout.str()


# "engine", not "browser": a test argument named as pytest-playwright's browser fixture is run once
# per browser of the run as well (it was: each case three times over).
@pytest.mark.parametrize(
    ("engine", "taken_away", "said"),
    [
        ("chromium", 'FAKETIME = "/nonexistent"', "with /nonexistent missing: apt-get install faketime gcc*"),
        ("firefox", 'COMPILER = "no-such-cc"', "with a C compiler (no-such-cc, to build Firefox's shim) missing*"),
        ("webkit", 'FAKETIME = "/nonexistent"', "with /nonexistent missing: apt-get install faketime gcc*"),
    ],
)
def test_a_missing_fast_clock_tool_ends_the_run_in_one_line_saying_what_to_install(
    pytester: pytest.Pytester, engine: str, taken_away: str, said: str
) -> None:
    """The aged lanes run on a fast clock (corsproof/suite/fast_clock.py): without faketime (or,
    for Firefox, the C compiler that builds its shim) the run ends before any test, saying what to
    install, rather than age its cookies some other way."""
    pytester.makepyfile(notool=f"import corsproof.suite.fast_clock\ncorsproof.suite.fast_clock.{taken_away}\n")
    aged = Path(__file__).resolve().parent.parent / "e2e" / "test_aged_cookies.py"
    result = pytester.runpytest_subprocess(
        "-p", "notool", "-p", "no:randomly", str(aged), "--browser", engine, "--cookie-profile", "default"
    )
    assert result.ret == 4
    result.stdout.fnmatch_lines([f"*corsproof: the aged lane runs {engine} on a fast clock, {said}"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
