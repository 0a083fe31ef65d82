"""Django settings for the corpus app: the CORS configuration (django-cors-headers) and the session
cookie's SameSite come from CORPUS_CORS and CORPUS_SAMESITE, since Django settings are per process."""

from __future__ import annotations

from typing import Any

from tests.corpus import (
    SESSION_COOKIE,
    SUBDOMAINS_REGEX,
    TRUSTED_ORIGIN,
    UNANCHORED_REGEX,
    Configuration,
    from_environment,
)

# django-cors-headers settings per configuration. Matching (corsheaders/middleware.py):
# CORS_ALLOWED_ORIGINS by scheme and host:port of urlsplit (and "null" only as the literal string);
# CORS_ALLOWED_ORIGIN_REGEXES with re.match, anchored at the start only, case-sensitive.
# Its defaults already allow DELETE, GET, OPTIONS, PATCH, POST, PUT and a fixed list of headers.
DJANGO_CORS: dict[Configuration, dict[str, Any]] = {
    "exact": {"CORS_ALLOWED_ORIGINS": [TRUSTED_ORIGIN], "CORS_ALLOW_CREDENTIALS": True},
    # With credentials, CORS_ALLOW_ALL_ORIGINS answers each Origin with itself (never "*").
    "reflect-any": {"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOW_CREDENTIALS": True},
    "unanchored-regex": {"CORS_ALLOWED_ORIGIN_REGEXES": [UNANCHORED_REGEX], "CORS_ALLOW_CREDENTIALS": True},
    # "null" is accepted in CORS_ALLOWED_ORIGINS by the system checks (corsheaders/checks.py) for this use.
    "null-trusted": {"CORS_ALLOWED_ORIGINS": [TRUSTED_ORIGIN, "null"], "CORS_ALLOW_CREDENTIALS": True},
    "subdomains": {"CORS_ALLOWED_ORIGIN_REGEXES": [SUBDOMAINS_REGEX], "CORS_ALLOW_CREDENTIALS": True},
    # django-cors-headers has no "every header" value: the list says what the API takes, methods all.
    "open-preflight": {
        "CORS_ALLOWED_ORIGINS": [TRUSTED_ORIGIN],
        "CORS_ALLOW_CREDENTIALS": True,
        "CORS_ALLOW_METHODS": ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"],
        "CORS_ALLOW_HEADERS": ["*"],
    },
}

CORPUS_CORS, CORPUS_SAMESITE = from_environment()

# A throwaway key: the corpus signs its own test sessions and nothing else.
SECRET_KEY = "corsproof-corpus-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["api.shop.example", "127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.corpus.django_urls"
INSTALLED_APPS = ["corsheaders"]
MIDDLEWARE = [
    # First, as its docs ask, so that answers from later middleware get CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Kept, as in a real project; the API's PUT and POST views are csrf_exempt (the corpus is about CORS).
    "django.middleware.csrf.CsrfViewMiddleware",
]
DATABASES: dict[str, Any] = {}
USE_TZ = True

# Sessions in a signed cookie (no database), named and flagged as the corpus says. Django leaves
# SameSite out when the setting is False.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_NAME = SESSION_COOKIE
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE: str | bool = CORPUS_SAMESITE if CORPUS_SAMESITE is not None else False
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [TRUSTED_ORIGIN]

globals().update(DJANGO_CORS[CORPUS_CORS])
