"""The click-through demo explains itself: favicons, exploit pages with the sites' look and
explanation box, the exploit index under look-alike hosts, the whole policy list, the note on a
withheld cookie, and corsproof-serve's one-line answer to a busy port."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from corsproof.explain import create_record_app
from corsproof.pages import ClientPage
from corsproof.profiles import CookieProfile
from e2e.attacks_cases import ATTACKS
from servers.attacks import ATTACK_POLICIES
from servers.good import PASSWORD, SESSION_COOKIE
from servers.policies import POLICIES
from servers.sites import Sites, running_sites

ALL_POLICIES = POLICIES + ATTACK_POLICIES
NO_COOKIE = "good received no cookie although the request was credentialed (credentials: include)"


@pytest.fixture(scope="module")
def demo_sites() -> Iterator[Sites]:
    """The sites as corsproof-serve runs them: with /corsproof/record on each client site."""
    with running_sites(client_extras=create_record_app) as running:
        yield running


def _client(sites: Sites, site: str) -> httpx.Client:
    """httpx at a site's port on loopback, with the site's own Host."""
    host_port = sites.url(site).split("//")[1].rstrip("/")
    port = host_port.rsplit(":", 1)[1]
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Host": host_port})


@pytest.mark.parametrize(
    "site",
    [
        "thirdparty",
        "sibling",
        "evil",
        "good",
    ],
)
def test_site_serves_a_favicon(demo_sites: Sites, site: str) -> None:
    """/favicon.ico answers 200 with an SVG icon, so no browser visit logs a 404."""
    with _client(demo_sites, site) as client:
        response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg")


def test_exploit_pages_share_the_stylesheet_and_the_explanation_box(demo_sites: Sites) -> None:
    """Every exploit page links the sites' stylesheet and icon, has the explanation box, and runs client.js."""
    with _client(demo_sites, "evil") as evil:
        assert evil.get("/static/style.css").status_code == 200
        for policy in ALL_POLICIES:
            page = evil.get(f"/exploits/{policy.name}").text
            assert '<link rel="stylesheet" href="/static/style.css">' in page, policy.name
            assert '<link rel="icon" href="/favicon.ico"' in page, policy.name
            assert '<div id="explanation"></div>' in page, policy.name
            assert '<script src="/static/client.js"></script>' in page, policy.name
            assert "window.corsproof.explain(" in page, policy.name
        # The shared code exposes explain() rather than each page carrying a copy.
        assert "window.corsproof.explain = explain;" in evil.get("/static/client.js").text


def test_exploit_index_links_each_attack_under_the_host_it_needs(demo_sites: Sites) -> None:
    """/exploits/ links each catalogue attack under the look-alike host e2e/attacks_cases.py uses,
    and says that under plain evil.localhost the look-alike attacks fail."""
    port = urlsplit(demo_sites.origins.evil).port
    with _client(demo_sites, "evil") as evil:
        index = evil.get("/exploits/").text
    links = set(re.findall(r'<a href="([^"]+)">', index))
    for attack in ATTACKS:
        query = "?source=null" if attack.source else ""
        assert f"http://{attack.attacker_host}:{port}/exploits/{attack.policy}{query}" in links, attack.id
    assert f"http://evilgood.localhost:{port}/exploits/attack-suffix-match" in links
    assert "Under plain <code>evil.localhost</code> the look-alike attacks simply" in index
    assert '<link rel="stylesheet" href="/static/style.css">' in index


def test_look_alike_exploit_page_names_the_host_it_needs(demo_sites: Sites) -> None:
    """An exploit opened under plain evil.localhost links to itself under the look-alike host."""
    port = urlsplit(demo_sites.origins.evil).port
    with _client(demo_sites, "evil") as evil:
        page = evil.get("/exploits/attack-suffix-match").text
    assert f'<a href="http://evilgood.localhost:{port}/exploits/attack-suffix-match">' in page
    assert "Under any other name the theft simply fails." in page


@pytest.mark.parametrize("site", ["thirdparty", "sibling", "evil"])
def test_client_page_policy_select_lists_the_attack_catalogue(demo_sites: Sites, site: str) -> None:
    """The policy select offers servers/policies.py's policies and the attack catalogue's, in order."""
    with _client(demo_sites, site) as client:
        page = client.get("/").text
    select = page.split('<select id="policy">', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="([^"]+)"', select) == [p.name for p in ALL_POLICIES]


def _credentialed_read(
    sites: Sites, probe: str, user_agent: str, cookie: str = "", fetch_site: str = "cross-site"
) -> None:
    """What a browser's fetch(/private, {credentials: 'include'}) from thirdparty sends good."""
    headers = {"Origin": sites.origins.thirdparty, "Sec-Fetch-Site": fetch_site, "User-Agent": user_agent}
    if cookie:
        headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
    with _client(sites, "good") as good:
        good.get(f"/private?probe={probe}", headers=headers)


def _note(sites: Sites, probe: str, credentials: bool = True) -> str | None:
    with _client(sites, "thirdparty") as thirdparty:
        record = thirdparty.get("/corsproof/record", params={"of": probe, "credentials": credentials}).json()
    note = record["cookie_note"]
    assert note is None or isinstance(note, str)
    return note


def test_record_says_a_credentialed_request_reached_good_without_its_cookie(demo_sites: Sites) -> None:
    """The record's cookie note: conditional with no log-in on record, the SameSite of a recorded
    log-in from the same User-Agent, and nothing when the cookie went or credentials were omitted."""
    _credentialed_read(demo_sites, "note-anonymous", "demo-anonymous")
    note = _note(demo_sites, "note-anonymous")
    assert note is not None and note.startswith(NO_COOKIE)
    assert f'if you logged in on good, your browser withheld good\'s "{SESSION_COOKIE}" cookie' in note
    assert "Chromium blocks third-party cookies" in note and "Firefox partitions them" in note
    assert _note(demo_sites, "note-anonymous", credentials=False) is None

    with _client(demo_sites, "good") as good:
        login = good.post("/login", data={"password": PASSWORD, "samesite": "lax"}, headers={"User-Agent": "demo-lax"})
    _credentialed_read(demo_sites, "note-lax", "demo-lax")
    note = _note(demo_sites, "note-lax")
    assert note is not None and "good's record shows a log-in on good" in note and "is SameSite=Lax" in note

    _credentialed_read(demo_sites, "note-sent", "demo-lax", cookie=login.cookies[SESSION_COOKIE])
    assert _note(demo_sites, "note-sent") is None

    _credentialed_read(demo_sites, "note-same-site", "demo-anonymous", fetch_site="same-site")
    note = _note(demo_sites, "note-same-site")
    assert note is not None and "same-site with good" in note and "log in on good first" in note


@pytest.mark.only_browser("chromium")
def test_chromium_page_says_it_withheld_good_cookie_on_the_credentialed_read(
    login: Callable[..., None], open_page: Callable[[str], ClientPage], cookie_profile: CookieProfile
) -> None:
    """Logged in on good, thirdparty's credentialed read of /private explains the missing cookie
    (and says nothing of the kind when third-party cookies are allowed and the cookie went)."""
    login()
    thirdparty = open_page("thirdparty").page
    thirdparty.click("#request-3")  # GET /private with credentials: 'include', under no-cors
    thirdparty.wait_for_selector("#result[data-outcome]")
    explanation = thirdparty.inner_text("#explanation")
    if cookie_profile is CookieProfile.THIRD_PARTY_ALLOWED:
        assert f"cookies: {SESSION_COOKIE}" in explanation
        assert NO_COOKIE not in explanation
    else:
        assert "no cookie → 401" in explanation
        assert NO_COOKIE in explanation
        assert "withheld it as a third-party cookie" in explanation
        assert "Chromium blocks third-party cookies" in explanation


def _busy_loopback_port() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    return sock


def test_serve_names_the_busy_port_in_one_line() -> None:
    """corsproof-serve with a taken port exits non-zero with one line naming it and --base-port."""
    with _busy_loopback_port() as busy:
        port = busy.getsockname()[1]  # good's: the first port corsproof-serve tries
        done = subprocess.run(
            [sys.executable, "-m", "corsproof.suite.serve", "--base-port", str(port), "--check"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert f"port {port} (for good) is busy" in lines[0] and "--base-port" in lines[0]


def test_serve_help_states_every_default() -> None:
    """Each of corsproof-serve's options says its default in --help."""
    done = subprocess.run(
        [sys.executable, "-m", "corsproof.suite.serve", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    options = re.split(r"\n  (?=-)", done.stdout.split("options:", 1)[1])[1:]
    assert {option.split()[0].rstrip(",") for option in options} == {"-h", "--base-port", "--check"}
    for option in options:
        if not option.startswith("-h"):
            assert "(default:" in " ".join(option.split()), option
