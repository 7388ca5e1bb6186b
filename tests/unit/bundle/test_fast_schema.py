"""The compiled schema checks (``bundle.fast_schema``) say "valid" exactly when ``jsonschema`` does: on the
published schemas with real documents from demo agencies' bundles and thousands of mutations of them, and on
small schemas that pin each keyword's corner cases (``true`` is not ``1``, ``3.0`` is an integer…)."""

from __future__ import annotations

import copy
import json
import random
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from oscb_desktop import paths
from oscb_desktop.bundle import fast_schema
from oscb_desktop.bundle.model import schema, schema_problem

PUBLISHED = sorted(p.name for p in paths.resource("schemas").iterdir() if p.name.endswith(".schema.json"))
#: Each member of a bundle and the part of the published schemas it is checked against.
MEMBERS = {
    "manifest.json": ("manifest.schema.json", ""),
    "submission.json": ("submission.schema.json", ""),
    "audit.json": ("submission.schema.json", "/$defs/audit_log"),
}
#: Values put in place of any value of a document.
REPLACEMENTS: list[Any] = [None, True, False, 0, 1, -1, 1.0, 2.5, 2**53, "", "x", "x" * 5000, "é\n", [], [1], {}]


def jsonschema_valid(value: Any, name: str, pointer: str = "") -> bool:
    root = schema(name)
    target = root if not pointer else {"$ref": f"#{pointer}", "$defs": root["$defs"]}
    return jsonschema.Draft202012Validator(target).is_valid(value)


@pytest.mark.parametrize("name", PUBLISHED)
def test_every_published_schema_compiles_so_none_falls_back_to_jsonschema_alone(name: str) -> None:
    assert PUBLISHED, "the schemas folder was found"
    root = schema(name)
    fast_schema.compile_schema(root)
    for part in root.get("$defs", {}):
        fast_schema.compile_schema(root, f"/$defs/{part}")


def _paths(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _paths(sub, (*at, key))
    elif isinstance(value, list):
        for n, sub in enumerate(value[:6]):  # the first few items of long lists
            yield from _paths(sub, (*at, n))


def _mutations(doc: Any, rng: random.Random) -> Iterator[Any]:
    """Documents that differ from ``doc`` at one place, in many ways."""
    for where in _paths(doc):
        parent_path, key = where[:-1], where[-1] if where else None

        def with_value(new: Any, where: tuple[Any, ...] = where) -> Any:
            if not where:
                return new
            out = copy.deepcopy(doc)
            node = out
            for part in where[:-1]:
                node = node[part]
            node[where[-1]] = new
            return out

        node: Any = doc
        for part in where:
            node = node[part]
        for new in rng.sample(REPLACEMENTS, 5):
            yield with_value(new)
        if isinstance(node, dict):
            yield with_value({**node, "unexpected": 1})
            for k in list(node)[:8]:
                yield with_value({kk: vv for kk, vv in node.items() if kk != k})
        if isinstance(node, list) and node:
            yield with_value([*node, node[0]])
            yield with_value(node[1:])
        if isinstance(node, str):
            yield with_value(node + "\n")
            yield with_value(node.upper())
            yield with_value(node[: len(node) // 2])
        if isinstance(node, int) and not isinstance(node, bool):
            yield with_value(node + 1)
            yield with_value(-node - 1)
            yield with_value(float(node))
        if parent_path and isinstance(key, str):  # the key renamed
            out = copy.deepcopy(doc)
            holder = out
            for part in parent_path:
                holder = holder[part]
            holder[key + "_"] = holder.pop(key)
            yield out


@pytest.mark.parametrize("member", sorted(MEMBERS))
def test_compiled_and_jsonschema_agree_on_real_documents_and_their_mutations(agency_side: Path, member: str) -> None:
    name, pointer = MEMBERS[member]
    quick = fast_schema.compile_schema(schema(name), pointer)
    rng = random.Random(f"fast-schema-{member}")
    bundles = sorted((agency_side / "bundles").glob("*.oscb"))
    assert bundles
    checked = invalid = 0
    for path in bundles[:2]:
        with zipfile.ZipFile(path) as zf:
            doc = json.loads(zf.read(member))
        assert quick(doc) and jsonschema_valid(doc, name, pointer), "a real document is valid"
        for mutated in _mutations(doc, rng):
            expected = jsonschema_valid(mutated, name, pointer)
            assert quick(mutated) == expected, (member, json.dumps(mutated)[:400])
            checked += 1
            invalid += not expected
    assert checked > 300 and invalid > 100, (checked, invalid)


CORNERS: list[tuple[dict[str, Any], list[Any]]] = [
    ({"type": "integer"}, [1, 1.0, 1.5, True, "1", None, -0.0, 10**30]),
    ({"type": "number"}, [1, 1.5, True, False, "2", None]),
    ({"type": ["string", "null"]}, ["", None, 0, []]),
    ({"const": 1}, [1, 1.0, True, "1", [1]]),
    ({"const": False}, [False, 0, None, True]),
    ({"enum": ["a", 2, None, [1, True]]}, ["a", 2, 2.0, None, [1, True], [1, 1], [1.0, True], "b", False]),
    ({"pattern": "^[0-9a-f]{64}$"}, ["a" * 64, "A" * 64, "a" * 64 + "\n", 5, None]),
    ({"minLength": 2, "maxLength": 3}, ["é", "éé", "ééé", "éééé", 12345, []]),
    ({"minimum": 1, "maximum": 2}, [0, 1, 1.5, 2, 2.01, True, "1.5"]),
    ({"minItems": 1, "maxItems": 2, "items": {"type": "string"}}, [[], ["a"], ["a", "b", "c"], ["a", 1], "ab", {}]),
    (
        {"properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": False},
        [{"a": "x"}, {}, {"a": 1}, {"a": "x", "b": 1}, [], "a"],
    ),
    ({"properties": {"a": {}}, "additionalProperties": {"type": "integer"}}, [{"a": "x", "b": 2}, {"b": "2"}]),
    ({"propertyNames": {"pattern": "^[a-z]+$"}, "maxProperties": 2}, [{"ab": 1}, {"aB": 1}, {"a": 1, "b": 2, "c": 3}]),
    ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, [-1, 1, 0.5, "x"]),
    ({"anyOf": [{"type": "integer"}, {"minimum": 0}]}, [-1, 1, 0.5, -0.5, "x"]),
    (
        {"$defs": {"n": {"properties": {"next": {"$ref": "#/$defs/n"}}, "type": "object"}}, "$ref": "#/$defs/n"},
        [{}, {"next": {"next": {}}}, {"next": {"next": 1}}, 1],
    ),
]


@pytest.mark.parametrize(("schema_doc", "values"), CORNERS)
def test_each_keyword_agrees_with_jsonschema_on_its_corner_cases(schema_doc: dict[str, Any], values: list[Any]) -> None:
    quick = fast_schema.compile_schema(schema_doc)
    for value in values:
        assert quick(value) == jsonschema.Draft202012Validator(schema_doc).is_valid(value), (schema_doc, value)


@pytest.mark.parametrize(
    "unknown",
    [
        {"patternProperties": {"^a": {}}},
        {"properties": {"a": {"format": "email"}}},
        {"$ref": "https://example.org/schema"},
        {"$ref": "#/$defs/missing"},
        {"$defs": {"x": {"uniqueItems": True}}, "items": {"$ref": "#/$defs/x"}},
        {"type": "decimal"},
    ],
)
def test_a_schema_with_a_keyword_it_does_not_know_is_refused_when_compiled(unknown: dict[str, Any]) -> None:
    with pytest.raises(fast_schema.Unsupported):
        fast_schema.compile_schema(unknown)


def test_an_invalid_document_is_still_explained_by_jsonschema() -> None:
    problem = schema_problem({"format": "oscb-bundle"}, "manifest.schema.json")
    assert problem is not None and "required" in problem
