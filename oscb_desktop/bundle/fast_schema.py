"""The published JSON Schemas compiled once into plain Python checks that answer one question: valid or not.

Checking a bundle's three JSON documents with ``jsonschema`` was a third of verifying it (a profile of 200
bundles: 3.6 of 9.2 s), most of it the library finding its way through ``$ref`` and keywords for every value.
A valid document, which is nearly every one, needs only "yes"; the compiled check says it several times faster.
"No" is explained by ``jsonschema`` as before (which value, what is wrong), so messages do not change.

The compiler knows the keywords the published schemas use (JSON Schema 2020-12: ``type``, ``const``, ``enum``,
``pattern``, the lengths and bounds, ``properties``, ``required``, ``additionalProperties``, ``propertyNames``,
``maxProperties``, ``items``, ``oneOf``, ``anyOf`` and local ``$ref``); a schema with any other keyword is
refused (:class:`Unsupported`) and ``jsonschema`` checks it alone. ``tests/unit/bundle/test_fast_schema.py``
checks that both agree on real documents and on thousands of mutated ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

#: Keywords that only describe (no effect on whether a value is valid).
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default"})


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not know: ``jsonschema`` checks it instead."""


def compile_schema(root: dict[str, Any], pointer: str = "") -> Check:
    """A check for ``root`` (or its part at the JSON pointer ``pointer``, e.g. ``/$defs/audit_log``)."""
    return _Compiler(root).at(pointer)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    # As jsonschema: 3.0 is an integer, True is not.
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
}


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema means it (``const``, ``enum``): ``true`` is not ``1``, ``1`` is ``1.0``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.compiled: dict[str, Check] = {}

    def at(self, pointer: str) -> Check:
        """The check of the schema at ``pointer``, compiled once (a ``$ref`` cycle is resolved when first run)."""
        if pointer not in self.compiled:
            self.compiled[pointer] = lambda value: self.compiled[pointer](value)  # until compiled, for cycles
            self.compiled[pointer] = self.schema(self._resolve(pointer))
        return self.compiled[pointer]

    def _resolve(self, pointer: str) -> Any:
        node: Any = self.root
        for raw in pointer.split("/")[1:]:
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                raise Unsupported(f"$ref to #{pointer}, which is not in the schema")
        return node

    def schema(self, schema: Any) -> Check:
        if schema is True:
            return lambda _value: True
        if schema is False:
            return lambda _value: False
        if not isinstance(schema, dict):
            raise Unsupported(f"a schema must be an object or a boolean, not {schema!r}")
        checks: list[Check] = []
        for keyword, arg in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            make = _KEYWORDS.get(keyword)
            if make is None:
                raise Unsupported(f"the keyword {keyword!r}")
            checks.append(make(self, arg, schema))
        if not checks:
            return lambda _value: True
        if len(checks) == 1:
            return checks[0]
        return lambda value: all(check(value) for check in checks)

    # --- the keywords (each given its argument and the schema it is in) ---------------------------------

    def _ref(self, ref: str, _schema: dict[str, Any]) -> Check:
        if not ref.startswith("#"):
            raise Unsupported(f"the non-local $ref {ref!r}")
        pointer = ref[1:]
        self.at(pointer)  # compiled now, so an unknown keyword anywhere is found before any value is checked
        return lambda value: self.compiled[pointer](value)

    def _type(self, names: str | list[str], _schema: dict[str, Any]) -> Check:
        tests = [_TYPES[n] for n in ([names] if isinstance(names, str) else names) if n in _TYPES]
        if len(tests) != (1 if isinstance(names, str) else len(names)):
            raise Unsupported(f"the type {names!r}")
        return lambda value: any(test(value) for test in tests)

    def _const(self, expected: Any, _schema: dict[str, Any]) -> Check:
        return lambda value: json_equal(value, expected)

    def _enum(self, options: list[Any], _schema: dict[str, Any]) -> Check:
        return lambda value: any(json_equal(value, option) for option in options)

    def _pattern(self, pattern: str, _schema: dict[str, Any]) -> Check:
        search = re.compile(pattern).search
        return lambda value: not isinstance(value, str) or search(value) is not None

    def _minLength(self, least: int, _schema: dict[str, Any]) -> Check:
        return lambda value: not isinstance(value, str) or len(value) >= least

    def _maxLength(self, most: int, _schema: dict[str, Any]) -> Check:
        return lambda value: not isinstance(value, str) or len(value) <= most

    def _minimum(self, least: float, _schema: dict[str, Any]) -> Check:
        return lambda value: not _is_number(value) or value >= least

    def _maximum(self, most: float, _schema: dict[str, Any]) -> Check:
        return lambda value: not _is_number(value) or value <= most

    def _minItems(self, least: int, _schema: dict[str, Any]) -> Check:
        return lambda value: not isinstance(value, list) or len(value) >= least

    def _maxItems(self, most: int, _schema: dict[str, Any]) -> Check:
        return lambda value: not isinstance(value, list) or len(value) <= most

    def _items(self, item_schema: Any, _schema: dict[str, Any]) -> Check:
        if isinstance(item_schema, list):
            raise Unsupported("items as a list (2020-12 has prefixItems)")
        item = self.schema(item_schema)
        return lambda value: not isinstance(value, list) or all(item(v) for v in value)

    def _maxProperties(self, most: int, _schema: dict[str, Any]) -> Check:
        return lambda value: not isinstance(value, dict) or len(value) <= most

    def _required(self, names: list[str], _schema: dict[str, Any]) -> Check:
        return lambda value: not isinstance(value, dict) or all(n in value for n in names)

    def _properties(self, props: dict[str, Any], _schema: dict[str, Any]) -> Check:
        compiled = {name: self.schema(sub) for name, sub in props.items()}

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            return all(test(value[name]) for name, test in compiled.items() if name in value)

        return check

    def _additionalProperties(self, extra_schema: Any, schema: dict[str, Any]) -> Check:
        if "patternProperties" in schema:
            raise Unsupported("patternProperties")
        known = frozenset(schema.get("properties", {}))
        extra = self.schema(extra_schema)
        return lambda value: not isinstance(value, dict) or all(extra(v) for k, v in value.items() if k not in known)

    def _propertyNames(self, names_schema: Any, _schema: dict[str, Any]) -> Check:
        name = self.schema(names_schema)
        return lambda value: not isinstance(value, dict) or all(name(k) for k in value)

    def _oneOf(self, options: list[Any], _schema: dict[str, Any]) -> Check:
        compiled = [self.schema(o) for o in options]
        return lambda value: sum(1 for test in compiled if test(value)) == 1

    def _anyOf(self, options: list[Any], _schema: dict[str, Any]) -> Check:
        compiled = [self.schema(o) for o in options]
        return lambda value: any(test(value) for test in compiled)


_KEYWORDS: dict[str, Callable[[_Compiler, Any, dict[str, Any]], Check]] = {
    "$ref": _Compiler._ref,
    "type": _Compiler._type,
    "const": _Compiler._const,
    "enum": _Compiler._enum,
    "pattern": _Compiler._pattern,
    "minLength": _Compiler._minLength,
    "maxLength": _Compiler._maxLength,
    "minimum": _Compiler._minimum,
    "maximum": _Compiler._maximum,
    "minItems": _Compiler._minItems,
    "maxItems": _Compiler._maxItems,
    "items": _Compiler._items,
    "maxProperties": _Compiler._maxProperties,
    "required": _Compiler._required,
    "properties": _Compiler._properties,
    "additionalProperties": _Compiler._additionalProperties,
    "propertyNames": _Compiler._propertyNames,
    "oneOf": _Compiler._oneOf,
    "anyOf": _Compiler._anyOf,
}
