"""thirdparty, evil and good's same-site sibling: pages a person can click and tests can drive.

All three serve the same client code (static/client.js). evil adds the attacks: stealing
private data and a cross-site request forgery form aimed at good's /transfer.
"""

from __future__ import annotations

import html
import json
from typing import Literal

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from corsproof.serving import STATIC_DIR
from servers.cors_lab import create_cors_lab
from servers.exploits import create_exploit_pages
from servers.origins import Origins
from servers.policies import POLICIES

Role = Literal["thirdparty", "evil", "sibling"]


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


def client_page(role: Role, origins: Origins) -> str:
    options = "\n".join(
        f'<option value="{p.name}" title="{html.escape(p.summary)}">{p.name}</option>' for p in POLICIES
    )
    buttons = "\n".join(
        _button(label, path, init, f"request-{index}") for index, (label, path, init) in enumerate(_REQUESTS)
    )
    attack = ""
    if role == "evil":
        attack = f"""
<h2>Cross-site request forgery</h2>
<form id="csrf" method="post" action="{origins.good}/transfer">
  <input type="hidden" name="to" value="evil"><input type="hidden" name="amount" value="1000">
  <button id="csrf-submit" type="submit">Send 1000 of your money to evil (form POST to good)</button>
</form>"""
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{role}</title><link rel="stylesheet" href="/static/style.css"></head>
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

    if role == "evil":
        app.mount("/exploits", create_exploit_pages(origins))
    # The CORS lab here too, so that a redirect can lead back to the page's own origin (WPT's
    # "cors to same origin" cases).
    app.mount("/cors-lab", create_cors_lab())
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
