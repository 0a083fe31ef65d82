"""The attacker origins of an audit, derived from the origins the app means to trust.

Each class is one way an origin check goes wrong (the catalogue of servers/attacks.py, as CORS
scanners and PortSwigger's labs name them); for each trusted origin it gives the one origin an
attacker could really own that beats that check, and no check that is correct. Names a real
attacker could not register (a subdomain of the victim's own domain) say so in their `needs`.

A trusted entry may also be a pattern, scheme://*.domain[:port]: every subdomain of domain is
trusted, so those subdomains are controls, not attackers, unless domain is a shared-hosting suffix
(github.io) where every subdomain belongs to a stranger.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

# A reserved top-level domain (RFC 2606): never a real site, so no audit can reach one.
ATTACKER_DOMAIN = "corsproof-evil.test"
NULL = "null"
# The one member of a trusted pattern the audit visits as its control; no hyphen, so a check
# written as \w+ accepts it as it accepts the app's real subdomains.
PATTERN_MEMBER = "corsprooftrusted"
PATTERN_FORMS = "a * is allowed only as scheme://*.domain[:port], for every subdomain of domain"


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
        if "*" in text:  # a pattern stands for many origins; only parse_trusted takes one
            raise NotAnOrigin(f"{text!r} is not an origin: an origin names one host, with no *")
        return cls._parse(text, text)

    @classmethod
    def _parse(cls, text: str, said: str) -> Origin:
        """text as an origin; said: what the user wrote, which every refusal quotes."""
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError as error:
            raise NotAnOrigin(f"{said!r} is not an origin: {error}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NotAnOrigin(f"{said!r} is not an origin: write scheme://host[:port] with http or https")
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
            raise NotAnOrigin(f"{said!r} is not an origin: an origin has no path, query, fragment or user")
        host = parts.hostname
        # No browser sends such a host, and the names derived from it would be nonsense too.
        if any(c.isspace() or not c.isprintable() for c in host) or "" in host.split("."):
            raise NotAnOrigin(f"{said!r} is not an origin: {host!r} is not a host name")
        default = {"http": 80, "https": 443}[parts.scheme]
        return cls(parts.scheme, host, None if port in (None, default) else port)

    @property
    def effective_port(self) -> int:
        return self.port if self.port is not None else {"http": 80, "https": 443}[self.scheme]

    def with_(self, scheme: str | None = None, host: str | None = None, port: int | None = -1) -> Origin:
        return Origin(scheme or self.scheme, host or self.host, self.port if port == -1 else port)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 address, as written in URLs
        return f"{self.scheme}://{host}" + (f":{self.port}" if self.port is not None else "")


@dataclass(frozen=True)
class Pattern:
    """A trusted scheme://*.domain[:port]: every subdomain of domain (not domain itself), on that
    scheme and port."""

    scheme: str
    domain: str
    port: int | None  # None: the scheme's default port

    def matches(self, origin: Origin) -> bool:
        return origin.scheme == self.scheme and origin.port == self.port and origin.host.endswith(f".{self.domain}")

    @property
    def member(self) -> Origin:
        """The one subdomain the audit visits as the pattern's control."""
        return Origin(self.scheme, f"{PATTERN_MEMBER}.{self.domain}", self.port)

    @property
    def shared(self) -> bool:
        """domain is a shared-hosting suffix (the list's private section): anyone can have a subdomain."""
        return _PSL.is_public(self.domain)

    def __str__(self) -> str:
        return f"{self.scheme}://*.{self.domain}" + (f":{self.port}" if self.port is not None else "")


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
# The list without its private section: the suffixes (com, co.uk) no one means to trust wholesale.
_ICANN = PublicSuffixList(only_icann=True)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def site_of(host: str) -> str:
    """The registrable domain (eTLD+1) as browsers compute it; an unlisted TLD counts as public."""
    return _PSL.privatesuffix(host) or host


def parse_trusted(text: str) -> Origin | Pattern:
    """A --trusted value: an origin, or a pattern scheme://*.domain[:port]."""
    if "*" not in text:
        return Origin.parse(text)
    scheme, sep, rest = text.partition("://")
    if not sep or not rest.startswith("*.") or "*" in rest[2:]:
        raise NotAnOrigin(f"{text!r} is not an origin: {PATTERN_FORMS}")
    domain = Origin._parse(f"{scheme}://{rest[2:]}", text)
    if _is_ip(domain.host):
        raise NotAnOrigin(f"{text!r} is not an origin: an address has no subdomains ({PATTERN_FORMS})")
    if _ICANN.is_public(domain.host):
        raise NotAnOrigin(
            f"{text!r} is not an origin: it trusts every site under the public suffix {domain.host}, "
            "which cannot be meant; list the origins instead"
        )
    return Pattern(domain.scheme, domain.host, domain.port)


def _trusted_by(origin: str, listed: list[Origin | Pattern]) -> bool:
    if origin == NULL:  # the trusted entries are origins or patterns, never null
        return False
    parsed = Origin.parse(origin)
    return any(parsed == entry if isinstance(entry, Origin) else entry.matches(parsed) for entry in listed)


def is_trusted(origin: str, trusted: list[str]) -> bool:
    """origin is one of the trusted origins, or a member of a trusted pattern; what is not an
    origin (null) is not trusted."""
    listed = [parse_trusted(entry) for entry in trusted]
    try:
        return _trusted_by(origin, listed)
    except NotAnOrigin:
        return False


def _control(entry: Origin | Pattern) -> Attacker:
    if isinstance(entry, Origin):
        return Attacker("trusted", str(entry), str(entry), str(entry), "an origin the app trusts (the control)")
    member = str(entry.member)
    beats = f"a subdomain of {entry.domain}, trusted by the pattern {entry} (the control)"
    return Attacker("trusted", member, member, str(entry), beats)


def controls(target: str, trusted: list[str]) -> list[Attacker]:
    """The trusted origins the audit visits for what the app means to allow: each listed origin,
    and one member of each pattern (even on a shared-hosting suffix: the team trusts it)."""
    Origin.parse(target)
    unique: dict[str, Attacker] = {}
    for entry in trusted:
        control = _control(parse_trusted(entry))
        unique.setdefault(control.origin, control)
    return list(unique.values())


def _shared_hosting(pattern: Pattern) -> Attacker:
    origin = str(Origin(pattern.scheme, f"corsproof-evil.{pattern.domain}", pattern.port))
    return Attacker(
        "shared-hosting-subdomain",
        origin,
        origin,
        str(pattern),
        f"the pattern {pattern}: every subdomain of {pattern.domain}, "
        "a shared-hosting suffix where anyone can have a site",
        needs=f"nothing but a free account on {pattern.domain}",
    )


def _derive(trusted: Origin, own_site: bool, mimics: str = "", site: str = "") -> list[Attacker]:
    """The attackers that mimic one origin; own_site: it is the app's own origin, whose site the
    app may trust wholesale (its subdomains), not an origin it lists. mimics: what to name as
    mimicked, when not the origin itself (the pattern a member stands for); site: the site its
    look-alikes play on, when not its own (a shared-hosting suffix)."""
    scheme, host, named = trusted.scheme, trusted.host, str(trusted)
    made: list[Attacker] = []

    def add(kind: str, origin: Origin, beats: str, needs: str = "") -> None:
        made.append(Attacker(kind, str(origin), str(origin), mimics or named, beats, needs))

    other_port = trusted.with_(port=8443 if trusted.effective_port != 8443 else 9443)
    port_class = ("another-port", other_port, "only the host is compared, not the port", "another service on the host")
    if _is_ip(host):  # an address has no names to play with
        if not own_site:
            add(*port_class)
        return made
    site = site or site_of(host)
    first, _, rest = site.partition(".")
    add("suffix", Origin(scheme, f"evil{site}", None), f"host.endswith({site!r}) with no dot before it")
    add(
        "any-subdomain",
        Origin(scheme, f"corsproof-evil.{site}", None),
        f"host.endswith('.{site}')",
        needs=f"a subdomain of {site} (a takeover, or script on one)",
    )
    # A check that refuses the hyphen above (\w+) still takes any one-word subdomain.
    add(
        "word-subdomain",
        Origin(scheme, f"corsproofevil.{site}", None),
        f"a pattern such as ^{scheme}://\\w+\\.{site.replace('.', chr(92) + '.')}$ (any one-word subdomain)",
        needs=f"a subdomain of {site} (a takeover, or script on one)",
    )
    if own_site:
        return made
    if trusted.port is None:
        add("prefix", Origin(scheme, f"{host}.{ATTACKER_DOMAIN}", None), f"origin.startswith({named!r})")
        add(
            "unanchored-pattern",
            Origin(scheme, f"{host}-{ATTACKER_DOMAIN}", None),
            f"re.match(r'{named.replace('.', chr(92) + '.')}', origin) with no end anchor",
        )
        add(
            "special-characters",
            Origin(scheme, f"{host}_.{ATTACKER_DOMAIN}", None),
            f"host starts with {host!r} and the next character is not a dot",
        )
    add("substring", Origin(scheme, f"evil-{host}.{ATTACKER_DOMAIN}", None), f"{host!r} in origin")
    if len(first) > 1 and rest:  # a one-label site (localhost) has no parent to keep
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
    unrelated site, null, and each class for each trusted origin (a pattern's through its member)
    and for the app's own site; none that is trusted (but a shared-hosting subdomain, which the
    team trusts by mistake), the app itself, or a repeat."""
    app = Origin.parse(target)
    listed = [parse_trusted(entry) for entry in trusted]
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
    for entry in listed:
        if isinstance(entry, Origin):
            found += _derive(entry, own_site=False)
            continue
        # A pattern's member stands for it in the name-based classes; those the pattern matches
        # are its own subdomains (trusted), dropped below, unless a stranger can have one.
        if not entry.shared:
            found += _derive(entry.member, own_site=False, mimics=str(entry))
            continue
        # On a shared suffix the member's own site is a stranger's: the look-alikes play on the
        # suffix, and its subdomains are the one shared-hosting attacker.
        found.append(_shared_hosting(entry))
        derived = _derive(entry.member, own_site=False, mimics=str(entry), site=entry.domain)
        found += [a for a in derived if a.kind not in ("any-subdomain", "word-subdomain")]
    found += _derive(app, own_site=True)
    unique: dict[str, Attacker] = {}
    for attacker in found:
        trusted_here = attacker.kind != "shared-hosting-subdomain" and _trusted_by(attacker.origin, listed)
        if not trusted_here and attacker.origin != str(app) and attacker.origin not in unique:
            unique[attacker.origin] = attacker
    return list(unique.values())


# A public website, for an app on the person's own machine or network: the page every visitor
# could land on. Its own port, which no other audit origin uses, is the one the browsers are told
# is a public address (corsproof/lna.py); the app stays local.
PUBLIC_WEBSITE = "https://corsproof-public.test:48443"
PUBLIC_KINDS = ("public-website", "public-website-granted")


def is_local(origin: str) -> bool:
    """Is the app on the person's own machine or network: localhost, *.localhost, a loopback or
    private address? A public page's requests to it are then Local Network Access's to allow."""
    host = Origin.parse(origin).host
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        try:  # the URL standard's other IPv4 forms, which a browser reads as the address: 127.1, 0x7f.0.0.1
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return False
    return address.is_loopback or address.is_private or address.is_link_local


def public_websites(target: str) -> list[Attacker]:
    """For a local app: a public website's page, once as browsers leave it today (nobody granted
    it the local-network permission) and once granted, as a person who clicked "allow" leaves it."""
    if not is_local(target):
        return []
    return [
        Attacker(
            kind,
            PUBLIC_WEBSITE,
            PUBLIC_WEBSITE,
            target,
            "any origin is trusted, and a page on the web can reach this machine" + granted,
            needs="a visit to their site" + granted,
        )
        for kind, granted in zip(
            PUBLIC_KINDS, ("", " after the person granted the local-network permission"), strict=True
        )
    ]
