"""The published JSON Schemas and the format document agree with the code."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
from helpers.bundle_kit import members_of

from oscb_desktop import paths
from oscb_desktop.bundle import CODE_MEANINGS, Code, limits
from oscb_desktop.bundle.model import MANIFEST_SCHEMA, SUBMISSION_SCHEMA, parse_json, schema, schema_problem

DOC = Path(__file__).resolve().parents[3] / "docs" / "bundle-format.md"


@pytest.mark.parametrize("name", [MANIFEST_SCHEMA, SUBMISSION_SCHEMA])
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    assert paths.resource("schemas", name).is_file()
    loaded = schema(name)
    assert loaded["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(loaded)
    assert loaded["description"]


def test_schema_limits_match_the_code() -> None:
    members = schema(MANIFEST_SCHEMA)["properties"]["members"]
    assert members["maxItems"] == limits.MAX_ATTACHMENTS + len(limits.LISTED_FIXED_MEMBERS)
    assert members["minItems"] == len(limits.LISTED_FIXED_MEMBERS)
    assert members["items"]["properties"]["size"]["maximum"] == limits.MAX_BUNDLE_BYTES
    pattern = members["items"]["properties"]["path"]["pattern"]
    assert f"{{0,{limits.MAX_ATTACHMENT_NAME_CHARS - 1}}}" in pattern
    for fixed in limits.LISTED_FIXED_MEMBERS:
        assert re.fullmatch(pattern, fixed)
    for other in ("manifest.json", "manifest.sig", "attachments/../x", "attachments/a/b", "attachments/.hidden"):
        assert not re.fullmatch(pattern, other)


def test_bundle_members_match_the_schemas(bundle: bytes) -> None:
    members = members_of(bundle)
    assert schema_problem(parse_json(members["manifest.json"]), MANIFEST_SCHEMA) is None
    assert schema_problem(parse_json(members["submission.json"]), SUBMISSION_SCHEMA) is None
    assert schema_problem(parse_json(members["audit.json"]), SUBMISSION_SCHEMA, "/$defs/audit_log") is None


def test_schema_problems_say_where(bundle: bytes) -> None:
    manifest = parse_json(members_of(bundle)["manifest.json"])
    manifest["members"][1]["sha256"] = "not a hash"
    problem = schema_problem(manifest, MANIFEST_SCHEMA)
    assert problem is not None and problem.startswith("members[1].sha256:")


def test_every_code_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert set(CODE_MEANINGS) == set(Code)
    for code in Code:
        assert f"| `{code.value}` |" in text, f"{code.value} is missing from the codes table in {DOC.name}"
    documented = re.findall(r"^\| `([a-z_]+)` \| [0-9—, ]+ \|", text, flags=re.MULTILINE)
    assert documented == [c.value for c in Code], "the codes table should list the codes in checking order"


def test_documented_limits_match_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert f"| one evidence file | {limits.megabytes(limits.MAX_ATTACHMENT_BYTES)} |" in text
    assert f"| evidence files per bundle | {limits.MAX_ATTACHMENTS} |" in text
    assert f"| {limits.megabytes(limits.MAX_BUNDLE_BYTES)} |" in text
    assert f"| zip entries | {limits.MAX_ZIP_ENTRIES} |" in text
    assert f"| {limits.MAX_COMPRESSION_RATIO} |" in text
