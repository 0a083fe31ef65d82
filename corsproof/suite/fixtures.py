"""The fixtures a test uses: the sites, https good, the scenario runner, and for a test that
drives the page itself a clean lane, a page opener, a login, the server record and probes."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from corsproof.explain import create_record_app
from corsproof.model import Observation
from corsproof.pages import ClientPage
from corsproof.report import collect
from corsproof.serving.recorder import Recorder
from corsproof.suite import scenarios, state
from corsproof.suite.lane import LOGGED_OUT, Lane, log_in
from corsproof.suite.tls import https_good as serve_https_good
from servers.good import SameSite
from servers.sites import Sites, running_sites


def good_scheme(browser_name: str, config: pytest.Config) -> str:
    """WebKit drops Secure cookies over http, even on *.localhost, so no one could log in on an http
    good: its good is https. Chromium and Firefox keep --good-scheme (http by default): measured
    over https (the whole e2e suite, --good-scheme https), 5 cells changed, none for a reason of
    CORS: Chromium keeps no HTTP cache for a certificate it was told to ignore, and under schemeful
    same-site an http page on evil.good.localhost is cross-site to an https good."""
    return "https" if browser_name == "webkit" else str(config.getoption("--good-scheme"))


@pytest.fixture(scope="session")
def _sites_by_scheme(pytestconfig: pytest.Config) -> Iterator[Callable[[str], Sites]]:
    """The run's sites for a scheme of good's, started when first asked for, stopped at the end."""
    host = pytestconfig.getoption("--sites-host")
    started: dict[str, Sites] = {}
    with contextlib.ExitStack() as stack:

        def sites_for(scheme: str) -> Sites:
            if scheme not in started:
                sites = running_sites(client_extras=create_record_app, host=host, good_scheme=scheme)
                started[scheme] = stack.enter_context(sites)
            return started[scheme]

        yield sites_for


@pytest.fixture(scope="session")
def _corsproof_sites(_sites_by_scheme: Callable[[str], Sites], browser_name: str, pytestconfig: pytest.Config) -> Sites:
    """The browser's sites (see good_scheme). The plugin's own session fixtures ask for this name,
    not `sites`: a test module may shadow `sites` with servers of its own in a narrower scope, and
    a session fixture that asked for `sites` from such a module would fail with a ScopeMismatch."""
    return _sites_by_scheme(good_scheme(browser_name, pytestconfig))


@pytest.fixture(scope="session")
def sites(_corsproof_sites: Sites) -> Sites:
    return _corsproof_sites


@pytest.fixture(scope="session")
def https_good(_corsproof_sites: Sites) -> Iterator[str]:
    """good over https, with a certificate from a throwaway CA (corsproof/suite/tls.py)."""
    with serve_https_good(_corsproof_sites) as origin:
        yield origin


def keep_trace_on_failure(request: pytest.FixtureRequest, trace: Path | None) -> None:
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
    engine = pytestconfig.stash[state.ENGINE]
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
        collect.checked(request, type(scenario).__name__, scenario.id, lane.browser, lane.profile, expect, seen)
        return seen

    yield run
    for trace in traces:
        keep_trace_on_failure(request, trace)


@pytest.fixture
def clean_lane(lane: Lane, pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> Iterator[Lane]:
    """The lane, its cookies cleared, for a test that drives the page itself."""
    lane.begin(LOGGED_OUT)
    trace_dir = pytestconfig.stash[state.ENGINE].trace_dir
    tracing = lane.tracing if trace_dir is not None else None
    if tracing is not None:
        tracing.start_chunk()
    yield lane
    if tracing is not None and trace_dir is not None:
        trace = trace_dir / f"{request.node.name[:80]}.zip"
        tracing.stop_chunk(path=trace)
        keep_trace_on_failure(request, trace)


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
    engine = pytestconfig.stash[state.ENGINE]
    made: list[str] = []
    collect.keep_probes(request.node, _corsproof_sites.recorder, made)

    def make() -> str:
        made.append(engine.new_probe("p"))
        return made[-1]

    return make
