"""Ground truth of the corpus's Express member (tests/corpus/express/app.js, Express with the `cors`
package): per configuration, the origins the cors package lets read /me with credentials, measured by
sending the requests straight to the app in node; and that the app behaves as the corpus specifies.
The same table and checks as tests/test_corpus_middleware.py, for the one framework not in Python."""

from __future__ import annotations

import pytest

from tests.corpus import CONFIGURATIONS, SAMESITES, TRUSTED_ORIGIN, Configuration, SameSite, express_app
from tests.corpus.truth import PROBE_HEADER, measure, middleware_answer
from tests.test_corpus_middleware import EVERY, NULL, PREFIX, SUBDOMAINS, TRUSTED, Expected, assert_behaves

# (origins allowed a credentialed read of /me, whether the trusted origin's credentialed preflight for
# PUT with an X-Corsproof-Probe header passes, why), each reason read in node_modules/cors/lib/index.js.
# cors's defaults pass every such preflight: methods GET,HEAD,PUT,PATCH,POST,DELETE, and with no
# allowedHeaders, configureAllowedHeaders echoes Access-Control-Request-Headers back.
EXPRESS: dict[Configuration, Expected] = {
    "exact": (TRUSTED, True, "a string origin: configureOrigin sends it as it is, to every Origin"),
    "reflect-any": (EVERY, True, "origin true: isOriginAllowed is !!true, so every Origin is echoed"),
    "unanchored-regex": (PREFIX, True, "a RegExp is tried with .test(): a search, anchored at neither end"),
    "null-trusted": (NULL, True, '"null" in the array is a string compared with ===, like any other'),
    "subdomains": (SUBDOMAINS, True, ".test() of the ^...$ pattern: one label before shop.example, https only"),
    "open-preflight": (TRUSTED, True, "the same as exact: cors's defaults already are liberal"),
}


@pytest.fixture(scope="module", autouse=True)
def _packages() -> None:
    """npm ci of the pinned express and cors, once; a skip where there is no node."""
    try:
        express_app.npm_install()
    except express_app.NodeMissing as missing:
        pytest.skip(str(missing))


@pytest.mark.parametrize("configuration", CONFIGURATIONS)
def test_origins_allowed_with_credentials(configuration: Configuration) -> None:
    """The cors package grants credentialed reads to exactly the expected origins, passes the trusted
    origin's PUT preflight as expected, and the app behaves as specified."""
    expected = EXPRESS[configuration]
    assert expected is not None  # the cors package expresses every configuration of the corpus
    origins, preflight_put, _reason = expected
    with express_app.serve(configuration, "None") as url:
        measurement = measure(url)
    assert set(measurement.allowed) == set(origins)
    # cors never sends "*" alongside credentials here (only for origin "*", not in the corpus).
    assert measurement.allowed_or_wildcard == measurement.allowed
    assert measurement.preflight_put is preflight_put
    assert_behaves(measurement.behaviour, "None")


@pytest.mark.parametrize("samesite", [s for s in SAMESITES if s != "None"])
def test_samesite_is_a_parameter(samesite: SameSite) -> None:
    """The session cookie carries the SameSite asked for (or none), and the origins do not change."""
    with express_app.serve("exact", samesite) as url:
        measurement = measure(url)
    assert measurement.allowed == TRUSTED
    assert_behaves(measurement.behaviour, samesite)


def test_a_string_origin_is_sent_to_everyone() -> None:
    """What sets cors apart: a string origin is not checked against the request's, it is the answer
    to every Origin; so an attacker is told the trusted origin (and credentials true), which its own
    origin is not, and the browser refuses it. A refused origin of a list gets no Allow-Origin."""
    with express_app.serve("exact", "None") as url:
        refused = middleware_answer(url, "https://corsproof-evil.test")
        preflight = middleware_answer(url, TRUSTED_ORIGIN, "PUT", preflight=True, request_headers=(PROBE_HEADER,))
    assert (refused.allow_origin, refused.allow_credentials, refused.credentialed) == (TRUSTED_ORIGIN, "true", False)
    assert (preflight.status, preflight.allow_headers, preflight.preflight_passes) == (204, PROBE_HEADER, True)
    with express_app.serve("null-trusted", "None") as url:
        refused = middleware_answer(url, "https://corsproof-evil.test")
        null = middleware_answer(url, "null")
    assert (refused.allow_origin, refused.credentialed) == (None, False)
    assert (null.status, null.allow_origin, null.credentialed) == (401, "null", True)


def test_a_configuration_not_in_the_corpus_is_refused() -> None:
    """app.js exits before listening on an unknown CORPUS_CORS, and serve() says so."""
    with pytest.raises(RuntimeError, match="CORPUS_CORS=anything: expected one of"):
        with express_app.serve("anything", "None"):  # type: ignore[arg-type]  # deliberately not a Configuration
            pass
