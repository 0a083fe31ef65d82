"""The corpus app on Flask with flask-cors (WSGI)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, Response, jsonify, request
from flask_cors import CORS

from tests.corpus import (
    SESSION_COOKIE,
    SUBDOMAINS_REGEX,
    TRUSTED_ORIGIN,
    UNANCHORED_REGEX,
    USER,
    Configuration,
    SameSite,
    from_environment,
)

# flask-cors keyword arguments per configuration. Matching (flask_cors/core.py): a string with none of
# the characters * \ ] ? $ ^ [ ( ) is compared literally (case-insensitively); any other string is
# compiled as a regex and tried with re.match, anchored at the start only.
FLASK_CORS: dict[Configuration, dict[str, Any]] = {
    "exact": {"origins": [TRUSTED_ORIGIN], "supports_credentials": True},
    # origins="*" with supports_credentials and send_wildcard=False (the default) does not send "*":
    # get_cors_origins matches ".*" and sends the request's Origin back, credentials true.
    "reflect-any": {"origins": "*", "supports_credentials": True},
    # re.match and no $: besides evilshop.example, anything that merely starts like a shop origin.
    "unanchored-regex": {"origins": [UNANCHORED_REGEX], "supports_credentials": True},
    # "null" has no regex characters: a literal, compared with the Origin header as a string.
    "null-trusted": {"origins": [TRUSTED_ORIGIN, "null"], "supports_credentials": True},
    # Has regex characters, so compiled (with re.IGNORECASE: flask-cors treats origins as case-insensitive).
    "subdomains": {"origins": [SUBDOMAINS_REGEX], "supports_credentials": True},
    # Every method (flask-cors's default list) and every request header ("*" is flask-cors's default).
    "open-preflight": {
        "origins": [TRUSTED_ORIGIN],
        "supports_credentials": True,
        "methods": ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"],
        "allow_headers": "*",
    },
}


def make_app(configuration: Configuration, samesite: SameSite) -> Flask:
    """A Flask app of the corpus's shape with flask-cors in this configuration."""
    app = Flask(__name__)
    CORS(app, **FLASK_CORS[configuration])
    sessions: set[str] = set()
    orders: list[str] = []

    def logged_in() -> bool:
        return request.cookies.get(SESSION_COOKIE, "") in sessions

    def log_in_first() -> tuple[Response, int]:
        return jsonify(error="log in first"), 401

    @app.get("/login")
    def login() -> Response:
        """Logs alice in: a new session in the cookie, with the corpus's SameSite."""
        session = secrets.token_urlsafe(16)
        sessions.add(session)
        response = Response("<!doctype html><title>logged in</title><p>Logged in as alice.", mimetype="text/html")
        response.set_cookie(SESSION_COOKIE, session, secure=True, httponly=True, samesite=samesite)
        return response

    @app.get("/me")
    def me() -> Response | tuple[Response, int]:
        """The user's private data with a session; 401 without."""
        if not logged_in():
            return log_in_first()
        return jsonify(user=USER, email=f"{USER}@mail.example", card="**** 4242")

    @app.put("/me")
    def update_me() -> Response | tuple[Response, int]:
        """A state change with a session; 401 without."""
        if not logged_in():
            return log_in_first()
        return jsonify(user=USER, updated=True)

    @app.post("/orders")
    def order() -> Response | tuple[Response, int]:
        """A form post placing an order with a session; 401 without."""
        if not logged_in():
            return log_in_first()
        orders.append(request.form.get("item", "audit item"))
        return jsonify(ordered=len(orders))

    @app.get("/public")
    def public() -> Response:
        """The same public data whoever asks."""
        return jsonify(public=True, shop="shop.example")

    return app


app = make_app(*from_environment())
