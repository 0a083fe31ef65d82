"""The attacker's page, served under every attacker origin of an audit (and each trusted origin,
as the control). Its script makes the audit's requests the way an exploit would: fetch() with
the victim's cookies, a preflighted PUT, a form POST, or any of them from a sandboxed iframe
(Origin: null). It reports what the page's JavaScript could see; the server's record says the rest.
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from corsproof.serving import STATIC_DIR

# What a page's JavaScript can see of one fetch() is the sites' own client code's to say
# (window.corsproof.probe in corsproof/serving/static/client.js). The audit's script comes after it in one
# file: a second script request per page cost the example's audit 4-5 s.
_AUDIT = """
window.audit = {
  // All at once, as an exploit may: each request has a URL of its own (its probe tag), so none can
  // answer for another from a cache. (One after the other cost the catalogue audit ~1/5 more.)
  probeAll(fetches) {
    return Promise.all(fetches.map(([url, init]) => window.corsproof.probe(url, init)));
  },
  // The same requests from a sandboxed iframe, whose origin is opaque: its requests say Origin: null.
  fromNull(fetches) {
    return new Promise((resolve) => {
      window.addEventListener("message", (event) => resolve(event.data), { once: true });
      const frame = document.createElement("iframe");
      frame.sandbox = "allow-scripts";
      frame.srcdoc = `<script src="${location.origin}/corsproof-audit.js"></scr` + `ipt><script>
        window.audit.probeAll(${JSON.stringify(fetches)}).then((r) => parent.postMessage(r, "*"));</scr` + `ipt>`;
      document.body.append(frame);
    });
  },
  // A cross-site form POST: a top-level navigation, the classic CSRF.
  submit(action) {
    window.audit.form(action).submit();
  },
  // The same form POST from a sandboxed iframe allowed to submit forms: Origin null.
  submitFromNull(action) {
    const frame = document.createElement("iframe");
    frame.sandbox = "allow-scripts allow-forms";
    // In a body: the form needs one to be appended to.
    frame.srcdoc = `<body><script src="${location.origin}/corsproof-audit.js"></scr` + `ipt><script>
      window.audit.submit(${JSON.stringify(action)});</scr` + `ipt></body>`;
    document.body.append(frame);
  },
  form(action) {
    const form = document.createElement("form");
    form.method = "POST";
    form.action = action;
    const field = document.createElement("input");
    field.name = "corsproof";
    field.value = "audit";
    form.append(field);
    document.body.append(form);
    return form;
  },
  // On the app's own page: log in as the app's front-end would, by a same-origin request whose
  // Set-Cookie lands first-party.
  async logIn(url, init) {
    const response = await fetch(url, { credentials: "include", redirect: "follow", ...init });
    return { status: response.status, url: response.url, headers: Object.fromEntries(response.headers.entries()) };
  },
};
"""

SCRIPT = (STATIC_DIR / "client.js").read_text() + _AUDIT

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>corsproof audit: attacker page</title>
<script src="/corsproof-audit.js"></script></head>
<body><h1>corsproof audit</h1><p>An attacker's page at <code>{origin}</code>.</p></body></html>"""


# The audit's own page on the app's origin (corsproof/audit/front.py routes this path there, never
# to the app): the script inline, so the app is asked for nothing but what the audit means to ask.
OWN_PAGE = "/.corsproof-audit/"
SET_COOKIE_PATH = OWN_PAGE + "set-cookie"
_OWN = """<!doctype html>
<html><head><meta charset="utf-8"><title>corsproof audit: the app's own page</title>
<script>{script}</script></head>
<body><h1>corsproof audit</h1><p>A page on the app's own origin: the victim logs in from here.</p></body></html>"""


def own_page_app(set_cookie: str | None) -> ASGIApp:
    """The own page, and its login answer: set_cookie (a whole Set-Cookie line) sent as the app
    would send it, so that the browser itself parses Expires, Domain, Path, Partitioned..."""
    page = _OWN.format(script=SCRIPT)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response: Response
        if scope["path"] == SET_COOKIE_PATH and set_cookie is not None:
            response = PlainTextResponse("corsproof audit: the victim's cookie")
            response.raw_headers.append((b"set-cookie", set_cookie.encode("latin-1")))
        elif scope["path"] == OWN_PAGE:
            response = HTMLResponse(page)
        else:
            response = PlainTextResponse("corsproof audit: no such page", status_code=404)
        await response(scope, receive, send)

    return app


async def attacker_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The page and its script, for any host name."""
    request = Request(scope, receive)
    response: Response
    if request.url.path == "/corsproof-audit.js":
        response = Response(SCRIPT, media_type="text/javascript")
    elif request.url.path == "/":
        origin = f"{request.url.scheme}://{request.headers.get('host', '')}"
        response = HTMLResponse(_PAGE.format(origin=html.escape(origin)))
    else:
        response = PlainTextResponse("corsproof audit: the attacker's page is at /", status_code=404)
    await response(scope, receive, send)
