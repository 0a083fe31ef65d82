"""An example API with a realistic CORS mistake, for `corsproof audit` to find.

The shop's API lives at https://api.shop.example and means to serve its own front-ends, every
subdomain of shop.example (www, admin, ...). Its CORS pattern says so with Starlette's
allow_origin_regex, and credentials allowed for the cookie login. The mistake: the pattern
`https://.*shop\\.example` has no dot before `shop`, so https://evilshop.example — a domain
anyone can register — matches it too. Run:

    corsproof audit corsproof.examples.shop_api:app --as https://api.shop.example \\
        --trusted https://www.shop.example --login-url /login --path /me --form-post /orders
"""

from __future__ import annotations

import secrets

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse

SESSION = "shop_session"
sessions: dict[str, str] = {}  # session id -> user
orders: list[tuple[str, str]] = []  # (user, item)

app = FastAPI(title="shop API (example with a CORS mistake)")
app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=r"https://.*shop\.example",  # the mistake: meant r"https://([a-z0-9-]+\.)?shop\.example"
    allow_credentials=True,
    allow_methods=["GET", "POST", "PUT", "DELETE"],
    allow_headers=["*"],
)


def _user(request: Request) -> str | None:
    return sessions.get(request.cookies.get(SESSION, ""))


@app.get("/login")
def login() -> Response:
    """A demo login: visiting it logs in as alice (a real app would ask for a password)."""
    session = secrets.token_urlsafe(16)
    sessions[session] = "alice"
    response = RedirectResponse("/me", status_code=303)
    # SameSite=None so that the shop's other sites may call the API with the cookie.
    response.set_cookie(SESSION, session, secure=True, httponly=True, samesite="none")
    return response


@app.get("/me")
def me(request: Request) -> Response:
    user = _user(request)
    if user is None:
        return JSONResponse({"error": "log in first"}, status_code=401)
    return JSONResponse({"user": user, "email": f"{user}@mail.example", "card": "**** 4242"})


@app.post("/orders")
async def order(request: Request) -> Response:
    user = _user(request)
    if user is None:
        return JSONResponse({"error": "log in first"}, status_code=401)
    orders.append((user, "audit item"))
    return JSONResponse({"ordered": len(orders)})
