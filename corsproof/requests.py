"""Ways a page makes a request to good, each a real browser action: fetch, XHR, img, iframe, a
link followed by a click, a form submitted by a click. Used by the cookie matrix."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

HOWS = (
    "fetch-omit",
    "fetch-same-origin",
    "fetch-include",
    "xhr-with-credentials",
    "img",
    "iframe",
    "link",
    "form-post",
)

_FETCH = "async ([url, credentials]) => { try { await fetch(url, {credentials}); } catch (e) {} }"
_XHR = """url => new Promise(done => {
  const xhr = new XMLHttpRequest(); xhr.open('GET', url); xhr.withCredentials = true;
  xhr.onloadend = () => done(); xhr.send(); })"""
_IMG = """url => new Promise(done => {
  const img = new Image(); img.onload = img.onerror = () => done(); img.src = url; document.body.append(img); })"""
_IFRAME = """url => new Promise(done => {
  const frame = document.createElement('iframe'); frame.onload = () => done(); frame.src = url;
  document.body.append(frame); })"""
# Navigations are a link followed and a form submitted by a click on them. The click is the
# page's own (element.click()): it navigates as a person's would, without user activation, so
# Sec-Fetch-User is absent, which no cell asserts; a Playwright click costs ~300 ms in Firefox.
_LINK = """url => { const a = document.createElement('a'); a.href = url; a.textContent = 'go';
  document.body.append(a); a.click(); }"""
_FORM = """url => { const f = document.createElement('form'); f.method = 'post'; f.action = url;
  f.innerHTML = '<input type=hidden name=x value=1><button type=submit>go</button>'; document.body.append(f);
  f.querySelector('button').click(); }"""


def _navigate(script: str) -> Callable[[Page, str], None]:
    def go(page: Page, url: str) -> None:
        with page.expect_navigation():
            page.evaluate(script, url)

    return go


REQUESTS: dict[str, Callable[[Page, str], None]] = {
    "fetch-omit": lambda page, url: page.evaluate(_FETCH, [url, "omit"]),
    "fetch-same-origin": lambda page, url: page.evaluate(_FETCH, [url, "same-origin"]),
    "fetch-include": lambda page, url: page.evaluate(_FETCH, [url, "include"]),
    "xhr-with-credentials": lambda page, url: page.evaluate(_XHR, url),
    "img": lambda page, url: page.evaluate(_IMG, url),
    "iframe": lambda page, url: page.evaluate(_IFRAME, url),
    "link": _navigate(_LINK),
    "form-post": _navigate(_FORM),
}

# The ways that take the page away to good's answer.
NAVIGATIONS = frozenset({"link", "form-post"})


def make_request(page: Page, how: str, url: str) -> None:
    """Make the page request url the given way, returning once the answer has arrived."""
    REQUESTS[how](page, url)
