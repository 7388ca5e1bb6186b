"""Reading the demo's prose from ``resources/demo/*.yaml``, with its shape checked.

The prose is data so that it can be edited without touching the generator. Each of ``people.py``,
``section11.py`` and ``impact.py`` turns one file into typed values through a :class:`Node`, which knows the
file and the key it came from. A broken file therefore says where it is broken (".../people.yaml is broken,
at sector_words.police: expected a mapping, found a list") instead of failing with a ``KeyError`` deep
inside the generator. The typed values are cached by those modules, so each file is read once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oscb_desktop import paths
from oscb_desktop.datafiles import DataFileError, parse_yaml, read_text
from oscb_desktop.demo.common import DemoError


def folder() -> Path:
    """Where the demo's YAML files are (a function, so that tests can point it elsewhere)."""
    return paths.resource("demo")


def read(name: str) -> Node:
    """The top of the YAML file ``name``; raises :class:`DemoError` if it cannot be read or parsed.

    Read like every data file (:mod:`oscb_desktop.datafiles`): at most 2 MB, no alias bombs.
    """
    path = folder() / name
    try:
        value = parse_yaml(read_text(path), str(path))
    except DataFileError as exc:
        where = f" (at {exc.path})" if exc.path else ""
        raise DemoError(f"The demo data file {path} {exc.message}{where}.") from exc
    return Node(path, "", value)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


@dataclass(frozen=True)
class Node:
    """One value of a demo YAML file and the dotted key that leads to it (``statements.s1.1.evidence[0]``)."""

    path: Path
    key: str
    value: Any

    def wrong(self, expected: str) -> DemoError:
        """The error for this value not being what the generator needs."""
        where = f", at {self.key}" if self.key else ""
        return DemoError(
            f"The demo data file {self.path} is broken{where}: expected {expected}, found {_kind(self.value)}."
        )

    def _child(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def _mapping(self) -> dict[Any, Any]:
        if not isinstance(self.value, dict):
            raise self.wrong("a mapping")
        return self.value

    def __getitem__(self, name: str) -> Node:
        mapping = self._mapping()
        if name not in mapping:
            raise DemoError(f"The demo data file {self.path} is missing {self._child(name)}.")
        return Node(self.path, self._child(name), mapping[name])

    def get(self, name: str) -> Node | None:
        """The value under ``name``, or None if the mapping has no such key."""
        return self[name] if name in self._mapping() else None

    def entries(self) -> list[tuple[str, Node]]:
        """A mapping's keys (text) and values, in the file's order (which the generator's draws depend on)."""
        out = []
        for name, value in self._mapping().items():
            if not isinstance(name, str):
                where = self._child(str(name))
                raise DemoError(f"The demo data file {self.path} is broken at {where}: a key must be text.")
            out.append((name, Node(self.path, self._child(name), value)))
        return out

    def require(self, *names: str) -> None:
        """Raise :class:`DemoError` unless the mapping has all of ``names``."""
        for name in names:
            self[name]

    def items(self, *, count: int | None = None, at_least: int = 1) -> list[Node]:
        """A list's items: exactly ``count`` if given, else at least ``at_least`` (the generator draws from it)."""
        if not isinstance(self.value, list):
            raise self.wrong("a list")
        n = len(self.value)
        if count is not None and n != count:
            raise self.wrong(f"a list of {count}")
        if n < at_least:
            raise self.wrong(f"a list of at least {at_least}")
        return [Node(self.path, f"{self.key}[{i}]", v) for i, v in enumerate(self.value)]

    def text(self) -> str:
        if not isinstance(self.value, str):
            raise self.wrong("text")
        return self.value

    def texts(self, *, count: int | None = None, at_least: int = 1) -> tuple[str, ...]:
        return tuple(item.text() for item in self.items(count=count, at_least=at_least))

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.wrong("a whole number")
        return self.value

    def number(self) -> float:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise self.wrong("a number")
        return float(self.value)

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.wrong("true or false")
        return self.value

    # Shapes used by more than one file.

    def text_map(self) -> dict[str, str]:
        """``{key: text}``"""
        return {name: node.text() for name, node in self.entries()}

    def integer_map(self) -> dict[str, int]:
        """``{key: whole number}``"""
        return {name: node.integer() for name, node in self.entries()}
