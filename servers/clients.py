"""thirdparty, evil and good's same-site sibling: pages a person can click and tests can drive.

All three serve the same client code (static/client.js). evil adds the attacks: stealing
private data and a cross-site request forgery form aimed at good's /transfer.
"""

from __future__ import annotations

import html
import json
from typing import Literal

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from corsproof.serving import STATIC_DIR
from servers.attacks import ATTACK_POLICIES
from servers.cors_lab import create_cors_lab
from servers.exploits import create_exploit_pages
from servers.origins import Origins
from servers.policies import POLICIES, Policy

Role = Literal["thirdparty", "evil", "sibling"]

# The sites' icon, served at /favicon.ico (browsers ask for it on every site): a lock, in SVG.
FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect x="2" y="7" width="12" height="8" rx="1.5" fill="#cf222e"/>'
    '<path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="#1d2327" stroke-width="1.6"/></svg>'
)


def favicon() -> Response:
    """/favicon.ico for a site: the SVG icon, cacheable for a day."""
    return Response(FAVICON_SVG, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


_TITLES: dict[Role, str] = {
    "thirdparty": "thirdparty: a legitimate client of good's API",
    "sibling": "app.good: good's own same-site sibling, a client of good's API",
    "evil": "evil: an attacker",
}

# (label, path on good, fetch init): the article's requests, one button each.
_REQUESTS: tuple[tuple[str, str, dict[str, object]], ...] = (
    ("GET the public API", "/api/public", {}),
    (
        "PUT JSON to the public API (needs a preflight)",
        "/api/public",
        {"method": "PUT", "headers": {"Content-Type": "application/json"}, "body": "{}"},
    ),
    ("GET /private (no credentials)", "/private", {}),
    ("GET /private with credentials: 'include'", "/private", {"credentials": "include"}),
)


def _button(label: str, path: str, init: dict[str, object], button_id: str) -> str:
    return (
        f'<button id="{button_id}" data-path="{path}" '
        f"data-init='{html.escape(json.dumps(init), quote=True)}'>{html.escape(label)}</button>"
    )


def _options(policies: tuple[Policy, ...]) -> str:
    return "".join(f'<option value="{p.name}" title="{html.escape(p.summary)}">{p.name}</option>' for p in policies)


def client_page(role: Role, origins: Origins) -> str:
    options = (
        f'<optgroup label="The article\'s policies">{_options(POLICIES)}</optgroup>'
        f'<optgroup label="The attack catalogue (servers/attacks.py)">{_options(ATTACK_POLICIES)}</optgroup>'
    )
    buttons = "\n".join(
        _button(label, path, init, f"request-{index}") for index, (label, path, init) in enumerate(_REQUESTS)
    )
    attack = ""
    if role == "evil":
        attack = f"""
<p>The exploit pages, each under the look-alike host name its flaw trusts: <a href="/exploits/">/exploits/</a></p>
<h2>Cross-site request forgery</h2>
<form id="csrf" method="post" action="{origins.good}/transfer">
  <input type="hidden" name="to" value="evil"><input type="hidden" name="amount" value="1000">
  <button id="csrf-submit" type="submit">Send 1000 of your money to evil (form POST to good)</button>
</form>"""
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{role}</title><link rel="stylesheet" href="/static/style.css">
<link rel="icon" href="/favicon.ico" type="image/svg+xml"></head>
<body data-good="{origins.good}">
<h1>{html.escape(_TITLES[role])}</h1>
<p>Log in on <a href="{origins.good}/">good</a> first, then call good's API from here.</p>
<label>good's CORS policy: <select id="policy">{options}</select></label>
<p>{buttons}</p>
<pre id="result">(click a button)</pre>
<div id="explanation"></div>
{attack}
<script src="/static/client.js"></script>
</body></html>"""


def create_client_app(role: Role, origins: Origins) -> FastAPI:
    app = FastAPI(title=role, openapi_url=None, docs_url=None, redoc_url=None)
    page = client_page(role, origins)

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        return page

    app.add_api_route("/favicon.ico", favicon, include_in_schema=False)

    if role == "evil":
        app.mount("/exploits", create_exploit_pages(origins))
    # The CORS lab here too, so that a redirect can lead back to the page's own origin (WPT's
    # "cors to same origin" cases).
    app.mount("/cors-lab", create_cors_lab())
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
