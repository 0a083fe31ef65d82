"""The suite's behaviour areas, each declared by its own e2e/<area>_cases.py.

An area names itself, its place in the README and the report (the article first), and the
Markdown tables made from its cells, so no scenario id or cookie name is written in the report's
code. The report finds the areas of a corsproof checkout; installed elsewhere, it knows none.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Table = Callable[[dict[str, Any]], str]
SUITE_PACKAGE = "e2e"


@dataclass(frozen=True)
class Area:
    """name: the report's area (cells carry it); rank: its place, lowest first; tables: the
    `<!-- table:NAME -->` tables its cells make, by name."""

    name: str
    rank: int
    tables: Mapping[str, Table] = field(default_factory=dict)


def suite_areas() -> list[Area]:
    """The AREA of every e2e/*_cases.py of the corsproof checkout on sys.path, by rank; [] where
    there is none (an `e2e` package that is not corsproof's is never imported)."""
    spec = importlib.util.find_spec(SUITE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not (folder.parent / "corsproof" / "suite").is_dir():
        return []
    found = []
    for module in pkgutil.iter_modules([str(folder)]):
        if module.name.endswith("_cases"):
            area = getattr(importlib.import_module(f"{SUITE_PACKAGE}.{module.name}"), "AREA", None)
            if isinstance(area, Area):
                found.append(area)
    return sorted(found, key=lambda a: (a.rank, a.name))
