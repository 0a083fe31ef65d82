"""good's cookie lab (issue 3): set cookies with chosen attributes, and answer what came back.

GET  /cookie-lab/set-all       sets one cookie per attribute set of the matrix (MATRIX_COOKIES),
                               each named for its attributes, first-party when good is visited
GET  /cookie-lab/set?name=N&samesite=none|lax|strict|unset&secure=1&partitioned=1&httponly=1
                               sets one cookie, as an answer to a (credentialed CORS) request
ANY  /cookie-lab/echo          answers with the names of the cookies that came with the request
GET  /cookie-lab/blank         an empty page on good, for requests made from good itself
GET  /cookie-lab/storage-access   good's page to embed: a click asks for storage access, then echoes
Answers carry CORS headers for good's known clients (thirdparty, evil, the sibling) with
credentials, so a page there can read them; good's recorder is the oracle of what arrived.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from servers.origins import Origins
from servers.policies import OriginRuleCors, allowlist

SAMESITE_VALUES = ("none", "lax", "strict", "unset")


@dataclass(frozen=True)
class LabCookie:
    """A cookie of the matrix: its name says its attributes."""

    name: str
    samesite: str  # none, lax, strict or unset (no SameSite attribute)
    secure: bool = True
    partitioned: bool = False
    httponly: bool = False
    max_age: int | None = None  # seconds; None: a session cookie

    def header(self, value: str = "1") -> str:
        parts = [f"{self.name}={value}", "Path=/"] + ([] if self.max_age is None else [f"Max-Age={self.max_age}"])
        if self.samesite != "unset":
            parts.append(f"SameSite={self.samesite.capitalize()}")
        if self.secure:
            parts.append("Secure")
        if self.partitioned:
            parts.append("Partitioned")
        if self.httponly:
            parts.append("HttpOnly")
        return "; ".join(parts)


MATRIX_COOKIES: tuple[LabCookie, ...] = (
    LabCookie("none_secure", "none"),
    LabCookie("none_insecure", "none", secure=False),
    LabCookie("lax", "lax"),
    LabCookie("strict", "strict"),
    LabCookie("unset", "unset"),
    LabCookie("lax_insecure", "lax", secure=False),
    LabCookie("partitioned", "none", partitioned=True),
    LabCookie("http_only", "none", httponly=True),  # not "httponly": a reserved word to SimpleCookie
)
MATRIX_NAMES = frozenset(cookie.name for cookie in MATRIX_COOKIES)


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "0") == "1"


def received(request: Request) -> list[str]:
    return sorted(request.cookies)


def create_cookie_lab(origins: Origins) -> OriginRuleCors:
    lab = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @lab.get("/set-all")
    def set_all() -> Response:
        response = HTMLResponse("<!doctype html><title>cookie lab</title><p id=done>Matrix cookies set.</p>")
        for cookie in MATRIX_COOKIES:
            response.headers.append("Set-Cookie", cookie.header())
        return response

    @lab.get("/set")
    def set_one(request: Request, name: str = "", samesite: str = "none", max_age: str = "") -> Response:
        if (
            not (name.isascii() and name.isidentifier())
            or samesite not in SAMESITE_VALUES
            or not (max_age == "" or (max_age.isascii() and max_age.isdigit() and len(max_age) < 9))
        ):
            return PlainTextResponse(
                f"Bad cookie-lab request: name must be an ASCII word, samesite one of {', '.join(SAMESITE_VALUES)} "
                "and max_age, if given, a number of seconds",
                status_code=400,
            )
        cookie = LabCookie(
            name,
            samesite,
            _flag(request, "secure"),
            _flag(request, "partitioned"),
            _flag(request, "httponly"),
            int(max_age) if max_age else None,
        )
        response = PlainTextResponse(f"set {cookie.header()}")
        response.headers.append("Set-Cookie", cookie.header())
        return response

    @lab.api_route("/echo", methods=["GET", "POST"])
    def echo(request: Request) -> Response:
        return PlainTextResponse(" ".join(received(request)) or "(no cookie)")

    @lab.get("/storage-access", response_class=HTMLResponse)
    def storage_access() -> str:
        # good's page for embedding in thirdparty: a person clicks, the page asks the browser for
        # its unpartitioned cookies (Storage Access API), then asks good what arrived.
        return """<!doctype html><title>good: storage access</title>
<button id="ask">Use my good session here</button><pre id="result"></pre>
<script>
document.getElementById("ask").addEventListener("click", async () => {
  const before = await document.hasStorageAccess();
  let granted;
  try { await document.requestStorageAccess(); granted = "granted"; }
  catch (error) { granted = "denied: " + error.name; }
  const echo = await (await fetch("echo" + location.search, { credentials: "include" })).text();
  const output = document.getElementById("result");
  output.textContent = JSON.stringify({ before, granted, echo });
  output.dataset.done = "1";
});
</script>"""

    @lab.get("/blank", response_class=HTMLResponse)
    def blank() -> str:
        return "<!doctype html><title>good: blank</title><p>good</p>"

    return OriginRuleCors(
        lab, allowlist(origins.thirdparty, origins.evil, origins.sibling), credentials=True, vary_origin=True
    )
