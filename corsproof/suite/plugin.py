"""corsproof's pytest plugin: the sites, a lane per browser and cookie profile, the engine.

pytest-playwright provides the CLI (--browser, --headed, --tracing, --output, ...); corsproof
decides which browser executable runs, with which cookie profile, plans the selected scenarios
into groups (corsproof/suite/engine.py) and records what browser ran with every test result.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright

from corsproof import report, video
from corsproof.browsers import BUILD_ENV, DRIVEN, BrowserInfo, BrowserSession, BrowserUnavailable, Engine, find_build
from corsproof.explain import create_record_app
from corsproof.model import Expect, Observation, ScenarioFailed, check
from corsproof.names import NameMap
from corsproof.pages import ClientPage
from corsproof.profiles import CookieProfile
from corsproof.report import html as report_html
from corsproof.report.diff import changes, subset
from corsproof.serving.recorder import Recorder
from corsproof.serving.runner import bind_socket
from corsproof.suite import scenarios
from corsproof.suite.engine import Engine as ScenarioEngine
from corsproof.suite.lane import LOGGED_OUT, Lane, Start, log_in
from corsproof.suite.tls import https_good as serve_https_good
from servers.good import SameSite
from servers.sites import Sites, running_sites

DEFAULT_BROWSERS = ["chromium", "firefox"]
CONNECT_ENV = "CORSPROOF_CONNECT"
SITES_HOST_ENV = "CORSPROOF_SITES_HOST"
_BROWSERS_RUN = pytest.StashKey[dict[str, dict[str, object]]]()  # BrowserInfo per "browser/profile"
_CELLS = pytest.StashKey[list[report.Cell]]()
_ENGINE = pytest.StashKey[ScenarioEngine]()
# Slow lane: the starts of the selected slow scenarios, per browser; their contexts, made as the
# run starts, and when (time.monotonic()).
_AGED_STARTS = pytest.StashKey[set[tuple[str, Start]]]()
_MULTI_STEP = pytest.StashKey[tuple[Recorder, list[str]]]()  # a test's recorder and probes
_DRIVER_NOTES = pytest.StashKey[set[str]]()  # why a browser's driver channel is slow (bidi_socket.py)
_LENT_BROWSERS_PATH = pytest.StashKey[Path | None]()  # corsproof/video.py
_AGING = pytest.StashKey[dict[tuple[str, Start], tuple[Lane, float]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("corsproof")
    group.addoption(
        "--cookie-profile",
        action="append",
        default=[],
        choices=[profile.value for profile in CookieProfile],
        help="cookie profile(s) to run under (repeatable; default: all)",
    )
    group.addoption(
        "--report",
        metavar="DIR",
        default=None,
        help="write the behaviour report, DIR/report.json and DIR/report.html, at the end of the run",
    )
    group.addoption(
        "--baseline",
        metavar="REPORT",
        default=None,
        help="a report.json to compare this run's report with: changed cells are listed and marked",
    )
    group.addoption(
        "--connect",
        metavar="WS_URL",
        default=os.environ.get(CONNECT_ENV),
        help="run every browser on this Playwright browser server (python -m playwright run-server "
        f"--unsafe) instead of launching it here; env {CONNECT_ENV}",
    )
    group.addoption(
        "--sites-host",
        metavar="ADDRESS",
        default=os.environ.get(SITES_HOST_ENV, "127.0.0.1"),
        help="the address the sites listen on, reachable from the browsers (a browser server elsewhere); "
        f"the browsers are told to find every *.localhost name there; env {SITES_HOST_ENV}",
    )
    group.addoption(
        "--shard",
        metavar="I/N",
        default=None,
        help="run only shard I of N: every lane (browser x cookie profile) whole in one shard; "
        "merge the shards' reports with corsproof report merge",
    )
    group.addoption(
        "--browser-build",
        default=os.environ.get(BUILD_ENV, "auto"),
        help=f"auto (Playwright's build, else the system's), playwright or system; env {BUILD_ENV}",
    )


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright defaults to Chromium alone; corsproof's claims are about both browsers.
    if not config.option.browser:
        config.option.browser = list(DEFAULT_BROWSERS)
    undriven = [name for name in config.option.browser if name not in DRIVEN]
    if undriven:
        raise pytest.UsageError(
            f"corsproof drives {' and '.join(DRIVEN)}, not {', '.join(undriven)}: every expectation was measured "
            "on them, and no WebKit has been measured (nor can Playwright's WebKit be downloaded everywhere)."
        )
    config.stash[_BROWSERS_RUN] = {}
    config.stash[_DRIVER_NOTES] = set()
    config.stash[_CELLS] = []
    seed = getattr(config.option, "randomly_seed", 0)
    tracing = config.getoption("--tracing", "off") != "off"
    traces = Path(tempfile.mkdtemp(prefix="corsproof-traces-")) if tracing else None
    config.stash[_ENGINE] = ScenarioEngine(seed=seed if isinstance(seed, int) else 0, trace_dir=traces)
    config.addinivalue_line(
        "markers", "cookie_independent: involves no cookie, so it runs under the first chosen cookie profile only"
    )
    config.addinivalue_line(
        "markers",
        "slow: needs its cookies older than a browser's time window; its context is made when the run "
        "starts and it runs last, so that the wait overlaps the rest of the run",
    )
    config.stash[_AGED_STARTS] = set()
    config.stash[_AGING] = {}
    _check_sites_host(config.getoption("--sites-host"))
    config.stash[_LENT_BROWSERS_PATH] = None
    if config.getoption("--video", "off") != "off":
        try:
            config.stash[_LENT_BROWSERS_PATH] = video.lend_system_ffmpeg()
        except video.NoFfmpeg as error:
            raise pytest.UsageError(str(error)) from None
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_LaneGroups(), "corsproof-lane-groups")


class _LaneGroups:
    """Under pytest-xdist (--dist loadgroup), every test of a lane runs on one worker: a lane is
    one browser process, and its groups of scenarios are planned per worker."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            lane = _lane_of(item)
            if lane is not None:
                item.add_marker(pytest.mark.xdist_group(lane))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _ENGINE in config.stash:
        config.stash[_ENGINE].discard_traces()
    lent = config.stash.get(_LENT_BROWSERS_PATH, None)
    if lent is not None:
        shutil.rmtree(lent, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if config.getoption("--video", "off") != "off" and "firefox" in config.option.browser:
        return [video.FIREFOX_NOTE]
    return []


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "cookie_profile" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--cookie-profile") or [p.value for p in CookieProfile]
        profiles = [CookieProfile.parse(value) for value in chosen]
        if metafunc.definition.get_closest_marker("cookie_independent"):
            # The behaviour under test involves no cookie: one profile proves it, the others
            # would repeat the same run.
            profiles = profiles[:1]
        metafunc.parametrize("cookie_profile", profiles, ids=[p.value for p in profiles], scope="session")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect browser-only tests in the other browser before anything runs, and plan the
    selected scenarios (the last word on selection: -k and -m have already been applied)."""
    in_shard = _shard_filter(config.getoption("--shard"), items)
    kept, dropped = [], []
    for item in items:
        params = _params(item)
        only = item.get_closest_marker("only_browser")
        if (only is not None and params.get("browser_name") not in only.args) or not in_shard(item):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    engine = config.stash[_ENGINE]
    for item in items:
        params = _params(item)
        if "scenario" in params and "browser_name" in params and "cookie_profile" in params:
            if item.get_closest_marker("slow") is not None:
                config.stash[_AGED_STARTS].add((params["browser_name"], params["scenario"].start))
            else:
                engine.plan(params["browser_name"], params["cookie_profile"].value, params["scenario"])
    # Slow tests last, in whatever order the rest has: their wait overlaps everything before them.
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)


def _lane_of(item: pytest.Item) -> str | None:
    params = _params(item)
    if "browser_name" in params and "cookie_profile" in params:
        return f"{params['browser_name']}/{params['cookie_profile'].value}"
    return None


def _shard_filter(option: str | None, items: list[pytest.Item]) -> Callable[[pytest.Item], bool]:
    """Which items shard I of N runs: each lane whole (its browser starts once), the largest lanes
    first to the shard with the fewest tests so far; every other test by a stable hash of its id.
    Every shard computes the same split from the same collection."""
    if option is None:
        return lambda item: True
    index, _, count = option.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise pytest.UsageError(f"--shard must be I/N with 1 <= I <= N, like 2/3; not {option!r}")
    shard, shards = int(index) - 1, int(count)
    sizes = Counter(lane for item in items if (lane := _lane_of(item)) is not None)
    loads = [0] * shards
    owner: dict[str, int] = {}
    for lane, size in sorted(sizes.items(), key=lambda pair: (-pair[1], pair[0])):
        owner[lane] = loads.index(min(loads))
        loads[owner[lane]] += size

    def in_shard(item: pytest.Item) -> bool:
        lane = _lane_of(item)
        if lane is not None:
            return owner[lane] == shard
        return zlib.crc32(item.nodeid.encode()) % shards == shard

    return in_shard


def _params(item: pytest.Item) -> dict[str, Any]:
    """A test's parameters (browser_name, cookie_profile, scenario...), {} if it has none."""
    callspec = getattr(item, "callspec", None)
    return dict(callspec.params) if callspec is not None else {}


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand what it ran to the controller
        browsers: dict[str, dict[str, object]] = session.config.stash[_BROWSERS_RUN]
        workeroutput["corsproof_browsers"] = browsers
        workeroutput["corsproof_cells"] = [dataclasses.asdict(c) for c in session.config.stash[_CELLS]]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    output = getattr(node, "workeroutput", {})
    config: pytest.Config = node.config  # type: ignore[attr-defined]
    config.stash[_BROWSERS_RUN].update(output.get("corsproof_browsers", {}))
    config.stash[_CELLS].extend(report.Cell(**c) for c in output.get("corsproof_cells", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    browsers = config.stash[_BROWSERS_RUN]
    for name in sorted(browsers):
        terminalreporter.write_line(f"corsproof browser: {BrowserInfo(**browsers[name]).summary()}")  # type: ignore[arg-type]
    notes: set[str] = config.stash[_DRIVER_NOTES]
    for note in sorted(notes):
        terminalreporter.write_line(f"corsproof driver: {note}", yellow=True)
    folder = config.getoption("--report")
    if folder and not hasattr(config, "workeroutput"):
        built = report.build(config.stash[_CELLS], [browsers[name] for name in sorted(browsers)])
        json_path, html_path = Path(folder) / "report.json", Path(folder) / "report.html"
        report.write(built, json_path)
        changed = _compare_with_baseline(terminalreporter, config.getoption("--baseline"), built)
        report_html.write(built, html_path, changed)
        counts = ", ".join(f"{value} {name}" for name, value in built["summary"].items())
        terminalreporter.write_line(f"corsproof report: {json_path} and {html_path} ({counts})")


def _compare_with_baseline(
    terminalreporter: pytest.TerminalReporter, baseline: str | None, built: dict[str, object]
) -> dict[tuple[str, str, str, str], str] | None:
    """The cells whose behaviour differs from the baseline's (only cells this run has), listed, each
    with what changed (baseline -> now); None where no baseline was compared (the page then says
    nothing of one)."""
    if not baseline:
        return None
    try:
        old = report.load(Path(baseline))
    except report.ReportError as error:
        terminalreporter.write_line(f"corsproof baseline: {error}", red=True)
        return None
    changed = changes(subset(old, built), built)
    for line in changed.values():
        terminalreporter.write_line(f"corsproof baseline: changed: {line}", yellow=True)
    terminalreporter.write_line(f"corsproof baseline: {len(changed)} cells changed since {baseline}")
    return changed


@pytest.fixture(scope="session")
def _corsproof_sites(pytestconfig: pytest.Config) -> Iterator[Sites]:
    """The run's sites. The plugin's own session fixtures ask for this name, not `sites`: a test
    module may shadow `sites` with servers of its own in a narrower scope, and a session fixture
    that asked for `sites` from such a module would fail with a ScopeMismatch."""
    host = pytestconfig.getoption("--sites-host")
    with running_sites(client_extras=create_record_app, host=host) as running:
        yield running


@pytest.fixture(scope="session")
def sites(_corsproof_sites: Sites) -> Sites:
    return _corsproof_sites


@pytest.fixture(scope="session")
def https_good(_corsproof_sites: Sites) -> Iterator[str]:
    """good over https, with a certificate from a throwaway CA (corsproof/suite/tls.py)."""
    with serve_https_good(_corsproof_sites) as origin:
        yield origin


@pytest.fixture(scope="session")
def browser_session(
    playwright: Playwright, browser_name: str, cookie_profile: CookieProfile, pytestconfig: pytest.Config
) -> Iterator[BrowserSession]:
    session = _start_browser(playwright, browser_name, cookie_profile, pytestconfig)
    pytestconfig.stash[_BROWSERS_RUN][f"{browser_name}/{cookie_profile.value}"] = dataclasses.asdict(session.info)
    if session.driver_note is not None:
        pytestconfig.stash[_DRIVER_NOTES].add(f"{browser_name}: {session.driver_note}")
    yield session
    session.close()


def _check_sites_host(host: str) -> None:
    """An address the sites cannot listen on ends the run in one line, before any test."""
    try:
        bind_socket(host).close()
    except (OSError, ValueError) as error:
        raise pytest.UsageError(
            f"--sites-host {host}: the sites cannot listen there ({error}); give an IPv4 address of this machine "
            "that the browsers can reach"
        ) from None


def _sites_map(config: pytest.Config) -> NameMap | None:
    """Sites on loopback need no map: both browsers resolve *.localhost there by themselves."""
    host: str = config.getoption("--sites-host")
    return None if host == "127.0.0.1" else NameMap.every_name_to(host)


def _start_browser(
    playwright: Playwright, browser_name: str, profile: CookieProfile, config: pytest.Config
) -> BrowserSession:
    """A browser the way the run's options say (build, --headed, traces, --connect); a browser that
    cannot be had ends the run in one line before any test."""
    engine_type = getattr(playwright, browser_name)
    traces = config.stash[_ENGINE].trace_dir
    try:
        build = find_build(cast(Engine, browser_name), engine_type.executable_path, config.getoption("--browser-build"))
        return BrowserSession(
            engine_type,
            build,
            profile,
            headless=not config.getoption("--headed"),
            traces_dir=traces / "playwright" if traces else None,
            connect=config.getoption("--connect"),
            name_map=_sites_map(config),
        )
    except BrowserUnavailable as error:
        pytest.exit(f"corsproof: {error}", returncode=4)


@pytest.fixture(scope="session")
def browser(browser_session: BrowserSession) -> Browser:
    """pytest-playwright's browser, launched the corsproof way (see BrowserSession)."""
    return browser_session.browser


@pytest.fixture
def new_context(
    browser_session: BrowserSession,
    browser_context_args: dict[str, Any],
    _artifacts_recorder: Any,
    request: pytest.FixtureRequest,
) -> Iterator[Callable[..., BrowserContext]]:
    """pytest-playwright's new_context (and so its context and page), from the session's browser
    and cookie profile: a test written with them gets the profile's cookie setting too.

    pytest-playwright's context options come along (--device, --video, --base-url and the
    browser_context_args marker), and each context goes to its artifacts recorder, so --tracing,
    --video and --screenshot keep their per-test files.
    """
    marker = request.node.get_closest_marker("browser_context_args")
    options = {**browser_context_args, **(marker.kwargs if marker else {})}
    contexts: list[BrowserContext] = []

    def make(**kwargs: object) -> BrowserContext:
        context = browser_session.new_context(**{**options, **kwargs})
        _artifacts_recorder.on_did_create_browser_context(context)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        _artifacts_recorder.on_will_close_browser_context(context)
        context.close()


@pytest.fixture(scope="session")
def lane(
    browser_session: BrowserSession,
    _corsproof_sites: Sites,
    https_good: str,
    browser_context_args: dict[str, Any],
    pytestconfig: pytest.Config,
) -> Iterator[Lane]:
    """The one context and page every test of this browser and cookie profile shares.

    It takes pytest-playwright's context options (--device, --base-url) but not --video: a video
    of a lane would hold every scenario of the run; a test's own page and context record theirs.
    """
    options = {k: v for k, v in browser_context_args.items() if not k.startswith("record_video")}
    lane = Lane(browser_session, _corsproof_sites, https_good, options)
    tracing = pytestconfig.stash[_ENGINE].trace_dir is not None
    if tracing:
        lane.context.tracing.start(snapshots=False, sources=False)
    yield lane
    if tracing:
        lane.context.tracing.stop()  # else Playwright leaves its tracing directory in /tmp
    lane.close()


@pytest.fixture(autouse=True)
def _record_browser(request: pytest.FixtureRequest) -> None:
    """Every browser test's result says which browser ran: name, version, build, profile."""
    if "browser_session" in request.fixturenames:
        session: BrowserSession = request.getfixturevalue("browser_session")
        for name, value in vars(session.info).items():
            request.node.user_properties.append((f"browser_{name}", str(value)))


def _keep_trace_on_failure(request: pytest.FixtureRequest, trace: Path | None) -> None:
    report = getattr(request.node, "rep_call", None)
    if trace is not None and trace.exists() and report is not None and report.failed:
        folder = Path(request.getfixturevalue("output_path"))
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(trace, folder / "trace.zip")


@pytest.fixture
def run_scenario(
    lane: Lane, pytestconfig: pytest.Config, request: pytest.FixtureRequest
) -> Iterator[Callable[[scenarios.Scenario], Observation]]:
    """Check a scenario's observation (its group runs on first use) against its expectation."""
    engine = pytestconfig.stash[_ENGINE]
    traces: list[Path | None] = []

    def run(scenario: scenarios.Scenario) -> Observation:
        seen, trace = engine.observe(lane, scenario)
        traces.append(trace)
        expect = scenarios.expected(scenario, lane.browser, lane.profile)
        request.node.user_properties += [
            ("expected_because", expect.why),
            ("reason", seen.reason if seen.reason_known else f"derived:{seen.derived_reason}"),
            ("scenario_cost_ms", f"{seen.cost_ms:.1f}"),
        ]
        _checked_into_report(request, scenario, lane.browser, lane.profile, expect, seen)
        return seen

    yield run
    for trace in traces:
        _keep_trace_on_failure(request, trace)


@pytest.fixture(scope="session", autouse=True)
def _slow_lane(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Iterator[None]:
    """The contexts of the selected slow scenarios, made as the run starts, in browsers of their
    own that live for the whole run (a lane's browser closes when pytest moves to another lane):
    their cookies age while every other test runs."""
    starts = pytestconfig.stash[_AGED_STARTS]
    aging = pytestconfig.stash[_AGING]
    sessions: list[BrowserSession] = []
    if starts:
        playwright: Playwright = request.getfixturevalue("playwright")
        sites: Sites = request.getfixturevalue("_corsproof_sites")
        profile = CookieProfile.parse((pytestconfig.getoption("--cookie-profile") or [CookieProfile.DEFAULT.value])[0])
        for browser in sorted({browser for browser, _ in starts}):
            sessions.append(_start_browser(playwright, browser, profile, pytestconfig))
            for start in sorted((s for b, s in starts if b == browser), key=lambda s: s.label):
                aged = Lane(sessions[-1], sites)
                aged.begin(start)
                aging[(browser, start)] = (aged, time.monotonic())
    yield
    for aged, _ in aging.values():
        aged.close()
    for session in sessions:
        session.close()


@pytest.fixture
def run_aged(
    browser_name: str, cookie_profile: CookieProfile, pytestconfig: pytest.Config, request: pytest.FixtureRequest
) -> Callable[[scenarios.Scenario, float], Observation]:
    """Run a slow scenario in its ageing context once its cookies are age_s old, and check it."""

    def run(scenario: scenarios.Scenario, age_s: float) -> Observation:
        found = pytestconfig.stash[_AGING].get((browser_name, scenario.start))
        if found is None:
            raise RuntimeError(f"{scenario.id} is not marked slow, so no context aged its cookies")
        aged, since = found
        for name, value in vars(aged.session.info).items():
            request.node.user_properties.append((f"browser_{name}", str(value)))
        remaining = age_s - (time.monotonic() - since)
        if remaining > 0:
            # The one wait for time in the suite: what is under test is a cookie's age.
            aged.page.wait_for_timeout(remaining * 1000)
        seen = scenario.run(aged, pytestconfig.stash[_ENGINE].new_probe(scenario.id))
        expect = scenarios.expected(scenario, browser_name, cookie_profile.value)
        request.node.user_properties.append(("expected_because", expect.why))
        _checked_into_report(request, scenario, browser_name, cookie_profile.value, expect, seen)
        return seen

    return run


def _checked_into_report(
    request: pytest.FixtureRequest,
    scenario: scenarios.Scenario,
    browser: str,
    profile: str,
    expect: Expect,
    seen: Observation,
) -> None:
    """check() the observation, and keep the result, passed or not, as a cell of the report."""
    failure = None
    try:
        check(scenario.id, expect, seen)
    except ScenarioFailed as error:
        failure = str(error)
        raise
    finally:
        area = request.node.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
        cell = report.cell(area, type(scenario).__name__, scenario.id, browser, profile, expect, seen, failure)
        request.config.stash[_CELLS].append(cell)


@pytest.fixture
def clean_lane(lane: Lane, pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> Iterator[Lane]:
    """The lane, its cookies cleared, for a test that drives the page itself."""
    lane.begin(LOGGED_OUT)
    tracing = pytestconfig.stash[_ENGINE].trace_dir is not None
    if tracing:
        lane.context.tracing.start_chunk()
    yield lane
    if tracing:
        trace = pytestconfig.stash[_ENGINE].trace_dir / f"{request.node.name[:80]}.zip"  # type: ignore[operator]
        lane.context.tracing.stop_chunk(path=trace)
        _keep_trace_on_failure(request, trace)


@pytest.fixture
def open_page(clean_lane: Lane, sites: Sites) -> Callable[..., ClientPage]:
    """Open a site's page (thirdparty, evil, sibling or good) in the lane's page, afresh."""

    def open_(site: str, path: str = "/") -> ClientPage:
        return clean_lane.open(sites.url(site, path), fresh=True)

    return open_


@pytest.fixture
def login(clean_lane: Lane, sites: Sites) -> Callable[..., None]:
    """Log in on good through its real form, in the lane; SameSite of the cookie chosen."""

    def login_(samesite: SameSite = "none") -> None:
        log_in(clean_lane.page, sites.url("good"), samesite)

    return login_


@pytest.fixture
def recorder(sites: Sites) -> Recorder:
    return sites.recorder


@pytest.fixture
def new_probe(
    pytestconfig: pytest.Config, request: pytest.FixtureRequest, _corsproof_sites: Sites
) -> Callable[[], str]:
    """Unique tokens for ?probe=, so a test finds its own requests in the server record. The
    probes are kept with the test: a multi-step test's exchanges become its cell of the report."""
    engine = pytestconfig.stash[_ENGINE]
    made: list[str] = []
    request.node.stash[_MULTI_STEP] = (_corsproof_sites.recorder, made)

    def make() -> str:
        made.append(engine.new_probe("p"))
        return made[-1]

    return make


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A browser test that drives the page itself (not a scenario) still becomes a cell of the
    report: what reached good for its probes, in order, and whether its assertions held."""
    test_report: pytest.TestReport = yield
    kept = item.stash.get(_MULTI_STEP, None)
    fixtures = getattr(item, "fixturenames", ())
    scenario_test = "run_scenario" in fixtures or "run_aged" in fixtures
    if call.when == "call" and kept is not None and "browser_name" in _params(item) and not scenario_test:
        item.config.stash[_CELLS].append(_multi_step_cell(item, test_report, *kept))
    return test_report


def _multi_step_cell(
    item: pytest.Item, outcome: pytest.TestReport, recorder: Recorder, probes: list[str]
) -> report.Cell:
    params = _params(item)
    browser, profile = params["browser_name"], CookieProfile(params["cookie_profile"]).value
    # The test's own parameters name its variant; the lane's are the cell's columns.
    variant = item.callspec.id  # type: ignore[attr-defined]
    for part in (profile, browser):
        variant = variant.replace(part, "", 1)
    variant = "-".join(filter(None, variant.split("-")))
    name = multi_step_name(item.originalname, variant)  # type: ignore[attr-defined]
    docstring = (item.function.__doc__ or name).strip()  # type: ignore[attr-defined]
    seen = Observation(page_origin="", exchanges=tuple(e for p in probes for e in recorder.for_probe(p)))
    # The docstring's first paragraph whole: its first line alone stops mid-sentence.
    why = " ".join(docstring.split("\n\n")[0].split())
    expect = Expect(why, page=None, preflights=None, requests=None, cookies=None)
    area = item.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")  # type: ignore[attr-defined]
    failure = outcome.longreprtext[:2000] if outcome.failed else None
    return report.cell(area, "MultiStep", name, browser, profile, expect, seen, failure)


def multi_step_name(function: str, variant: str) -> str:
    """A browser test's scenario name as the report says scenarios, not a pytest id:
    test_preflight_cache_keeps_apart + [tainted-then-direct] -> preflight-cache-keeps-apart (tainted-then-direct)."""
    name = function.removeprefix("test_").replace("_", "-")
    return f"{name} ({variant})" if variant else name
