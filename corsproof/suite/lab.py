"""good's CORS lab (servers/cors_lab.py) from the client side: its URLs, and opaque-origin frames.

A lab URL's query shapes good's answer, as WPT's resources/preflight.py does; a Hop names the
origin a URL is on, so a redirect's Location can lead to another origin, or back to the page's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

from playwright.sync_api import Frame, Page

from servers.sites import Sites

LAB_PATH = "/cors-lab/resource"
# A second name for good's server: same server, another origin (and another site than thirdparty).
OTHER_HOST = "other.localhost"

Where = Literal["page", "sandboxed-iframe", "data-iframe"]


@dataclass(frozen=True)
class Hop:
    """A lab URL on one of the origins, for a redirect's Location: good, other, page (the client)."""

    origin: str
    params: Mapping[str, Any] = field(default_factory=dict)
    userinfo: str = ""


LabValue = str | tuple[str, ...] | Hop


def origin_of(sites: Sites, name: str) -> str:
    if name == "other":
        good = urlsplit(sites.origins.good)
        return f"{good.scheme}://{OTHER_HOST}:{good.port}"
    if name == "page":
        return sites.origins.thirdparty
    return sites.origins.of(name)


def _fill(value: str, sites: Sites) -> str:
    """Placeholders the runner fills in; a bare "{origin}" is left for the lab to reflect."""
    if value == "{origin}":
        return value
    page = sites.origins.thirdparty
    scheme, rest = page.split("://", 1)
    host, port = rest.rsplit(":", 1)[0], int(rest.rsplit(":", 1)[1])
    return value.format(
        origin=page,
        page=page,
        good=sites.origins.good,
        ORIGIN=f"{scheme}://{rest.upper()}",
        https=f"https://{rest}",
        other_port=f"{scheme}://{host}:{port + 1 if port < 65535 else port - 1}",
    )


def lab_url(sites: Sites, hop: Hop, probe: str) -> str:
    query: list[tuple[str, str]] = [("probe", probe)]
    for name, value in hop.params.items():
        if isinstance(value, Hop):
            query.append((name, lab_url(sites, value, probe)))
        elif isinstance(value, tuple):
            query += [(name, _fill(item, sites)) for item in value]
        else:
            query.append((name, _fill(value, sites)))
    origin = origin_of(sites, hop.origin)
    if hop.userinfo:
        scheme, rest = origin.split("://", 1)
        origin = f"{scheme}://{hop.userinfo}@{rest}"
    return f"{origin}{LAB_PATH}?{urlencode(query)}"


_FRAME_DOCUMENT = "<!doctype html><script src='{client_js}'></script>"


def open_frame(page: Page, where: Where, sites: Sites) -> Frame | None:
    """A frame with an opaque origin inside the thirdparty page, running the same client code."""
    if where == "page":
        return None
    document = _FRAME_DOCUMENT.format(client_js=sites.url("thirdparty", "/static/client.js"))
    if where == "sandboxed-iframe":
        setup = """html => { const f = document.createElement('iframe'); f.sandbox = 'allow-scripts';
          f.srcdoc = html; document.body.append(f); }"""
    else:
        setup = """html => { const f = document.createElement('iframe');
          f.src = 'data:text/html,' + encodeURIComponent(html); document.body.append(f); }"""
    page.evaluate(setup, document)
    frame = page.frames[-1]
    frame.wait_for_function("() => window.corsproof !== undefined")
    return frame
