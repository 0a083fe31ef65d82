"""good served over https too, with a certificate from a throwaway CA (trustme).

Only the scheme-not-checked attack needs it: an https good whose origin check ignores the scheme
trusts http://thirdparty, whose pages any network attacker can rewrite. It shares good's state
(sessions, ledger) and the recorder, so a login on good counts here and good's record shows all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
import trustme

from servers.good import create_good_app
from servers.runner import ServerThread, bind_loopback_socket
from servers.sites import Sites


@pytest.fixture(scope="session")
def https_good(sites: Sites, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The origin of good over https (same host name, its own port)."""
    certificate = trustme.CA().issue_cert("good.localhost")
    folder: Path = tmp_path_factory.mktemp("tls")
    certfile, keyfile = folder / "good.pem", folder / "good.key"
    certificate.cert_chain_pems[0].write_to_path(certfile)
    certificate.private_key_pem.write_to_path(keyfile)
    app = sites.recorder.middleware("good", create_good_app(sites.origins, sites.good))
    server = ServerThread("good-https", app, bind_loopback_socket(), ssl_certfile=str(certfile), ssl_keyfile=str(keyfile))
    server.start()
    yield f"https://good.localhost:{server.port}"
    server.stop()
