"""`corsproof-serve`: the three sites on fixed ports, for a person to click through the article.

corsproof-serve                 good on 8000, app.good on 8001, thirdparty on 8002, evil on 8003
corsproof-serve --base-port 9000
corsproof-serve --check         start, check every site answers, stop (used by the tests)
"""

from __future__ import annotations

import argparse
import signal
import sys
import urllib.request

from corsproof.explain import create_record_app
from servers.good import PASSWORD
from servers.sites import SITE_NAMES, Sites, running_sites

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _ports(base_port: int) -> dict[str, int]:
    if base_port == 0:
        return {}  # every port chosen by the OS
    return {name: base_port + offset for offset, name in enumerate(SITE_NAMES)}


def _describe(sites: Sites) -> str:
    return "\n".join(
        [
            f"good        {sites.url('good')}   (log in with the password {PASSWORD!r})",
            f"app.good    {sites.url('sibling')}   (same-site sibling of good)",
            f"thirdparty  {sites.url('thirdparty')}",
            f"evil        {sites.url('evil')}",
            "Log in on good, then open thirdparty or evil and click the buttons. Ctrl-C stops.",
        ]
    )


def _check(sites: Sites) -> list[str]:
    """Problems found fetching each site's home page (an empty list when all answer 200)."""
    problems = []
    for name in SITE_NAMES:
        url = sites.url(name)
        # The *.localhost names resolve to loopback in browsers, not necessarily in Python.
        loopback = url.replace(url.split("//")[1].split(":")[0], "127.0.0.1", 1)
        with urllib.request.urlopen(loopback, timeout=10) as response:
            if response.status != 200:
                problems.append(f"{name}: {response.status}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="corsproof-serve", description=__doc__.splitlines()[0])
    parser.add_argument("--base-port", type=int, default=8000, help="first of four ports (0: any free ports)")
    parser.add_argument("--check", action="store_true", help="start, check every site answers, then stop")
    args = parser.parse_args(argv)
    if not (args.base_port == 0 or 1024 <= args.base_port <= 65532):
        parser.error("--base-port must be 0 or between 1024 and 65532")
    if not args.check:
        # Block the stop signals in every thread (server threads inherit this mask), then wait
        # for one of them here: no polling, and Ctrl-C reaches this thread alone.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        with running_sites(_ports(args.base_port), client_extras=create_record_app) as sites:
            print(_describe(sites), flush=True)
            if args.check:
                problems = _check(sites)
                print("\n".join(problems) if problems else "all sites answer", flush=True)
                return 1 if problems else 0
            signal.sigwait(STOP_SIGNALS)
    except OSError as error:
        print(f"corsproof-serve: cannot listen: {error}. Choose other ports with --base-port.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
