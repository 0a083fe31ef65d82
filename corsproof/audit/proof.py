"""Proof before any verdict: in each browser and cookie profile, before any attacker page, the
audit shows that it can see what it is looking for.

From the audit's own page on the app's origin (first-party, as the app's front-end), it reads
each path twice: with the victim's cookies and without. The read with them must be answered 2xx
and carry them (the login worked, and the cookie reaches the path); the read without them must be
answered differently (status or body), or the path is public: anyone may read it, so reading it
is never a leak. The credential is the cookie (or cookies) without which the app answers
differently, measured by dropping each in turn, or the one --session-cookie names.

A security tool's worst answer is a false "no leak": whatever fails here ends the audit with an
AuditError that names the cause, before any verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page

from corsproof.audit.attackers import Origin
from corsproof.audit.login import AuditError, LoggedIn
from corsproof.audit.page import OWN_PAGE
from corsproof.audit.target import proxy_failure
from corsproof.pages import FetchResult
from corsproof.serving.recorder import Exchange, Recorder

# A browser gives up after 20 redirects; five answers that send the same request elsewhere again
# are already a loop, and the message matters more than the count.
REDIRECT_LOOP = 5


@dataclass(frozen=True)
class Credential:
    """The cookies that log the victim in: every one needed (each was needed when measured), or any
    one of them (none was needed alone: the app accepts several)."""

    names: frozenset[str]
    every: bool = True

    def carried_by(self, cookies: frozenset[str]) -> bool:
        return self.names <= cookies if self.every else bool(self.names & cookies)

    def __str__(self) -> str:
        return (" and " if self.every else " or ").join(sorted(self.names))


@dataclass(frozen=True)
class Proof:
    credential: Credential
    private: frozenset[str]  # paths answered differently without the credential
    notes: tuple[str, ...] = ()


# What the app answers (status, body) to GET path with exactly these cookies (front.Front.ask).
Asker = Callable[[str, Mapping[str, str]], tuple[int, bytes]]


def _read(
    page: Page, recorder: Recorder, urls: Sequence[tuple[str, dict[str, Any]]]
) -> list[tuple[FetchResult, list[Exchange]]]:
    """fetch() each (url, init) at once from the page; what the page saw and what reached the app."""
    results = [FetchResult(**r) for r in page.evaluate("(f) => window.audit.probeAll(f)", list(urls))]
    return [(result, recorder.for_probe(_probe_of(url))) for result, (url, _) in zip(results, urls, strict=True)]


def _probe_of(url: str) -> str:
    return url.rsplit("probe=", 1)[1]


def _cause(what: str, result: FetchResult, exchanges: list[Exchange], host: str, credentialed: bool) -> str | None:
    """Why a read from the app's own page shows nothing the audit can judge by, or None. Without
    the credential, any answer the app gives is one (a 400 or 500 there is the app's way to refuse)."""
    if not exchanges:
        return f"{what} never reached the app ({result.error or 'no answer'})"
    last = exchanges[-1]
    failure = proxy_failure(last.response_headers)
    if failure is not None:
        return f"nothing answers the audit's proxy: {failure}; start the app, or give its loopback URL"
    if sum(300 <= e.status < 400 for e in exchanges) >= REDIRECT_LOOP or (
        result.outcome == "blocked" and 300 <= last.status < 400
    ):
        where = last.response_header("location") or "?"
        return (
            f"{what} redirects in a loop (to {where}): an app that redirects to https behind a TLS-terminating "
            "proxy must trust X-Forwarded-Proto, which the audit sends (Django: SECURE_PROXY_SSL_HEADER = "
            "('HTTP_X_FORWARDED_PROTO', 'https'); Werkzeug: ProxyFix; uvicorn: --proxy-headers)"
        )
    if result.outcome != "read":
        return f"{what} failed in the browser: {result.error}"
    if not credentialed:
        return None
    if last.status >= 500:
        return f"the app answered {last.status} to {what}: see the app's log"
    if last.status == 400:
        return (
            f"the app answered 400 to {what}: if it checks the Host header, let it accept {host} "
            "(Django: ALLOWED_HOSTS; Flask: TRUSTED_HOSTS; Starlette: TrustedHostMiddleware)"
        )
    return None


def _cookie_where(cookie: dict[str, Any]) -> str:
    return f"{cookie['name']} (Domain={cookie['domain']}; Path={cookie['path']})"


def _same(a: FetchResult, b: FetchResult) -> bool:
    return (a.status, a.body) == (b.status, b.body)


def prove(
    page: Page,
    app: Origin,
    recorder: Recorder,
    held: LoggedIn,
    paths: Sequence[str],
    url_of: Callable[[str], str],
    ask: Asker,
    session_cookie: str | None = None,
) -> Proof:
    """The proof for one browser and cookie profile, made in the lane's page (taken to the audit's
    own page on the app); AuditError naming the cause where it fails. url_of(path): the path's URL
    with a probe tag of its own; ask: the app asked directly."""
    if session_cookie is not None and session_cookie not in held.names:
        raise AuditError(
            f"--session-cookie {session_cookie}: after the login the browser holds no such cookie for {app} "
            f"(it holds {', '.join(sorted(held.names))})"
        )
    reads = [(url_of(path), {"credentials": creds}) for path in paths for creds in ("include", "omit")]
    page.goto(str(app) + OWN_PAGE, wait_until="domcontentloaded")
    seen = _read(page, recorder, reads)
    private: dict[str, frozenset[str]] = {}  # each private path, and the cookies that reached it
    notes = []
    for index, path in enumerate(paths):
        (with_, with_exchanges), (without, without_exchanges) = seen[2 * index], seen[2 * index + 1]
        for what, result, exchanges, credentialed in (
            (f"GET {path} with the victim's cookies", with_, with_exchanges, True),
            (f"GET {path} without cookies", without, without_exchanges, False),
        ):
            cause = _cause(f"{what} from the app's own page", result, exchanges, app.host, credentialed)
            if cause is not None:
                raise AuditError(cause)
        carried = frozenset(with_exchanges[-1].cookies) & held.names
        assert with_.status is not None
        if 200 <= with_.status < 300 and _same(with_, without):
            notes.append(f"{path} answers the same without the victim's cookies: it is public, so no read is a leak")
            continue
        if not carried:
            raise AuditError(
                f"the victim's cookies do not reach {path}: the browser holds "
                f"{', '.join(_cookie_where(c) for c in held.cookies)} and sent none of them (check Domain and Path)"
            )
        if session_cookie is not None and session_cookie not in carried:
            raise AuditError(f"--session-cookie {session_cookie} does not reach {path} (check its Domain and Path)")
        if not 200 <= with_.status < 300:
            raise AuditError(
                f"the app answered {with_.status} to GET {path} with the victim's cookies "
                f"({', '.join(sorted(carried))}): the login did not log the victim in, or the path is not "
                "readable as the victim"
            )
        private[path] = carried
    if not private:
        # Nothing shows the login worked (a failed one answers alike with and without cookies), so
        # "no leak" could mean nothing at all.
        raise AuditError(
            f"no path answers differently without the victim's cookies ({', '.join(paths)}): the login may not "
            "have logged the victim in, or every path is public; give a --path only the logged-in victim can read"
        )
    if session_cookie is not None:
        return Proof(Credential(frozenset({session_cookie})), frozenset(private), tuple(notes))
    path, carried = next(iter(private.items()))
    # Asked of the app directly, each cookie left out in turn: the browser's jar stays as the login
    # left it (a cookie put back is not the cookie the app set).
    values = {c["name"]: c["value"] for c in held.cookies if c["name"] in carried}
    every = ask(path, values)
    needed = frozenset(name for name in values if ask(path, {n: v for n, v in values.items() if n != name}) != every)
    if not needed:
        notes.append(
            f"no one cookie is needed alone for {path}: any of {', '.join(sorted(carried))} logs the victim in"
        )
        return Proof(Credential(carried, every=False), frozenset(private), tuple(notes))
    return Proof(Credential(needed), frozenset(private), tuple(notes))
