"""`corsproof-serve`: the three sites on fixed ports, for a person to click through the article.

corsproof-serve                 good on 8000, app.good on 8001, thirdparty on 8002, evil on 8003
corsproof-serve --base-port 9000
corsproof-serve --check         start, check every site answers, stop (used by the tests)

A port already taken is named in one line, before anything starts.
"""

from __future__ import annotations

import argparse
import signal
import sys
import urllib.request

from corsproof.explain import create_record_app
from corsproof.serving.runner import bind_socket
from servers.good import PASSWORD
from servers.sites import SITE_NAMES, Sites, running_sites

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
DEFAULT_BASE_PORT = 8000
HOST = "127.0.0.1"  # running_sites' default: where the sites listen
LABELS = {"good": "good", "sibling": "app.good", "thirdparty": "thirdparty", "evil": "evil"}


def _ports(base_port: int) -> dict[str, int]:
    if base_port == 0:
        return {}  # every port chosen by the OS
    return {name: base_port + offset for offset, name in enumerate(SITE_NAMES)}


def _suggestion(busy: int) -> str:
    """The four ports just above the busy one, when they exist, as a --base-port to try."""
    return f"--base-port {busy + 1}, or " if busy + 1 <= 65532 else ""


def _busy_port(ports: dict[str, int]) -> str | None:
    """One line naming the first of the ports that cannot be listened on, or None if all can."""
    for name, port in ports.items():
        try:
            bind_socket(HOST, port).close()
        except OSError as error:
            return (
                f"corsproof-serve: port {port} (for {LABELS[name]}) is busy: {error.strerror or error}; "
                f"choose other ports with --base-port (for example {_suggestion(port)}--base-port 0 for any free ports)"
            )
    return None


def _describe(sites: Sites) -> str:
    return "\n".join(
        [
            f"good        {sites.url('good')}   (log in with the password {PASSWORD!r})",
            f"app.good    {sites.url('sibling')}   (same-site sibling of good)",
            f"thirdparty  {sites.url('thirdparty')}",
            f"evil        {sites.url('evil')}   (its exploits, each under the host it needs: "
            f"{sites.url('evil', '/exploits/')})",
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
    parser.add_argument(
        "--base-port",
        type=int,
        default=DEFAULT_BASE_PORT,
        help="first of four consecutive ports: good, app.good, thirdparty, evil; 0: any free ports "
        f"(default: {DEFAULT_BASE_PORT})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="start, check every site answers, then stop (default: off, serve until Ctrl-C)",
    )
    args = parser.parse_args(argv)
    if not (args.base_port == 0 or 1024 <= args.base_port <= 65532):
        parser.error("--base-port must be 0 or between 1024 and 65532")
    busy = _busy_port(_ports(args.base_port))
    if busy is not None:
        print(busy, file=sys.stderr)
        return 2
    if not args.check:
        # Block the stop signals in every thread (server threads inherit this mask), then wait
        # for one of them here: no polling, and Ctrl-C reaches this thread alone.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        with running_sites(_ports(args.base_port), client_extras=create_record_app, host=HOST) as sites:
            print(_describe(sites), flush=True)
            if args.check:
                problems = _check(sites)
                print("\n".join(problems) if problems else "all sites answer", flush=True)
                return 1 if problems else 0
            signal.sigwait(STOP_SIGNALS)
    except OSError as error:
        # A port taken between the check above and the start: the same advice, in one line.
        ports = _ports(args.base_port)
        where = f" on ports {min(ports.values())}-{max(ports.values())}" if ports else ""
        print(f"corsproof-serve: cannot listen{where}: {error}; choose other ports with --base-port", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
