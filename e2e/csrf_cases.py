"""Cross-site request forgery as data: evil's forged POSTs per SameSite value of the victim's
session cookie, and against good's two defences.

evil makes simple cross-site POSTs to good's /transfer — its form (a top-level navigation) and
fetch() with text/plain, form-urlencoded and no-cors — which need no preflight, so they reach good
although evil reads nothing. Whether good moves the money depends on the session cookie going
along; the oracle is good's ledger.
"""

from __future__ import annotations

from typing import Any, get_args

from corsproof.model import ANY, SESSION, WEBKIT_DEFAULT_SENDS, Expect, Expectations
from corsproof.pages import Outcome
from corsproof.profiles import CookieProfile
from corsproof.report import tables
from corsproof.report.areas import Area
from corsproof.suite.scenarios import Forgery, Vector
from servers.good import SameSite

VECTORS: tuple[Vector, ...] = get_args(Vector)
SAMESITES: tuple[SameSite, ...] = ("none", "lax", "strict")
DEFENCES = ("csrf-origin-check", "csrf-token")


def what_evil_sees(vector: Vector) -> Outcome | None:
    """evil never reads good's answer: CORS blocks it, no-cors makes it opaque, a form navigates."""
    return None if vector == "form" else "opaque" if vector == "fetch-no-cors" else "blocked"


def carried_out(vector: Vector, samesite: SameSite, profile: CookieProfile, browser: str = ANY) -> tuple[bool, str]:
    """Does good receive the session cookie with the forged request, and why."""
    if samesite != "none":
        return False, (
            f"SameSite={samesite} withholds the cookie from every cross-site POST (Lax allows only top-level "
            "GETs; the cookie has an explicit SameSite, so Chromium's two-minute Lax-allowing-unsafe window "
            "for defaulted cookies does not apply)"
        )
    if vector == "form":
        return True, (
            "SameSite=None goes on a top-level form POST under every cookie profile: a navigation is not a "
            "third-party request, so neither blocking nor partitioning third-party cookies stops it"
        )
    if profile is CookieProfile.THIRD_PARTY_ALLOWED:
        return True, "SameSite=None goes on evil's fetch() once third-party cookies are allowed"
    if profile is CookieProfile.DEFAULT and browser == "webkit":
        return True, f"SameSite=None goes on evil's fetch(): {WEBKIT_DEFAULT_SENDS}"
    return False, "the browser withholds the third-party cookie from evil's fetch() (blocked or partitioned)"


def forgery_expect(vector: Vector, samesite: SameSite) -> Expectations:
    expect: dict[tuple[str, str], Expect] = {}
    for browser in (ANY, "webkit"):
        for profile in CookieProfile:
            done, why = carried_out(vector, samesite, profile, browser)
            expect[(browser, profile.value)] = Expect(
                why,
                what_evil_sees(vector),
                origins=("page",),
                cookies=SESSION if done else frozenset(),
                status=200 if done else 401,
                transfers=1 if done else 0,
            )
    return expect


def defence_expect(defence: str, vector: Vector) -> Expectations:
    why = (
        f"{defence} refuses the forged request with 403 and carries out nothing, although the victim's "
        "SameSite=None cookie lets every forgery through where third-party cookies travel"
    )
    text = "Refused as cross-site request forgery" if vector == "form" else None
    # Whether the cookie went depends on the profile, as above: the defence must not rely on it.
    return {(ANY, ANY): Expect(why, what_evil_sees(vector), cookies=None, status=403, transfers=0, text=text)}


FORGERIES: tuple[Forgery, ...] = tuple(
    Forgery(f"samesite-{samesite}-{vector}", vector, forgery_expect(vector, samesite), samesite=samesite)
    for samesite in SAMESITES
    for vector in VECTORS
)


def sibling_defence_expect(defence: str, vector: Vector) -> Expectations:
    why = (
        f"app.good is same-site with good, so the victim's cookie goes along under every profile; {defence} "
        "still refuses with 403: a sibling is another origin (Sec-Fetch-Site: same-site), and it has no token"
    )
    return {(ANY, ANY): Expect(why, what_evil_sees(vector), cookies=SESSION, status=403, transfers=0)}


DEFENDED: tuple[Forgery, ...] = tuple(
    Forgery(f"{defence}-{vector}", vector, defence_expect(defence, vector), policy=defence)
    for defence in DEFENCES
    for vector in VECTORS
) + tuple(
    # The same defences against good's same-site sibling: a check that lets same-site requests
    # through (Sec-Fetch-Site: same-site) would carry these out.
    Forgery(
        f"{defence}-from-sibling-{vector}",
        vector,
        sibling_defence_expect(defence, vector),
        policy=defence,
        page="sibling",
    )
    for defence in DEFENCES
    for vector in VECTORS
    if vector != "form"
)


def forgery(id: str) -> Forgery:
    """One of the forgeries by its id (the article's CSRF claims are these very scenarios)."""
    return next(f for f in FORGERIES + DEFENDED if f.id == id)


VECTOR_NAMES: dict[Vector, str] = {
    "form": "HTML form POST (top-level navigation)",
    "fetch-text-plain": "`fetch`, `text/plain`",
    "fetch-form-urlencoded": "`fetch`, `application/x-www-form-urlencoded`",
    "fetch-no-cors": '`fetch`, `mode: "no-cors"`',
}


def csrf_table(data: dict[str, Any]) -> str:
    """Where each forgery moved the money, per vector and SameSite value (docs/attacks.md)."""
    cells = tables.area_cells(data, AREA.name)
    rows = []
    for vector, name in VECTOR_NAMES.items():
        row = [name]
        for samesite in SAMESITES:
            scenario = f"samesite-{samesite}-{vector}"
            ran = tables.lanes_where(cells, AREA.name, scenario, lambda c: True)
            done = tables.lanes_where(cells, AREA.name, scenario, lambda c: c["behaviour"]["transfers"] > 0)
            row.append(tables.verdict(done, ran, "carried out") if ran else "—")
        rows.append(row)
    return tables.table(["vector", *(f"SameSite={s.capitalize()}" for s in SAMESITES)], rows)


AREA = Area("csrf", rank=4, tables={"csrf": csrf_table})
