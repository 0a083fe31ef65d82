"""Why the browser refused, in plain words, for the pages a person clicks through.

Each client site (thirdparty, evil, app.good) gets `/corsproof/record?of=<probe>`: what good
received for that probe and what it answered, and the reason corsproof's CORS check derives from
it (corsproof/cors_check.py). The page's client code asks it after every button, so a person sees
what a test sees: was there a preflight, did the request itself arrive, which cookies it carried,
what good answered, and why the browser refused.
"""

from __future__ import annotations

from fastapi import FastAPI

from corsproof import cors_check
from corsproof.model import Observation
from corsproof.report import evidence
from corsproof.serving.recorder import Recorder

# Chromium's Network.CorsError names, which cors_check derives, said for a person.
PLAIN_WORDS = {
    "MissingAllowOriginHeader": (
        "good's answer has no Access-Control-Allow-Origin header, so the browser hides it from the page"
    ),
    "AllowOriginMismatch": "good's Access-Control-Allow-Origin names another origin than this page's",
    "WildcardOriginNotAllowed": (
        "good answered Access-Control-Allow-Origin: * to a request with credentials; `*` never passes then"
    ),
    "MultipleAllowOriginValues": ("good sent more than one Access-Control-Allow-Origin value; exactly one is allowed"),
    "InvalidAllowOriginValue": "good's Access-Control-Allow-Origin is not an origin",
    "InvalidAllowCredentials": (
        "the request had credentials, but good did not answer Access-Control-Allow-Credentials: true"
    ),
    "PreflightInvalidStatus": (
        "the preflight (OPTIONS) was not answered with a 2xx status, so the request itself was never sent"
    ),
    "PreflightDisallowedRedirect": "the preflight was answered with a redirect; a preflight never follows one",
    "MethodDisallowedByPreflightResponse": "the preflight's Access-Control-Allow-Methods does not list this method",
    "HeaderDisallowedByPreflightResponse": (
        "the preflight's Access-Control-Allow-Headers does not list a header this request sends"
    ),
    "InvalidAllowMethodsPreflightResponse": "the preflight's Access-Control-Allow-Methods cannot be parsed",
    "InvalidAllowHeadersPreflightResponse": "the preflight's Access-Control-Allow-Headers cannot be parsed",
    "RedirectContainsCredentials": "good redirected to a URL with a user name or password in it",
}


def plain_words(reason: str | None) -> str:
    if reason is None:
        return "nothing in good's answers fails the CORS check"
    return PLAIN_WORDS.get(reason, reason)


def create_record_app(recorder: Recorder) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/record")
    def record(of: str, credentials: bool = False) -> dict[str, object]:
        exchanges = [e for e in recorder.for_probe(of) if e.site == "good"]
        reason = cors_check.derive(exchanges, credentials) if exchanges else None
        seen = Observation("", exchanges=tuple(exchanges))
        return {
            "evidence": evidence(seen),
            "reason": reason,
            "explanation": plain_words(reason) if exchanges else "nothing reached good",
        }

    return app
