"""The attacker origins of an audit, derived from the origins the app means to trust.

Each class is one way an origin check goes wrong (the catalogue of servers/attacks.py, as CORS
scanners and PortSwigger's labs name them); for each trusted origin it gives the one origin an
attacker could really own that beats that check, and no check that is correct. Names a real
attacker could not register (a subdomain of the victim's own domain) say so in their `needs`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

# A reserved top-level domain (RFC 2606): never a real site, so no audit can reach one.
ATTACKER_DOMAIN = "corsproof-evil.test"
NULL = "null"


class NotAnOrigin(ValueError):
    """A --trusted or --as value that is not scheme://host[:port]; the message says why."""


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int | None  # None: the scheme's default port

    @classmethod
    def parse(cls, text: str) -> Origin:
        """scheme://host[:port] with http or https, nothing after it."""
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError as error:
            raise NotAnOrigin(f"{text!r} is not an origin: {error}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NotAnOrigin(f"{text!r} is not an origin: write scheme://host[:port] with http or https")
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
            raise NotAnOrigin(f"{text!r} is not an origin: an origin has no path, query, fragment or user")
        default = {"http": 80, "https": 443}[parts.scheme]
        return cls(parts.scheme, parts.hostname, None if port in (None, default) else port)

    @property
    def effective_port(self) -> int:
        return self.port if self.port is not None else {"http": 80, "https": 443}[self.scheme]

    def with_(self, scheme: str | None = None, host: str | None = None, port: int | None = -1) -> Origin:
        return Origin(scheme or self.scheme, host or self.host, self.port if port == -1 else port)

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}" + (f":{self.port}" if self.port is not None else "")


@dataclass(frozen=True)
class Attacker:
    """One attacker origin: the class of flawed check it beats, and the trusted origin it mimics."""

    kind: str
    origin: str  # what the browser sends as Origin: "null" for a sandboxed document
    page: str  # the origin whose page runs the attack (for null: the page holding the sandbox)
    mimics: str  # the trusted origin (or the app's own) it was derived from
    beats: str  # the flawed check, in one line
    needs: str = ""  # what a real attacker would need besides a domain of their own


_PSL = PublicSuffixList()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def site_of(host: str) -> str:
    """The registrable domain (eTLD+1) as browsers compute it; an unlisted TLD counts as public."""
    return _PSL.privatesuffix(host) or host


def _derive(trusted: Origin, own_site: bool) -> list[Attacker]:
    """The attackers that mimic one origin; own_site: it is the app's own origin, whose site the
    app may trust wholesale (its subdomains), not an origin it lists."""
    scheme, host, mimics = trusted.scheme, trusted.host, str(trusted)
    made: list[Attacker] = []

    def add(kind: str, origin: Origin, beats: str, needs: str = "") -> None:
        made.append(Attacker(kind, str(origin), str(origin), mimics, beats, needs))

    other_port = trusted.with_(port=8443 if trusted.effective_port != 8443 else 9443)
    port_class = ("another-port", other_port, "only the host is compared, not the port", "another service on the host")
    if _is_ip(host):  # an address has no names to play with
        if not own_site:
            add(*port_class)
        return made
    site = site_of(host)
    first, _, rest = site.partition(".")
    add("suffix", Origin(scheme, f"evil{site}", None), f"host.endswith({site!r}) with no dot before it")
    add(
        "any-subdomain",
        Origin(scheme, f"corsproof-evil.{site}", None),
        f"host.endswith('.{site}')",
        needs=f"a subdomain of {site} (a takeover, or script on one)",
    )
    if own_site:
        return made
    if trusted.port is None:
        add("prefix", Origin(scheme, f"{host}.{ATTACKER_DOMAIN}", None), f"origin.startswith({mimics!r})")
        add(
            "unanchored-pattern",
            Origin(scheme, f"{host}-{ATTACKER_DOMAIN}", None),
            f"re.match(r'{mimics.replace('.', chr(92) + '.')}', origin) with no end anchor",
        )
        add(
            "special-characters",
            Origin(scheme, f"{host}_.{ATTACKER_DOMAIN}", None),
            f"host starts with {host!r} and the next character is not a dot",
        )
    add("substring", Origin(scheme, f"evil-{host}.{ATTACKER_DOMAIN}", None), f"{host!r} in origin")
    if len(first) > 1:
        add(
            "reverse-substring", Origin(scheme, f"{first[1:]}.{rest}", None), f"host in {host!r} (a string, not a list)"
        )
    if host.count(".") >= 2:
        add(
            "unescaped-dot",
            Origin(scheme, host.replace(".", "x", 1), None),
            f"a pattern for {host!r} whose dots are not escaped",
        )
    if scheme == "https":
        add(
            "scheme-downgrade",
            trusted.with_(scheme="http"),
            "host (and port) compared, not the scheme",
            needs="a network attacker, who can rewrite plain http pages",
        )
    add(*port_class)
    return made


def derive(target: str, trusted: list[str]) -> list[Attacker]:
    """Every attacker origin for an app at target that means to trust the trusted origins: an
    unrelated site, null, and each class for each trusted origin and for the app's own site;
    none that is trusted, the app itself, or a repeat."""
    app = Origin.parse(target)
    listed = [Origin.parse(origin) for origin in trusted]
    unrelated = Origin(app.scheme, ATTACKER_DOMAIN, None)
    found = [
        Attacker("unrelated", str(unrelated), str(unrelated), "", "any origin is trusted (the Origin is reflected)"),
        Attacker(
            "null",
            NULL,
            str(unrelated),
            "",
            "the origin `null` is trusted",
            needs="nothing: any page can run script in a sandboxed iframe",
        ),
    ]
    for origin in listed:
        found += _derive(origin, own_site=False)
    found += _derive(app, own_site=True)
    excluded = {str(origin) for origin in listed} | {str(app)}
    unique: dict[str, Attacker] = {}
    for attacker in found:
        if attacker.origin not in excluded and attacker.origin not in unique:
            unique[attacker.origin] = attacker
    return list(unique.values())
