"""Ground truth of the corpus (tests/corpus/): for every framework and CORS configuration, the origins
its middleware lets read /me with credentials, measured by sending the requests straight to the app;
and that every app behaves as the corpus specifies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import (
    CONFIGURATIONS,
    SAMESITES,
    TRUSTED_ORIGIN,
    Configuration,
    NotExpressible,
    SameSite,
    aiohttp_app,
    flask_app,
    starlette_app,
)
from tests.corpus.truth import CANDIDATES, PROBE_HEADER, Behaviour, Measurement, measure, middleware_answer

ROOT = Path(__file__).resolve().parent.parent
DJANGO_DEADLINE = 60.0  # seconds for one Django process to start, measure both apps and exit

# The origins, by the mistake that lets them in.
TRUSTED = frozenset({TRUSTED_ORIGIN})
SUBDOMAINS = TRUSTED | {"https://corsproof-evil.shop.example", "https://corsproofevil.shop.example"}
NO_DOT = SUBDOMAINS | {"https://evilshop.example", "https://wwwxshop.example"}  # .*shop\.example, fully anchored
PREFIX = NO_DOT | {"https://www.shop.example.corsproof-evil.test", "https://www.shop.example-corsproof-evil.test"}
NULL = TRUSTED | {"null"}
EVERY = frozenset(CANDIDATES)

# (origins allowed a credentialed read of /me, whether the trusted origin's credentialed preflight for
# PUT with an X-Corsproof-Probe header passes, why). None: the middleware cannot express it.
Expected = tuple[frozenset[str], bool, str] | None
EXPECTED: dict[str, dict[Configuration, Expected]] = {
    "flask": {
        # flask-cors's defaults are all methods and allow_headers "*" (a regex, matched per requested
        # header and echoed by name), so even "exact" passes any preflight from the trusted origin.
        "exact": (TRUSTED, True, "a literal origin, compared case-insensitively"),
        "reflect-any": (EVERY, True, 'origins "*", send_wildcard False: get_cors_origins echoes the Origin'),
        "unanchored-regex": (PREFIX, True, "regex tried with re.match: anchored at the start only"),
        "null-trusted": (NULL, True, '"null" is a literal, equal to the opaque origin\'s header'),
        "subdomains": (SUBDOMAINS, True, "^...$ regex; one label before shop.example, https only"),
        "open-preflight": (TRUSTED, True, "the same as exact: flask-cors's defaults already are liberal"),
    },
    "starlette": {
        "exact": (TRUSTED, False, "allow_origins by equality; allow_methods defaults to GET only"),
        "reflect-any": (EVERY, False, '"*" with allow_credentials: send() echoes every Origin'),
        "unanchored-regex": (NO_DOT, False, "allow_origin_regex uses re.fullmatch: the end is anchored anyway"),
        "null-trusted": (NULL, False, '"null" in allow_origins is matched like any string'),
        "subdomains": (SUBDOMAINS, False, "fullmatch of the correct pattern"),
        "open-preflight": (TRUSTED, True, 'methods "*" expands to all; headers "*" echoes those requested'),
    },
    "django": {
        "exact": (TRUSTED, False, "CORS_ALLOWED_ORIGINS by scheme+netloc; the default header list lacks ours"),
        "reflect-any": (EVERY, False, "CORS_ALLOW_ALL_ORIGINS with credentials echoes the Origin, never *"),
        "unanchored-regex": (PREFIX, False, "CORS_ALLOWED_ORIGIN_REGEXES uses re.match: start-anchored only"),
        "null-trusted": (NULL, False, 'origin_found_in_white_lists has a case for "null"'),
        "subdomains": (SUBDOMAINS, False, "re.match of the ^...$ pattern"),
        # CORS_ALLOW_HEADERS ["*"] is sent as "Access-Control-Allow-Headers: *", which with credentials
        # is a header named "*", not a wildcard (Fetch): the credentialed preflight fails.
        "open-preflight": (TRUSTED, False, 'all methods, but headers "*" is literal with credentials'),
    },
    "aiohttp": {
        "exact": (TRUSTED, False, "dict lookup by origin; allow_headers () refuses our header (403)"),
        "reflect-any": (EVERY, False, 'the "*" entry answers every Origin with itself'),
        "unanchored-regex": None,  # aiohttp-cors has no origin patterns
        "null-trusted": (NULL, False, '"null" is just another key'),
        "subdomains": None,  # no patterns: only a list of every subdomain by name
        "open-preflight": (TRUSTED, True, 'allow_headers "*" echoes the requested headers, methods all'),
    },
}
FRAMEWORKS = tuple(EXPECTED)


def _django(configuration: Configuration, samesite: SameSite) -> dict[str, Measurement]:
    """Django measured in a process of its own (its settings are per process): WSGI and ASGI apps."""
    env = os.environ | {"CORPUS_CORS": configuration, "CORPUS_SAMESITE": samesite or "unset"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "tests.corpus.django_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=DJANGO_DEADLINE,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, dict[str, Any]] = json.loads(done.stdout)
    return {
        name: Measurement(
            allowed=frozenset(data["allowed"]),
            allowed_or_wildcard=frozenset(data["allowed_or_wildcard"]),
            preflight_put=data["preflight_put"],
            behaviour=Behaviour(**data["behaviour"]),
        )
        for name, data in report.items()
    }


def measured(framework: str, configuration: Configuration, samesite: SameSite) -> dict[str, Measurement]:
    """The measurement of one corpus app (Django: its WSGI and its ASGI application)."""
    if framework == "django":
        return _django(configuration, samesite)
    if framework == "aiohttp":
        with aiohttp_app.serve(aiohttp_app.make_app(configuration, samesite)) as url:
            return {"app": measure(url)}
    factory = {"flask": flask_app.make_app, "starlette": starlette_app.make_app}[framework]
    return {"app": measure(factory(configuration, samesite))}


def assert_behaves(behaviour: Behaviour, samesite: SameSite) -> None:
    """The routes do what the corpus says: /me and its state changes need the session, /public not."""
    assert behaviour.login_status == 200
    cookie = behaviour.session_cookie
    assert cookie.get("value") and cookie.get("secure") and cookie.get("httponly"), cookie
    # Starlette writes the attribute in lower case; browsers read it case-insensitively.
    assert cookie.get("samesite", "").lower() == (samesite or "").lower(), cookie
    assert (behaviour.me_without, behaviour.me_with, behaviour.me_user) == (401, 200, "alice")
    assert (behaviour.put_without, behaviour.put_with) == (401, 200)
    assert (behaviour.order_without, behaviour.order_with) == (401, 200)
    assert behaviour.public_same


CASES = [(f, c) for f in FRAMEWORKS for c in CONFIGURATIONS]


@pytest.mark.parametrize(("framework", "configuration"), CASES, ids=[f"{f}-{c}" for f, c in CASES])
def test_origins_allowed_with_credentials(framework: str, configuration: Configuration) -> None:
    """Each app grants credentialed reads to exactly the expected origins, passes the trusted origin's
    PUT preflight as expected, and behaves as specified."""
    expected = EXPECTED[framework][configuration]
    if expected is None:
        with pytest.raises(NotExpressible):
            measured(framework, configuration, "None")
        return
    origins, preflight_put, _reason = expected
    for name, measurement in measured(framework, configuration, "None").items():
        assert set(measurement.allowed) == set(origins), name
        # No middleware sends "*" alongside credentials, so the looser reading gives the same set.
        assert measurement.allowed_or_wildcard == measurement.allowed, name
        assert measurement.preflight_put is preflight_put, name
        assert_behaves(measurement.behaviour, "None")


SAMESITE_CASES = [(f, s) for f in FRAMEWORKS for s in SAMESITES if s != "None"]


@pytest.mark.parametrize(("framework", "samesite"), SAMESITE_CASES, ids=[f"{f}-{s}" for f, s in SAMESITE_CASES])
def test_samesite_is_a_parameter(framework: str, samesite: SameSite) -> None:
    """The session cookie carries the SameSite asked for (or none), and the origins do not change."""
    for measurement in measured(framework, "exact", samesite).values():
        assert measurement.allowed == TRUSTED
        assert_behaves(measurement.behaviour, samesite)


def test_middleware_answer_single_requests() -> None:
    """middleware_answer reports one request: a reflected null, a refused origin, a preflight."""
    app = flask_app.make_app("reflect-any", "None")
    null = middleware_answer(app, "null")
    assert (null.status, null.allow_origin, null.allow_credentials, null.credentialed) == (401, "null", "true", True)
    starlette = starlette_app.make_app("exact", "None")
    refused = middleware_answer(starlette, "https://evilshop.example")
    # Starlette sends Allow-Credentials: true even to an origin it refuses, but no Allow-Origin.
    assert (refused.allow_origin, refused.allow_credentials, refused.credentialed) == (None, "true", False)
    preflight = middleware_answer(starlette, TRUSTED_ORIGIN, "PUT", preflight=True, request_headers=(PROBE_HEADER,))
    assert preflight.status == 400 and preflight.credentialed and not preflight.preflight_passes
