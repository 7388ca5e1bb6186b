"""Reading the YAML and JSON data files the app is given (form definitions, partnership profiles, packs) without
trusting them: bounded in size, no YAML aliases, checked against a JSON Schema, and every problem named with
the file and the path of the bad key (``sections[2].items[0].scale``).

A YAML alias lets a ten-kilobyte file stand for a structure of billions of nodes ("billion laughs"): loading it
is cheap (the aliases share one object) but anything that walks it, a schema check included, never ends. Forms
use aliases honestly (one list of action-plan columns for every standard), so they are allowed, but a file
whose data, with every alias written out, would have more than :data:`MAX_NODES` values is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import ValidationError

#: Largest data file read (the Section 11 form is about 60 KB).
MAX_DATA_FILE_BYTES = 2 * 1024 * 1024
#: Most values a data file may stand for, aliases written out (the Section 11 form has about 4,000).
MAX_NODES = 200_000


class DataFileError(Exception):
    """A data file that cannot be used, with where and why."""

    def __init__(self, file: str | Path, path: str, message: str) -> None:
        self.file = str(file)
        self.path = path
        self.message = message
        where = f"{self.file}: {path}" if path else self.file
        super().__init__(f"{where}: {message}")


@cache
def _safe_loader() -> type:
    """Safe YAML (libyaml's C loader where present) that keeps dates as text, so a schema sees what was written.

    Made on first use, with yaml imported then: a start whose forms come from the cache reads no YAML."""
    import yaml

    base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolvers = {
        key: [(tag, rx) for tag, rx in found if tag != "tag:yaml.org,2002:timestamp"]
        for key, found in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return type("_SafeLoader", (base,), {"__doc__": _safe_loader.__doc__, "yaml_implicit_resolvers": resolvers})


def read_text(file: str | Path, *, limit: int = MAX_DATA_FILE_BYTES, error: type[DataFileError] = DataFileError) -> str:
    """The file's text, refused (``error``) when it cannot be read, is not UTF-8 or is larger than ``limit``."""
    file = Path(file)
    try:
        with open(file, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise error(file, "", f"cannot be read ({exc.strerror or exc})") from exc
    if len(data) > limit:
        raise error(file, "", f"is larger than {limit // 1024:,} KB, which no data file of the app should be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(file, "", f"cannot be read: it is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def parse_yaml(
    text: str, source: str, *, limit: int = MAX_DATA_FILE_BYTES, error: type[DataFileError] = DataFileError
) -> Any:
    """Plain data (dicts, lists, text, numbers) from YAML; refused if too large, not YAML, or using aliases."""
    if len(text) > limit:
        raise error(source, "", f"is larger than {limit // 1024:,} KB, which no data file of the app should be")
    import yaml

    try:
        data = yaml.load(text, Loader=_safe_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(source, where, f"is not valid YAML: {problem}") from exc
    if _too_many_nodes(data, MAX_NODES):
        raise error(
            source,
            "",
            f"stands for more than {MAX_NODES:,} values once its YAML aliases (*name) are written out, "
            "which no data file of the app needs; it may be built to exhaust the computer's memory",
        )
    return data


def _too_many_nodes(data: Any, cap: int) -> bool:
    """Whether ``data``, walked as a tree (a shared list or mapping counted each time it is reached), has more
    than ``cap`` values. Stops as soon as it knows, so a billion-laughs file costs ``cap`` steps at most."""
    count = 0
    stack = [data]
    while stack:
        value = stack.pop()
        count += 1
        if count > cap:
            return True
        if isinstance(value, dict):
            stack.extend(value.values())
            stack.extend(value.keys())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def json_path(parts: Iterable[Any]) -> str:
    """``sections[2].items[0].scale`` from the keys and indexes on the way."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate(data: Any, schema: dict[str, Any], source: str, *, error: type[DataFileError] = DataFileError) -> None:
    """Check ``data`` against a JSON Schema; the most specific problem is raised, with its path."""
    import jsonschema  # on first use (about 0.1 s of imports): the first window opens without it

    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors(data))
    if errors:
        # The deepest error is the most specific one; a oneOf failure at a parent says less.
        best = jsonschema.exceptions.best_match(errors)
        raise error(source, json_path(best.absolute_path), plain(best))


def plain(error: ValidationError) -> str:
    """A schema error in words, without echoing a whole (possibly huge) value back."""
    if error.validator == "additionalProperties":
        return f"unknown key ({_short(error.message)})"
    if error.validator == "required":
        return f"missing key: {_short(error.message)}"
    if error.validator == "enum":
        return f"{_short(repr(error.instance))} is not one of {', '.join(map(repr, error.validator_value))}"
    return _short(error.message)


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
