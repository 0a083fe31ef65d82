"""A corpus of small apps on real frameworks' CORS middleware, each in a correct and in commonly
wrong configurations, for `corsproof audit` to be measured against (ground truth: truth.py).

Every app has the same shape, so that an audit treats them alike: it is served as PUBLIC_ORIGIN,
the team trusts TRUSTED_ORIGIN, and it has the routes /login, /me (GET, PUT), /orders (POST, form)
and /public. Get an app with:

    tests.corpus.flask_app.make_app(configuration, samesite)      # Flask (WSGI)
    tests.corpus.starlette_app.make_app(configuration, samesite)  # Starlette (ASGI)
    tests.corpus.aiohttp_app.make_app(configuration, samesite)    # aiohttp.web.Application; serve() runs it
    CORPUS_CORS=... CORPUS_SAMESITE=... tests.corpus.django_app:application / :asgi_application

or, for the audit's package.module:app form, flask_app:app, starlette_app:app and django_app:app, built
from the same two environment variables (see from_environment); aiohttp is not ASGI, so an audit
reaches it by the URL aiohttp_app.serve() yields.
"""

from __future__ import annotations

import os
from typing import Literal

PUBLIC_ORIGIN = "https://api.shop.example"
PUBLIC_HOST = "api.shop.example"
TRUSTED_ORIGIN = "https://www.shop.example"
USER = "alice"
SESSION_COOKIE = "sid"

Configuration = Literal["exact", "reflect-any", "unanchored-regex", "null-trusted", "subdomains", "open-preflight"]
CONFIGURATIONS: tuple[Configuration, ...] = (
    "exact",
    "reflect-any",
    "unanchored-regex",
    "null-trusted",
    "subdomains",
    "open-preflight",
)

# The cookie's SameSite attribute; None leaves the attribute out (browsers then apply their default).
SameSite = Literal["None", "Lax", "Strict"] | None
SAMESITES: tuple[SameSite, ...] = ("None", "Lax", "Strict", None)

# The meant-for-subdomains pattern with the common mistakes: no dot before `shop` (so evilshop.example
# matches) and no ^...$ anchors (so a middleware that only anchors at the start also lets
# https://www.shop.example.attacker.test through). The same text in every framework, for comparison.
UNANCHORED_REGEX = r"https://.*shop\.example"
# The correct pattern: the apex or exactly one label before shop.example, over https only.
SUBDOMAINS_REGEX = r"^https://([a-z0-9-]+\.)?shop\.example$"


class NotExpressible(LookupError):
    """A configuration this framework's CORS middleware has no way to say."""


def from_environment() -> tuple[Configuration, SameSite]:
    """The configuration and SameSite named by CORPUS_CORS and CORPUS_SAMESITE ("unset" leaves it
    out); defaults "exact" and "None"; ValueError for a name not in the corpus."""
    configuration = os.environ.get("CORPUS_CORS", "exact")
    if configuration not in CONFIGURATIONS:
        raise ValueError(f"CORPUS_CORS={configuration!r}: expected one of {', '.join(CONFIGURATIONS)}")
    samesite = os.environ.get("CORPUS_SAMESITE", "None")
    if samesite not in ("None", "Lax", "Strict", "unset"):
        raise ValueError(f"CORPUS_SAMESITE={samesite!r}: expected None, Lax, Strict or unset")
    return configuration, (None if samesite == "unset" else samesite)  # type: ignore[return-value]
