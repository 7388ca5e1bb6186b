"""Names a package exports but loads on first use.

A package whose modules bring in pyHanko, reportlab or fontTools (about a second of imports together) lists
those names here instead of importing them at the top, so importing one light module of the package (its
codes, its words) does not load the heavy ones; the first window opens without them
(``tests/unit/test_startup_imports.py``, ``bench/bench_startup.py``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``names`` maps an exported name to the submodule defining it."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(importlib.import_module(package), name, value)
        return value

    return __getattr__
