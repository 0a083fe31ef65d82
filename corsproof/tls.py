"""good served over https too, with a certificate from a throwaway CA (trustme); the same
certificates serve corsproof audit's https origins (corsproof/audit/front.py).

Only the scheme-not-checked attack needs it: an https good whose origin check ignores the scheme
trusts http://thirdparty, whose pages any network attacker can rewrite. It shares good's state
(sessions, ledger) and the recorder, so a login on good counts here and good's record shows all.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import trustme

from servers.field_values import RejectControlCharacters
from servers.good import create_good_app
from servers.runner import ServerThread, bind_socket
from servers.sites import Sites


@contextlib.contextmanager
def certificate_files(*names: str) -> Iterator[dict[str, str]]:
    """A certificate for names from a throwaway CA, as uvicorn's ssl_certfile and ssl_keyfile,
    in files that last until the block ends. The browsers are told to accept it."""
    certificate = trustme.CA().issue_cert(*names)
    with tempfile.TemporaryDirectory(prefix="corsproof-tls-") as folder:
        certfile, keyfile = Path(folder) / "cert.pem", Path(folder) / "key.pem"
        certificate.cert_chain_pems[0].write_to_path(certfile)
        certificate.private_key_pem.write_to_path(keyfile)
        yield {"ssl_certfile": str(certfile), "ssl_keyfile": str(keyfile)}


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
