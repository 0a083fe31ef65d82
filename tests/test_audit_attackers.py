"""corsproof audit's attacker origins for what the app trusts: one-word subdomains, and trusted
patterns (scheme://*.domain) whose members are controls unless anyone can have one."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corsproof.audit import attackers
from corsproof.audit.attackers import NotAnOrigin, Origin, controls, derive, is_trusted

APP = "https://api.shop.example"


def kinds(trusted: list[str]) -> dict[str, str]:
    return {a.origin: a.kind for a in derive(APP, trusted)}


def test_a_hyphen_free_subdomain_is_derived_for_word_patterns() -> None:
    """^https://\\w+\\.shop\\.example$ refuses corsproof-evil but takes any one-word subdomain."""
    assert kinds(["https://www.shop.example"])["https://corsproofevil.shop.example"] == "word-subdomain"


def test_a_patterns_subdomains_are_controls_not_attackers() -> None:
    """The team trusts every subdomain of shop.example: leaking to one is no finding."""
    found = kinds(["https://*.shop.example"])
    assert not [o for o in found if o.startswith("https://") and o.endswith(".shop.example")], found
    assert [c.origin for c in controls(APP, ["https://*.shop.example"])] == ["https://corsprooftrusted.shop.example"]


def test_a_pattern_keeps_the_look_alikes_it_does_not_match() -> None:
    """Only the subdomains are trusted: the suffix look-alike and the downgrade still attack."""
    found = kinds(["https://*.shop.example"])
    assert found["https://evilshop.example"] == "suffix"
    assert found["http://corsprooftrusted.shop.example"] == "scheme-downgrade"


@pytest.mark.parametrize("domain", ["github.io", "vercel.app"])
def test_a_pattern_on_shared_hosting_keeps_its_subdomain_attacker(domain: str) -> None:
    """Anyone can have a site under a shared-hosting suffix: the pattern trusts strangers."""
    pattern = f"https://*.{domain}"
    assert kinds([pattern])[f"https://corsproof-evil.{domain}"] == "shared-hosting-subdomain"
    assert [c.origin for c in controls(APP, [pattern])] == [f"https://corsprooftrusted.{domain}"]


def test_a_plain_origin_is_its_own_control() -> None:
    """What the app means to allow is checked on the trusted origin itself."""
    (control,) = controls(APP, ["https://www.shop.example"])
    assert (control.kind, control.origin, control.page, control.mimics) == (
        "trusted",
        *["https://www.shop.example"] * 3,
    )


def test_is_trusted_takes_listed_origins_and_pattern_members_only() -> None:
    """run.py asks it which origins the app means to allow."""
    trusted = ["https://www.shop.example", "https://*.cdn.example:8443"]
    assert is_trusted("https://www.shop.example", trusted)
    assert is_trusted("https://a.cdn.example:8443", trusted)
    assert not is_trusted("https://a.cdn.example", trusted)  # the pattern's port, not the default
    assert not is_trusted("https://cdn.example:8443", trusted)  # subdomains only, not the domain
    assert not is_trusted("null", trusted)


@pytest.mark.parametrize(
    "text",
    [
        "https://*",
        "https://a*.shop.example",
        "https://*.*.example",
        "*.shop.example",
        "https://*.com",
        "https://*.co.uk",
        "https://*.127.0.0.1",
        "https://*.shop.example/path",
    ],
)
def test_a_malformed_pattern_is_refused_as_not_an_origin(text: str) -> None:
    """Only scheme://*.domain[:port] is a pattern; the message quotes what was written."""
    with pytest.raises(NotAnOrigin, match="^" + re.escape(f"{text!r} is not an origin: ")):
        derive(APP, [text])


def test_a_pattern_over_a_top_level_domain_says_it_cannot_be_meant() -> None:
    """Trusting every site under com is never a team's intent, not a shared-hosting case."""
    with pytest.raises(NotAnOrigin, match="cannot be meant"):
        controls(APP, ["https://*.com"])


def test_a_pattern_is_not_an_origin_where_one_origin_is_needed() -> None:
    """The app's own origin (--as) names one host."""
    with pytest.raises(NotAnOrigin, match="is not an origin"):
        Origin.parse("https://*.shop.example")


URLISH = st.text(alphabet="htps:/*.[]@%-_0123456789abcexmoi \t", max_size=40)


@given(st.one_of(st.text(max_size=40), URLISH, URLISH.map(lambda rest: "https://" + rest)))
def test_any_text_is_an_origin_or_not_an_origin(text: str) -> None:
    """Whatever a user types, the audit refuses it in one line, never with a traceback."""
    for call in (
        lambda: Origin.parse(text),
        lambda: derive(text, []),
        lambda: derive(APP, [text]),
        lambda: controls(APP, [text]),
        lambda: is_trusted(APP, [text]),
    ):
        try:
            call()
        except NotAnOrigin:
            pass


@pytest.mark.parametrize(
    ("origin", "local"),
    [
        ("http://localhost:3000", True),
        ("http://app.localhost:5173", True),
        ("http://127.0.0.1:8000", True),
        ("http://[::1]:3000", True),
        ("http://192.168.1.1", True),
        ("http://10.0.0.7:8080", True),
        ("http://127.1:3000", True),  # a browser reads it as 127.0.0.1
        ("http://0xa.0.0.7", True),  # and this as 10.0.0.7
        ("https://api.shop.example", False),
        ("http://8.8.8.8", False),
    ],
)
def test_an_app_on_this_machine_or_network_is_also_attacked_by_a_public_website(origin: str, local: bool) -> None:
    """Local Network Access gates a public page's requests to a local app: the audit of a local app
    adds a public website, without and with the permission; an app on the web has none."""
    assert attackers.is_local(origin) is local
    kinds = [a.kind for a in attackers.public_websites(origin)]
    assert kinds == (["public-website", "public-website-granted"] if local else [])
