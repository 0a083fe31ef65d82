"""good served over https too, with a certificate from a throwaway CA (corsproof/serving/tls.py).

Only the scheme-not-checked attack needs it: an https good whose origin check ignores the scheme
trusts http://thirdparty, whose pages any network attacker can rewrite. It shares good's state
(sessions, ledger) and the recorder, so a login on good counts here and good's record shows all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from corsproof.serving.field_values import RejectControlCharacters
from corsproof.serving.runner import ServerThread, bind_socket
from corsproof.serving.tls import certificate_files
from servers.good import create_good_app
from servers.sites import Sites


@contextlib.contextmanager
def https_good(sites: Sites) -> Iterator[str]:
    """Serve good over https (same host name, its own port) until the block ends; its origin."""
    with certificate_files("good.localhost") as tls:
        app = sites.recorder.middleware("good", RejectControlCharacters(create_good_app(sites.origins, sites.good)))
        server = ServerThread("good-https", app, bind_socket(sites.host), **tls)
        server.start()
        try:
            yield f"https://good.localhost:{server.port}"
        finally:
            server.stop()
