"""What the audit and the suite's sites both need to serve pages and see what reached them: a
server in a thread on a pre-bound loopback socket (runner), the record of every exchange
(recorder), the refusal of header values no browser sends (field_values), throwaway certificates
(tls) and the client code every page runs (static/client.js). Nothing here imports the suite's
sites (servers/, which stay in the repository): an installed corsproof has only this."""

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
