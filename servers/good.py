"""good: the site with a cookie login, private data, a public API and a state-changing endpoint.

Its data API is served at the root with no CORS headers (the article's start), and again under
/<policy>/ for every named CORS policy (servers/policies.py), so a test picks a policy by URL.
"""

from __future__ import annotations

import html
import secrets
import threading
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qs

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response

from servers.attacks import ATTACK_POLICIES
from servers.clients import favicon
from servers.cookie_lab import create_cookie_lab
from servers.cors_lab import create_cors_lab
from servers.csrf import defence_policies
from servers.origins import Origins
from servers.policies import POLICIES

# As in the article, everyone logs in with one shared password.
PASSWORD = "opensesame"
SESSION_COOKIE = "session"
PRIVATE_DATA = "PRIVATE: good's private data, the balance is 1,000,000"
PUBLIC_DATA = {"public": "good's public data"}
PLEASE_LOGIN = "Please login first"
MAX_AMOUNT = 1_000_000_000

SameSite = Literal["none", "lax", "strict", "unset"]  # unset: no SameSite attribute at all


@dataclass(frozen=True)
class Transfer:
    """A state change good carried out: the proof that a forged request worked."""

    to: str
    amount: int
    origin: str | None
    probe: str | None


@dataclass
class GoodState:
    """Sessions and the transfer ledger, shared by every policy mount, safe across threads."""

    sessions: set[str] = field(default_factory=set)
    transfers: list[Transfer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_session(self) -> str:
        session_id = secrets.token_urlsafe(32)
        with self.lock:
            self.sessions.add(session_id)
        return session_id

    def is_logged_in(self, request: Request) -> bool:
        with self.lock:
            return request.cookies.get(SESSION_COOKIE) in self.sessions

    def end_session(self, request: Request) -> None:
        with self.lock:
            self.sessions.discard(request.cookies.get(SESSION_COOKIE, ""))

    def record_transfer(self, transfer: Transfer) -> None:
        with self.lock:
            self.transfers.append(transfer)

    def transfers_for(self, probe: str) -> list[Transfer]:
        with self.lock:
            return [t for t in self.transfers if t.probe == probe]


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _transfer_fields(request: Request) -> dict[str, str]:
    """The to/amount fields of a transfer request.

    Forms arrive urlencoded or multipart. A `text/plain` body is parsed as urlencoded too, as
    many real endpoints do: that leniency is what makes `fetch(..., text/plain)` a CSRF vector.
    """
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()
        return {name: value for name, value in form.items() if isinstance(value, str)}
    parsed = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    return {name: values[0] for name, values in parsed.items()}


def _validate_transfer(fields: dict[str, str]) -> tuple[str, int] | str:
    """(to, amount), or a message saying what is wrong with the request."""
    to = fields.get("to", "").strip()
    if not to or len(to) > 100:
        return "field 'to' is required (1-100 characters)"
    try:
        amount = int(fields.get("amount", ""))
    except ValueError:
        return "field 'amount' must be a whole number"
    if not 0 < amount <= MAX_AMOUNT:
        return f"field 'amount' must be between 1 and {MAX_AMOUNT}"
    return to, amount


def create_data_api(state: GoodState) -> FastAPI:
    """good's data: /private, /api/public and /transfer. Mounted once per CORS policy."""
    api = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @api.get("/private")
    def private(request: Request) -> Response:
        if not state.is_logged_in(request):
            return PlainTextResponse(PLEASE_LOGIN, status_code=401)
        return PlainTextResponse(PRIVATE_DATA)

    @api.api_route("/api/public", methods=["GET", "POST", "PUT", "DELETE"])
    def public(request: Request) -> JSONResponse:
        return JSONResponse({**PUBLIC_DATA, "method": request.method})

    @api.post("/transfer")
    async def transfer(request: Request) -> Response:
        if not state.is_logged_in(request):
            return PlainTextResponse(PLEASE_LOGIN, status_code=401)
        checked = _validate_transfer(await _transfer_fields(request))
        if isinstance(checked, str):
            return PlainTextResponse(f"Bad transfer request: {checked}", status_code=400)
        to, amount = checked
        state.record_transfer(
            Transfer(
                to=to, amount=amount, origin=request.headers.get("origin"), probe=request.query_params.get("probe")
            )
        )
        return PlainTextResponse(f"Transferred {amount} to {to}")

    return api


def _home_page(logged_in: bool, origins: Origins) -> str:
    status = "You are logged in." if logged_in else "You are not logged in."
    policies = "\n".join(f"<li><code>/{p.name}/</code>: {html.escape(p.summary)}</li>" for p in POLICIES)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>good</title></head>
<body>
<h1>good</h1>
<p id="status">{status}</p>
<form method="post" action="/login">
  <label>Password (it is <code>{PASSWORD}</code>): <input name="password" type="password"></label>
  <label>Session cookie SameSite:
    <select name="samesite">
      <option>none</option><option>lax</option><option>strict</option><option>unset</option>
    </select>
  </label>
  <button id="login" type="submit">Log in</button>
</form>
<form method="post" action="/logout"><button id="logout" type="submit">Log out</button></form>
<p><a href="/private">/private</a> · <a href="/api/public">/api/public</a></p>
<p>Clients: <a href="{origins.thirdparty}/">thirdparty</a> · <a href="{origins.evil}/">evil</a> ·
<a href="{origins.sibling}/">app.good (same-site sibling)</a></p>
<h2>CORS policies</h2><ul>{policies}</ul>
</body></html>"""


def create_good_app(origins: Origins, state: GoodState | None = None) -> FastAPI:
    state = state or GoodState()
    app = FastAPI(title="good", openapi_url=None, docs_url=None, redoc_url=None)
    app.add_api_route("/favicon.ico", favicon, include_in_schema=False)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> str:
        return _home_page(state.is_logged_in(request), origins)

    @app.post("/login")
    def login(password: str = Form(""), samesite: SameSite = Form("none")) -> Response:
        # Constant-time comparison: the time taken must not tell how much of a guess was right.
        if not secrets.compare_digest(password.encode(), PASSWORD.encode()):
            return PlainTextResponse("Wrong password", status_code=401)
        response = RedirectResponse("/", status_code=303)
        # Secure is accepted over http on *.localhost (a secure context); SameSite=None demands it.
        response.set_cookie(
            SESSION_COOKIE,
            state.new_session(),
            httponly=True,
            secure=True,
            samesite=None if samesite == "unset" else samesite,
            path="/",
        )
        return response

    @app.post("/logout")
    def logout(request: Request) -> Response:
        state.end_session(request)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True)
        return response

    data_api = create_data_api(state)
    for policy in POLICIES + ATTACK_POLICIES + defence_policies(SESSION_COOKIE):
        app.mount(f"/{policy.name}", policy.wrap(data_api, origins))
    app.mount("/cookie-lab", create_cookie_lab(origins))
    app.mount("/cors-lab", create_cors_lab())
    # Last, so that the policy prefixes above are matched first.
    app.mount("", data_api)
    return app
