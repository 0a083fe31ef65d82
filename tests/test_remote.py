"""Browsers elsewhere: the same scenarios through a Playwright browser server give the same
observations as browsers launched here, in Chromium and Firefox; a server that is not there is
said in one line before any test; the server's process group is gone afterwards.

The remote run is set up as it would run on another machine: the sites listen on another address
(127.0.0.2, where no *.localhost name leads by itself) and the browsers are told to find every
name there (--sites-host)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from corsproof import report
from corsproof.process_group import running_in_group
from corsproof.remote import browser_server
from corsproof.report.diff import changes

ROOT = Path(__file__).resolve().parent.parent
# Chromium and Firefox: WebKit runs on this machine only (corsproof/webkit.py).
SLICE = [
    "e2e/test_article.py",
    "e2e/test_cors_protocol.py",
    "-k",
    "claim or redirect",
    "--browser",
    "chromium",
    "--browser",
    "firefox",
]


def run_suite(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """The suite as given, in this checkout. Its --output is in tmp_path: pytest-playwright empties
    its --output when a session starts, and the default, test-results, holds the running suite's."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--cookie-profile", "default"]
        + ["--output", str(tmp_path / "output"), *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_a_browser_server_gives_the_observations_of_local_browsers(tmp_path: Path) -> None:
    local = run_suite(tmp_path, *SLICE, "--report", str(tmp_path / "local"))
    assert local.returncode == 0, local.stdout[-2000:]
    with browser_server() as server:
        url = server.url
        at_server = ("--connect", url, "--sites-host", "127.0.0.2")
        remote = run_suite(tmp_path, *SLICE, "--report", str(tmp_path / "remote"), *at_server)
    assert remote.returncode == 0, remote.stdout[-2000:]
    assert f"via {url}" in remote.stdout, "the remote run records where its browsers ran"
    old, new = report.load(tmp_path / "local" / "report.json"), report.load(tmp_path / "remote" / "report.json")
    assert len(new["cells"]) == len(old["cells"]) > 40
    assert changes(old, new) == {}


def test_the_server_process_group_is_gone_afterwards() -> None:
    with browser_server() as server:
        assert server.url.startswith("ws://127.0.0.1:")
        assert running_in_group(server.process_group), "the server runs while the block runs"
    assert running_in_group(server.process_group) == []


def test_a_server_that_is_not_there_is_said_in_one_line_before_any_test(tmp_path: Path) -> None:
    result = run_suite(tmp_path, "e2e/test_article.py", "--browser", "firefox", "--connect", "ws://127.0.0.1:9/")
    assert result.returncode == 4
    assert "no firefox from the browser server at ws://127.0.0.1:9/" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_an_address_the_sites_cannot_listen_on_is_said_in_one_line_before_any_test(tmp_path: Path) -> None:
    result = run_suite(tmp_path, "e2e/test_article.py", "--sites-host", "198.51.100.77")
    assert result.returncode == 4
    assert "--sites-host 198.51.100.77: the sites cannot listen there" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
