"""`corsproof-serve`: the suite's own sites (good, app.good, thirdparty, evil) to click through.

They live in the repository (servers/, corsproof/suite/), not in an installed corsproof, whose
commands are the audit and the report's: from an install this says so in one line.
"""

from __future__ import annotations

import sys


def main() -> int:
    try:
        from corsproof.suite.serve import main as serve
    except ModuleNotFoundError as error:
        if error.name not in ("servers", "corsproof.suite") and not (error.name or "").startswith("servers."):
            raise
        print(
            "corsproof-serve: the suite's sites are in corsproof's repository, not in an installed corsproof: "
            "run it from a checkout (bash scripts/setup, then .venv/bin/corsproof-serve)",
            file=sys.stderr,
        )
        return 2
    return serve()
