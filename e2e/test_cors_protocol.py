"""The CORS protocol, case by case, mirrored on web-platform-tests' fetch/api/cors/.

Each case asserts what the page could read, what reached good (preflights counted, Origin of
every hop), in Chromium the DevTools Network.CorsError, and that corsproof's own CORS check
(corsproof/cors_check.py), run over good's record, derives the same reason. In Firefox, which
reports no reason, the derived reason is recorded with the result, labelled as derived.

No case depends on a cookie (credentialed cases check the CORS headers, not the session), so
they run under one cookie profile: the others would repeat the same requests and answers.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from corsproof import webkit
from corsproof.model import Observation
from corsproof.pages import ClientPage
from corsproof.suite.lab import Hop, lab_url
from corsproof.suite.scenarios import Fetch
from e2e.cors_protocol_cases import WPT_CASES
from servers.sites import Sites

pytestmark = pytest.mark.cookie_independent


@pytest.mark.parametrize("scenario", WPT_CASES, ids=lambda c: c.id)
def test_cors_protocol(scenario: Fetch, run_scenario: Callable[[Fetch], Observation]) -> None:
    seen = run_scenario(scenario)
    # Local Network Access: page and server share the loopback address space, so no request may
    # carry its preflight header (Chromium would add it for a more private target).
    assert all(e.header("access-control-request-private-network") is None for e in seen.exchanges)


@pytest.mark.parametrize("vary", [False, True], ids=["without-vary", "with-vary-origin"])
def test_http_cache_and_vary_origin_within_one_page(
    vary: bool, open_page: Callable[[str], ClientPage], sites: Sites, new_probe: Callable[[], str], browser_name: str
) -> None:
    """A reflected Allow-Origin cached without Vary: Origin is served to a request it was not
    made for (Fetch standard, "CORS protocol and HTTP caches").

    The page first loads the URL in no-cors mode: no Origin header, so good reflects nothing and
    the cacheable answer has no Allow-Origin. Its CORS fetch of the same URL then gets that
    cached answer and fails, though good would have allowed it; with Vary: Origin the browser
    asks good again and reads.
    """
    probe = new_probe()
    params = {"acao": "{origin}", "cache": "max-age=600", **({"vary": "Origin"} if vary else {})}
    url = lab_url(sites, Hop("good", params), probe)
    thirdparty = open_page("thirdparty")
    assert thirdparty.fetch(url, {"mode": "no-cors"}).outcome == "opaque"
    second = thirdparty.fetch(url)
    requests = sites.recorder.for_probe(probe)
    # WebKit answers no fetch from its HTTP cache (corsproof/webkit.py): good is asked again either way.
    served_from_cache = not vary and webkit.http_cache_answers_fetches(browser_name)
    assert [e.origin for e in requests] == [None, sites.origins.thirdparty][: 1 if served_from_cache else 2]
    assert second.outcome == ("blocked" if served_from_cache else "read"), second


def test_http_cache_is_partitioned_so_one_site_never_gets_another_sites_answer(
    open_page: Callable[[str], ClientPage], sites: Sites, new_probe: Callable[[], str]
) -> None:
    """Without Vary: Origin, thirdparty's cached answer (Allow-Origin: thirdparty) is not served
    to evil: Chromium and Firefox key their HTTP cache by the top-level site, so evil's fetch of the
    same URL goes to good and gets an answer of its own (WebKit answers no fetch from its HTTP cache
    at all, corsproof/webkit.py: there it holds for that reason)."""
    probe = new_probe()
    url = lab_url(sites, Hop("good", {"acao": "{origin}", "cache": "max-age=600"}), probe)
    assert open_page("thirdparty").fetch(url).outcome == "read"
    assert open_page("evil").fetch(url).outcome == "read"
    assert [e.origin for e in sites.recorder.for_probe(probe)] == [sites.origins.thirdparty, sites.origins.evil]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("no-referrer", None), ("origin", "{page}/"), ("unsafe-url", "{page}/"), ("", "{page}/")],
    ids=["no-referrer", "origin", "unsafe-url", "default"],
)
def test_preflight_carries_the_same_referer_as_the_request(
    policy: str,
    expected: str | None,
    open_page: Callable[[str], ClientPage],
    sites: Sites,
    new_probe: Callable[[], str],
) -> None:
    """Mirrors cors-preflight-referrer.any.js: the preflight's Referer follows the request's
    referrer policy, and equals the Referer of the request itself (the page URL is /, so
    unsafe-url and origin give the same value here)."""
    probe = new_probe()
    url = lab_url(sites, Hop("good", {**{"acao": "*", "acah": "x-test"}}), probe)
    init = {"headers": {"X-Test": "1"}, "referrerPolicy": policy}
    assert open_page("thirdparty").fetch(url, init).outcome == "read"
    preflight, actual = sites.recorder.for_probe(probe)
    want = expected.format(page=sites.origins.thirdparty) if expected else None
    assert preflight.is_preflight and preflight.header("referer") == actual.header("referer") == want


WORKER_FETCH = """async ([kind, url]) => {
  const code = `const go = async (post) => { try { const r = await fetch(${JSON.stringify(url)});
      post('read ' + await r.text()); } catch (e) { post('blocked ' + e.name); } };` +
    (kind === 'worker' ? 'go((m) => postMessage(m));'
                       : 'onconnect = (e) => go((m) => e.ports[0].postMessage(m));');
  const src = 'data:text/javascript,' + encodeURIComponent(code);
  return await new Promise((resolve) => {
    // A worker that cannot start fires "error" instead of ever answering.
    const failed = (e) => resolve('failed to start: ' + (e.message || e.type));
    if (kind === 'worker') { const w = new Worker(src); w.onmessage = (e) => resolve(e.data); w.onerror = failed; }
    else { const w = new SharedWorker(src); w.port.onmessage = (e) => resolve(e.data); w.onerror = failed; }
  });
}"""


@pytest.mark.parametrize("kind", ["worker", "shared-worker"])
@pytest.mark.parametrize("allow_origin", [None, "null"], ids=["no-allow-origin", "allow-origin-null"])
def test_data_url_worker_has_an_opaque_origin(
    kind: str,
    allow_origin: str | None,
    open_page: Callable[[str], ClientPage],
    sites: Sites,
    new_probe: Callable[[], str],
    browser_name: str,
) -> None:
    """Mirrors data-url-worker.html and data-url-shared-worker.html: a worker made from a data:
    URL has an opaque origin, sends Origin: null, and reads only with Allow-Origin: null.

    Finding: Chromium 156 does not start a SharedWorker from a data: URL at all (the worker fires
    "error" and nothing reaches good); Firefox starts it, as the standard says.
    """
    probe = new_probe()
    url = lab_url(sites, Hop("good", {"acao": allow_origin} if allow_origin else {}), probe)
    said = open_page("thirdparty").page.evaluate(WORKER_FETCH, [kind, url])
    if kind == "shared-worker" and browser_name == "chromium":
        assert said.startswith("failed to start"), said
        assert sites.recorder.for_probe(probe) == []
        return
    assert said.startswith("read" if allow_origin else "blocked TypeError"), said
    (request,) = sites.recorder.for_probe(probe)
    assert request.origin == "null"


@pytest.mark.parametrize("tainted_first", [True, False], ids=["tainted-then-direct", "direct-then-tainted"])
def test_preflight_cache_keeps_tainted_and_real_origins_apart(
    tainted_first: bool,
    open_page: Callable[[str], ClientPage],
    sites: Sites,
    new_probe: Callable[[], str],
    browser_name: str,
) -> None:
    """Mirrors cors-preflight-cache-tainted.any.js: the preflight cache is keyed by the serialized
    origin, so an entry made for `null` (after a cross-origin redirect) never serves the page's
    real origin, nor the other way round: both fetches of the target preflight.

    Finding: Firefox ESR 153 sends the preflight that follows a cross-origin redirect with the
    page's real Origin (only the request itself says `null`), so one cache entry, under the real
    origin, serves both fetches: one preflight of the target, where Chromium and the standard
    make two.
    """
    probe = new_probe()
    allow = {"acao": "*", "acah": "x-test", "acam": "POST", "max_age": "600"}
    target = Hop("other", allow)
    redirector = lab_url(sites, Hop("good", {**allow, "redirect": "307", "location": target}), probe)
    direct = lab_url(sites, target, probe)
    init = {"method": "POST", "body": "x", "headers": {"X-Test": "1"}}
    thirdparty = open_page("thirdparty")
    for url in (redirector, direct) if tainted_first else (direct, redirector):
        assert thirdparty.fetch(url, init).outcome == "read"
    target_host = direct.split("//", 1)[1].split("/", 1)[0]
    at_target = [e for e in sites.recorder.for_probe(probe) if e.header("host") == target_host]
    preflights = [e.origin for e in at_target if e.is_preflight]
    requests = sorted(str(e.origin) for e in at_target if not e.is_preflight)
    assert requests == sorted(["null", sites.origins.thirdparty]), "the redirected request itself says null"
    if browser_name == "firefox":
        assert preflights == [sites.origins.thirdparty], "Firefox: one preflight, under the real origin"
        return
    expected = ["null", sites.origins.thirdparty] if tainted_first else [sites.origins.thirdparty, "null"]
    assert preflights == expected, "each origin needs its own preflight of the target"
