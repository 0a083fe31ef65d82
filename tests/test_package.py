"""corsproof as a team installs it: one wheel with one top-level name, next to a project that has a
servers package of its own, with the cors_audit fixture working there and -p no:corsproof turning
it off.

The wheel is built as a release would build it, installed into a fresh virtual environment whose
other packages come from this one (a .pth line: the same versions, no download), and used from a
throwaway project in a subprocess, so that nothing of this checkout is on its path.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_S = 300


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and the sdist, built from this checkout."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=DEADLINE_S,
    )
    return out


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed: its python."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=DEADLINE_S)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
    ).stdout.strip()
    # This environment's packages (Playwright, FastAPI...) without its editable corsproof: a path in
    # a .pth file is added to sys.path, but the .pth files inside it (the editable finder's) are not run.
    (Path(purelib) / "corsproof-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(dist.glob("corsproof-*.whl"))
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=DEADLINE_S,
    )
    return python


def test_the_wheel_installs_one_top_level_name(dist: Path) -> None:
    """corsproof and its metadata: no servers package to clash with a project's own."""
    wheel = next(dist.glob("corsproof-*.whl"))
    names = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert {n for n in names if not n.endswith(".dist-info")} == {"corsproof"}, names
    files = set(zipfile.ZipFile(wheel).namelist())
    assert {"corsproof/py.typed", "corsproof/serving/static/client.js", "corsproof/examples/shop_api.py"} <= files
    assert not {f for f in files if f.startswith("corsproof/suite/")}, "the suite's engine needs the repository"


def test_the_sdist_holds_the_package_and_no_half_of_the_suite(dist: Path) -> None:
    """The tests need the whole repository (conftest, servers, browsers): the sdist has none of them."""
    sdist = next(dist.glob("corsproof-*.tar.gz"))
    with tarfile.open(sdist) as archive:
        tops = {Path(name).parts[1] for name in archive.getnames() if len(Path(name).parts) > 1}
    assert "tests" not in tops and "e2e" not in tops and "servers" not in tops, tops
    assert {"corsproof", "LICENSE", "README.md", "pyproject.toml"} <= tops, tops


def test_the_installed_commands_say_their_version(installed: Path) -> None:
    done = subprocess.run(
        [str(installed.parent / "corsproof"), "--version"], capture_output=True, text=True, timeout=DEADLINE_S
    )
    assert done.returncode == 0 and done.stdout.startswith("corsproof 0."), done.stdout + done.stderr
    serve = subprocess.run(
        [str(installed.parent / "corsproof-serve")], capture_output=True, text=True, timeout=DEADLINE_S
    )
    assert serve.returncode == 2 and "run it from a checkout" in serve.stderr, serve.stderr


PROJECT_APP = """
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse

app = FastAPI()
# The mistake the test must find: any origin reflected, with credentials.
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)


@app.get("/login")
def login() -> PlainTextResponse:
    response = PlainTextResponse("logged in")
    response.set_cookie("sid", "alice", secure=True, httponly=True, samesite="none")
    return response


@app.get("/me")
def me(request: Request) -> JSONResponse:
    if request.cookies.get("sid") != "alice":
        return JSONResponse({"error": "log in"}, status_code=401)
    return JSONResponse({"user": "alice"})
"""

PROJECT_TEST = """
from servers.api import app


def test_no_other_site_reads_our_users_data(cors_audit):
    cors_audit(
        app,
        trusted=["https://www.shop.example"],
        as_origin="https://api.shop.example",
        login_url="/login",
        paths=["/me"],
        browsers=["chromium"],
        profiles=["third-party-allowed"],
    ).assert_no_leak()
"""


def test_the_fixture_audits_a_project_with_its_own_servers_package(installed: Path, tmp_path: Path) -> None:
    """The project's servers package is its own (corsproof installs none), the fixture finds the
    leak and fails the test with it, and -p no:corsproof turns the plugin off."""
    (tmp_path / "servers").mkdir()
    (tmp_path / "servers" / "__init__.py").write_text("")
    (tmp_path / "servers" / "api.py").write_text(textwrap.dedent(PROJECT_APP))
    (tmp_path / "test_cors.py").write_text(textwrap.dedent(PROJECT_TEST))

    def pytest_in_project(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(installed), "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
        )

    done = pytest_in_project()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "corsproof audit: " in done.stdout and " leaks from " in done.stdout, done.stdout
    assert "(unrelated) read /me" in " ".join(done.stdout.split()), done.stdout
    assert "site-packages/corsproof" not in done.stdout, "a frame inside corsproof shown to the team"
    off = pytest_in_project("-p", "no:corsproof")
    assert off.returncode == 1 and "fixture 'cors_audit' not found" in off.stdout, off.stdout
