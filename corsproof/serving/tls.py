"""Certificates from a throwaway CA (trustme), for the https origins of the audit and of the suite's
https good."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import trustme


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
