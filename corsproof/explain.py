"""Why the browser refused, in plain words, for the pages a person clicks through.

Each client site (thirdparty, evil, app.good) gets `/corsproof/record?of=<probe>`: what good
received for that probe and what it answered, and the reason corsproof's CORS check derives from
it (corsproof/cors_check.py). The page's client code asks it after every button, so a person sees
what a test sees: was there a preflight, did the request itself arrive, which cookies it carried,
what good answered, and why the browser refused.

The record cannot see the browser's cookie jar, only what reached good. So when a request with
credentials reached good without good's session cookie, the page says what that does and does not
show: if the person logged in on good, their browser withheld the cookie as a third-party cookie.
When good's record shows a log-in from a browser with the same User-Agent (and no log-out since),
the note says so, with the SameSite the cookie was set with.
"""

from __future__ import annotations

from fastapi import FastAPI

from corsproof import cors_check
from corsproof.model import Observation
from corsproof.report import evidence
from corsproof.serving.recorder import Exchange, Recorder

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


# Where a third-party cookie goes in each engine (Chromium's reason: its DevTools protocol's
# UserPreferences, as e2e/test_article.py asserts).
THIRD_PARTY_COOKIES = (
    "Chromium blocks third-party cookies in incognito windows, in the browsers Playwright starts and "
    'under "Block third-party cookies" (its DevTools, Network, the request\'s Cookies tab, then show '
    "the cookie as blocked due to user preferences); Firefox partitions them by default (Total Cookie "
    "Protection): the cookie good set on its own site is not one a page on another site can send"
)
_NO_COOKIE = "good received no cookie although the request was credentialed (credentials: include)"


def _samesite_at_login(exchanges: list[Exchange], user_agent: str, session_cookie: str) -> str | None:
    """The SameSite attribute ("none", "lax", "strict" or "unset") of the session cookie good set at
    the last log-in from a browser with this User-Agent; None if the record shows no such log-in
    still standing (none, or a log-out after it)."""
    samesite: str | None = None
    for exchange in exchanges:
        if exchange.site != "good" or exchange.method != "POST" or exchange.header("user-agent") != user_agent:
            continue
        set_cookie = (exchange.response_header("set-cookie") or "").lower()
        if exchange.path == "/login" and set_cookie.startswith(f"{session_cookie.lower()}="):
            attribute = set_cookie.partition("samesite=")[2].split(";")[0].strip()
            samesite = attribute or "unset"
        elif exchange.path == "/logout":
            samesite = None
    return samesite


def cookie_note(
    exchanges: list[Exchange], credentials: bool, everything: list[Exchange], session_cookie: str = "session"
) -> str | None:
    """Why good's session cookie did not reach good on a request with credentials, as far as good's
    record can tell (it cannot see the browser's cookie jar); None when the request had no
    credentials, did not reach good, or carried the cookie. everything: good's whole record."""
    requests = [e for e in exchanges if not e.is_preflight]
    if not credentials or not requests or any(session_cookie in e.cookies for e in requests):
        return None
    request = requests[-1]
    cookie = f'good\'s "{session_cookie}" cookie'
    if request.header("sec-fetch-site") in ("same-site", "same-origin"):
        return (
            f"{_NO_COOKIE}: this page is same-site with good, where no third-party cookie rule applies, "
            f"so this browser has no {cookie}: log in on good first."
        )
    user_agent = request.header("user-agent")
    samesite = _samesite_at_login(everything, user_agent, session_cookie) if user_agent else None
    if samesite is None:
        return (
            f"{_NO_COOKIE}: if you logged in on good, your browser withheld {cookie} as a third-party "
            f"cookie, this page being on another site ({THIRD_PARTY_COOKIES})."
        )
    logged_in = f"good's record shows a log-in on good from a browser with this request's User-Agent, whose {cookie}"
    if samesite in ("lax", "strict"):
        return (
            f"{_NO_COOKIE}: {logged_in} is SameSite={samesite.capitalize()}, which a request from another "
            "site never carries (blocking third-party cookies would withhold it too)."
        )
    if samesite == "unset":
        return (
            f"{_NO_COOKIE}: {logged_in} has no SameSite attribute: Chromium reads that as SameSite=Lax, "
            f"which a request from another site never carries, and as a third-party cookie it is withheld "
            f"anyway ({THIRD_PARTY_COOKIES})."
        )
    return (
        f"{_NO_COOKIE}: {logged_in} is SameSite=None, so your browser withheld it as a third-party cookie, "
        f"this page being on another site ({THIRD_PARTY_COOKIES})."
    )


def create_record_app(recorder: Recorder, session_cookie: str = "session") -> FastAPI:
    """The /record endpoint; session_cookie: the name of good's log-in cookie."""
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
            "cookie_note": cookie_note(exchanges, credentials, recorder.all(), session_cookie),
        }

    return app
