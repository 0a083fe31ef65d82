"""pytest-playwright's options work with corsproof's browsers: --device changes what the browser
says it is, in Chromium and Firefox, and the browser_context_args marker reaches the context; an
engine corsproof does not drive is refused in one line before any test. Each case runs pytest on
a small test file.

--video records with Playwright's own ffmpeg or, where that cannot be downloaded (this project's
machines), the system's (corsproof/video.py): Chromium's videos have frames; stock Firefox over
WebDriver BiDi gives Playwright none, so its files stay empty, and the run says so in its header.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

USES_PAGE = """
def test_page(page, sites, browser_name, pytestconfig):
    page.goto(sites.url("thirdparty"))
    agent = page.evaluate("navigator.userAgent")
    (pytestconfig.rootpath / f"agent-{browser_name}.txt").write_text(agent)
"""


@pytest.fixture
def run_with(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest('pytest_plugins = ["corsproof.suite.plugin"]')
    pytester.makepyfile(test_uses_page=USES_PAGE)
    return pytester


def in_both_browsers(run_with: pytest.Pytester, *options: str) -> pytest.RunResult:
    """Run the page test in Chromium and Firefox, default cookie profile, with pytest-playwright's options."""
    both = ["--browser", "chromium", "--browser", "firefox", "--cookie-profile", "default"]
    return run_with.runpytest_subprocess("-p", "no:randomly", *both, *options, "--basetemp", str(run_with.path / "tmp"))


def test_device_reaches_every_page_in_both_browsers(run_with: pytest.Pytester) -> None:
    result = in_both_browsers(run_with, "--device", "Desktop Edge")
    result.assert_outcomes(passed=2)
    for browser in ("chromium", "firefox"):
        # The Desktop Edge descriptor's user agent names Edge, whatever the engine really is.
        assert "Edg/" in (run_with.path / f"agent-{browser}.txt").read_text(), browser


def test_video_is_recorded_in_chromium_and_said_to_be_empty_in_stock_firefox(run_with: pytest.Pytester) -> None:
    result = in_both_browsers(run_with, "--video", "on", "--output", str(run_with.path / "results"))
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*Playwright records no frames from stock Firefox over WebDriver BiDi*"])
    results = run_with.path / "results"
    sizes = {
        browser: [video.stat().st_size for video in results.rglob(f"*-{browser}/*.webm")]
        for browser in ("chromium", "firefox")
    }
    assert len(sizes["chromium"]) == 1 and sizes["chromium"][0] > 0, sizes
    # A finding about the tooling, asserted so that a Playwright that records Firefox is noticed.
    assert sizes["firefox"] == [0], sizes


def test_the_browser_context_args_marker_reaches_the_context(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["corsproof.suite.plugin"]')
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.browser_context_args(locale="fr-FR")
        def test_locale(page, sites):
            page.goto(sites.url("thirdparty"))
            assert page.evaluate("navigator.language") == "fr-FR"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "--browser", "chromium", "--cookie-profile", "default")
    result.assert_outcomes(passed=1)


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
