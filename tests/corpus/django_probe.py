"""`python -m tests.corpus.django_probe`: measures the Django app configured by CORPUS_CORS and
CORPUS_SAMESITE (a process of its own, as Django settings are per process) and prints the
measurement of its WSGI and its ASGI application as JSON."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from tests.corpus.truth import measure


def _jsonable(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def main() -> None:
    """Prints {"wsgi": measurement, "asgi": measurement}."""
    from tests.corpus.django_app import application, asgi_application

    report = {
        name: _jsonable(dataclasses.asdict(measure(app)))
        for name, app in (("wsgi", application), ("asgi", asgi_application))
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
