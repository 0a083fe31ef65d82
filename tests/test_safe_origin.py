"""The safe policy's matcher accepts exactly the listed origins, and no near miss of them."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from servers.safe_origin import ExactOrigins

LISTED = ("http://thirdparty.localhost:8002", "http://app.good.localhost:8001")
matcher = ExactOrigins(*LISTED)

listed = st.sampled_from(LISTED)
junk = st.text(min_size=1, max_size=12)


def _parts(origin: str) -> tuple[str, str, str]:
    scheme, rest = origin.split("://")
    host, port = rest.rsplit(":", 1)
    return scheme, host, port


@st.composite
def near_misses(draw: st.DrawFn) -> str:
    origin = draw(listed)
    scheme, host, port = _parts(origin)
    index = draw(st.integers(0, len(host) - 1))
    return draw(
        st.sampled_from(
            [
                origin.upper(),
                f"{scheme}://{host[:index]}{host[index].swapcase()}{host[index + 1 :]}:{port}",  # one letter's case
                f"{scheme}://{host}:{draw(st.integers(0, 65535))}",  # another port
                f"{scheme}://{host}",  # no port
                f"{draw(st.sampled_from(['https', 'ws', 'HTTP', 'file']))}://{host}:{port}",  # another scheme
                origin + draw(junk),  # a suffix
                draw(junk) + origin,  # a prefix
                f"{scheme}://{draw(junk)}{host}:{port}",  # a longer name ending in the host
                f"{scheme}://{host}.{draw(junk)}:{port}",  # the host as a prefix of another
                f"{scheme}://{host}.:{port}",  # a trailing dot
                origin + "/",  # a trailing slash
                draw(st.sampled_from([" ", "\t", "\n", "\u00a0"])) + origin,  # whitespace before
                origin + draw(st.sampled_from([" ", "\t", "\r\n", "\u200b"])),  # or after
                origin.replace("a", "\u0430", 1),  # a Cyrillic а for the Latin a
                origin.replace("o", "\u043e", 1),  # a Cyrillic о for the Latin o
                origin.replace("localhost", "l\u043ecalhost", 1),
                origin.replace("://", ":///", 1),
                f"{scheme}://user@{host}:{port}",  # userinfo
            ]
        )
    )


@given(near_misses())
@example("null")
@example("")
def test_every_near_miss_is_refused(candidate: str) -> None:
    assert matcher(candidate) == (candidate if candidate in LISTED else None)


@given(st.text())
def test_any_text_is_accepted_only_if_listed(candidate: str) -> None:
    assert matcher(candidate) == (candidate if candidate in LISTED else None)


@pytest.mark.parametrize("origin", LISTED)
def test_every_listed_origin_is_accepted(origin: str) -> None:
    assert matcher(origin) == origin


def test_no_origin_header_is_refused() -> None:
    assert matcher(None) is None


@pytest.mark.parametrize("bad", ["null", " http://x.localhost", "http://x.localhost/"])
def test_null_and_malformed_origins_cannot_be_listed(bad: str) -> None:
    with pytest.raises(ValueError, match="not a serialized origin"):
        ExactOrigins(bad)
