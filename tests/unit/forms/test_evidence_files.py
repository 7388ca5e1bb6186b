"""Evidence files in form definitions: which items take them, with what limits, and how they count as evidence."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from oscb_desktop import paths
from oscb_desktop.bundle import limits
from oscb_desktop.cli import main
from oscb_desktop.forms import FormDefinitionError, FormRegistry, load_file
from oscb_desktop.forms import files as ef
from oscb_desktop.forms.loader import load_data
from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.forms.rules import check, value_problems

SHA = "a" * 64
OTHER = "b" * 64
FILE = {"sha256": SHA, "name": "Board minutes.pdf", "size": 2048}

BASE: dict[str, Any] = {
    "format": 1,
    "id": "demo",
    "version": "1.0",
    "title": "Demo return",
    "period": "2026/27",
    "scales": {
        "bgar": {
            "name": "BGAR",
            "levels": [
                {
                    "id": "blue",
                    "label": "Blue",
                    "percentage": 100,
                    "colour": "#1f4e9c",
                    "requires": ["evidence", "example"],
                },
                {"id": "green", "label": "Green", "percentage": 75, "colour": "#1a9e74", "requires": ["evidence"]},
                {"id": "amber", "label": "Amber", "percentage": 50, "colour": "#f2b134"},
            ],
        }
    },
    "sections": [
        {
            "id": "s1",
            "title": "One",
            "items": [
                {"id": "s1.1", "type": "rating", "scale": "bgar", "label": "First", "guidance": "g", "required": True},
                {"id": "s1.2", "type": "rating", "scale": "bgar", "label": "Second", "guidance": "g"},
                {"id": "s1.note", "type": "long_text", "label": "Note", "guidance": "g"},
                {"id": "s1.docs", "type": "attachments", "label": "Docs", "guidance": "g", "max_files": 3},
            ],
        }
    ],
}


def build(form_files: dict[str, Any] | None = None, **item_files: Any) -> FormDefinition:
    data = copy.deepcopy(BASE)
    if form_files is not None:
        data["evidence_files"] = form_files
    for item in data["sections"][0]["items"]:
        key = item["id"].replace("s1.", "i")
        if key in item_files:
            item["evidence_files"] = item_files[key]
    return load_data(data, "test.yaml")


# Loading ------------------------------------------------------------------------------------------------


def test_a_form_without_evidence_files_loads_as_before() -> None:
    form = build()
    assert form.item("s1.1").files is None and form.item("s1.note").files is None
    docs = form.item("s1.docs")
    assert docs.max_files == 3 and docs.files == ef.default_policy(max_files=3)


def test_the_form_default_applies_to_every_rating_item() -> None:
    form = build({"max_files": 4, "max_file_mb": 2, "types": ["pdf", "text"], "count_as": "evidence"})
    for item_id in ("s1.1", "s1.2"):
        policy = form.item(item_id).files
        assert policy is not None
        assert (policy.max_files, policy.max_file_bytes, policy.types, policy.count_as) == (
            4,
            2 * 1024 * 1024,
            ("pdf", "text"),
            ("evidence",),
        )
    assert form.item("s1.note").files is None
    assert form.item("s1.docs").files == ef.default_policy(max_files=3), "attachments items keep their own"


def test_an_item_can_opt_out_or_change_the_default() -> None:
    form = build({"max_files": 4, "types": ["pdf"]}, i1=False, i2={"max_files": 1, "types": ["image"]})
    assert form.item("s1.1").files is None
    policy = form.item("s1.2").files
    assert policy is not None and policy.max_files == 1 and policy.types == ("image",)
    assert policy.max_file_bytes == ef.DEFAULT_MAX_FILE_MB * ef.MB, "what the item leaves out comes from the form"


def test_an_item_can_take_files_when_the_form_sets_none() -> None:
    form = build(None, i1=True, i2={"count_as": ["evidence", "example"]})
    assert form.item("s1.1").files == ef.default_policy()
    policy = form.item("s1.2").files
    assert policy is not None and policy.count_as == ("evidence", "example")


def test_an_attachments_item_can_limit_its_types() -> None:
    data = copy.deepcopy(BASE)
    docs = data["sections"][0]["items"][3]
    del docs["max_files"]
    docs["evidence_files"] = {"max_files": 2, "types": ["pdf"], "max_file_mb": 1}
    item = load_data(data, "x.yaml").item("s1.docs")
    assert item.max_files == 2 and item.files is not None and item.files.types == ("pdf",)


@pytest.mark.parametrize(
    ("change", "where", "why"),
    [
        (lambda d: d["sections"][0]["items"][2].update(evidence_files=True), "items[2].evidence_files", "only rating"),
        (
            lambda d: d["sections"][0]["items"][3].update(evidence_files={"count_as": "evidence"}),
            "items[3].evidence_files.count_as",
            "rating items only",
        ),
        (lambda d: d["sections"][0]["items"][3].update(evidence_files=False), "items[3].evidence_files", "always"),
        (
            lambda d: d["sections"][0]["items"][3].update(evidence_files={"max_files": 2}),
            "items[3].max_files",
            "once",
        ),
        (lambda d: d.update(evidence_files={"max_file_mb": 30}), "evidence_files.max_file_mb", ""),
        (lambda d: d.update(evidence_files={"types": ["exe"]}), "evidence_files.types", ""),
        (lambda d: d.update(evidence_files={"count_as": "reason"}), "evidence_files.count_as", ""),
        (lambda d: d.update(evidence_files={"max_files": 0}), "evidence_files.max_files", ""),
    ],
)
def test_mistakes_in_evidence_files_are_named(change: Any, where: str, why: str) -> None:
    data = copy.deepcopy(BASE)
    change(data)
    with pytest.raises(FormDefinitionError) as caught:
        load_data(data, "broken.yaml")
    assert where in str(caught.value)
    assert why in str(caught.value)


def test_the_schema_lists_the_kinds_of_file_the_code_knows() -> None:
    schema = json.loads((paths.forms_dir() / "form-definition.schema.json").read_text(encoding="utf-8"))
    kinds = schema["$defs"]["evidence_files"]["properties"]["types"]["items"]["enum"]
    assert tuple(kinds) == ef.ALL_TYPES == tuple(ef.TYPE_LABELS)
    size = schema["$defs"]["evidence_files"]["properties"]["max_file_mb"]["maximum"]
    assert size == ef.MAX_FILE_MB == limits.MAX_ATTACHMENT_BYTES // limits.MIB
    for kind, exts in ef.FILE_TYPES.items():
        assert all(f"{ext} " in kinds_described(schema) or f"{ext})" in kinds_described(schema) for ext in exts), kind


def kinds_described(schema: dict[str, Any]) -> str:
    return str(schema["$defs"]["evidence_files"]["properties"]["types"]["description"])


def test_every_rated_statement_of_the_shipped_section11_forms_takes_files() -> None:
    registry = FormRegistry.load()
    for version in ("2025.1", "2026.1"):
        form = registry.get("section11", version)
        ratings = [i for i in form.items() if i.type == "rating"]
        assert ratings
        for item in ratings:
            assert item.files is not None, item.id
            assert item.files.count_as == ("evidence",)
            assert set(item.files.types) == set(ef.ALL_TYPES)
            assert item.files.max_file_bytes <= limits.MAX_ATTACHMENT_BYTES
    impact = registry.get("impact", "2026.1").item("impact.evidence")
    assert impact.files is not None and impact.files.max_files == impact.max_files == 20


def test_forms_check_says_which_items_take_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = paths.forms_dir() / "section11" / "2026-27.yaml"
    assert main(["forms", "check", str(file)]) == 0
    out = capsys.readouterr().out
    assert "53 items take evidence files" in out
    data = copy.deepcopy(BASE)
    (tmp_path / "f.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["forms", "check", str(tmp_path / "f.yaml")]) == 0
    assert "1 item takes evidence files" in capsys.readouterr().out
    assert load_file(tmp_path / "f.yaml").item("s1.docs").files is not None


# Rules --------------------------------------------------------------------------------------------------


@pytest.fixture
def counting() -> FormDefinition:
    return build({"max_files": 2, "count_as": "evidence"}, i2={"count_as": []})


def rating(level: str, files: list[dict[str, Any]] | None = None, **parts: str) -> dict[str, Any]:
    value: dict[str, Any] = {"level": level, "evidence": "", "example": "", "reason": "", **parts}
    if files is not None:
        value["files"] = files
    return value


def test_a_green_with_only_an_attached_file_has_its_evidence(counting: FormDefinition) -> None:
    assert value_problems(counting.item("s1.1"), rating("green", [FILE])) == []
    assert check(counting, {"s1.1": rating("green", [FILE])}) == []


def test_a_green_with_neither_says_a_file_would_do(counting: FormDefinition) -> None:
    (message,) = value_problems(counting.item("s1.1"), rating("green"))
    assert message == "A Green rating needs evidence: describe it, or attach a file"


def test_files_do_not_stand_for_the_example_of_a_blue(counting: FormDefinition) -> None:
    (message,) = value_problems(counting.item("s1.1"), rating("blue", [FILE]))
    assert message == "A Blue rating needs a best-practice example"


def test_files_count_only_where_the_form_says_so(counting: FormDefinition) -> None:
    item = counting.item("s1.2")
    assert item.files is not None and item.files.count_as == ()
    assert value_problems(item, rating("green", [FILE])) == ["A Green rating needs evidence"]
    assert value_problems(item, rating("green", [FILE], evidence="Audit, May 2026")) == []


def test_more_files_than_allowed_is_a_problem(counting: FormDefinition) -> None:
    third = {**FILE, "sha256": "c" * 64}
    files = [FILE, {**FILE, "sha256": OTHER}, third]
    (message,) = value_problems(counting.item("s1.1"), rating("amber", files))
    assert message.startswith("At most 2 files can be attached here (3 are)")
    docs = counting.item("s1.docs")
    assert value_problems(docs, [*files, {**FILE, "sha256": "d" * 64}]) == [
        "At most 3 files can be attached here (4 are): remove some"
    ]


def test_files_on_a_statement_that_takes_none_are_a_problem() -> None:
    form = build({"max_files": 2}, i1=False)
    assert value_problems(form.item("s1.1"), rating("amber", [FILE])) == [
        "This statement does not take files: remove them"
    ]


def test_a_rating_whose_files_are_not_a_list_is_not_the_right_shape(counting: FormDefinition) -> None:
    from oscb_desktop.forms.rules import has_right_shape

    assert has_right_shape(counting.item("s1.1"), rating("green", [FILE]))
    assert not has_right_shape(counting.item("s1.1"), {**rating("green"), "files": "minutes.pdf"})
    assert not has_right_shape(counting.item("s1.1"), {**rating("green"), "files": ["minutes.pdf"]})


# The files module ---------------------------------------------------------------------------------------


def test_files_of_and_with_files_round_trip(counting: FormDefinition) -> None:
    item, docs = counting.item("s1.1"), counting.item("s1.docs")
    value = ef.with_files(item, rating("green", evidence="Minutes"), [FILE])
    assert value["files"] == [FILE] and value["evidence"] == "Minutes"
    assert ef.files_of(item, value) == [FILE]
    assert "files" not in ef.with_files(item, value, [])
    assert ef.with_files(item, None, [FILE]) == {**rating(""), "files": [FILE]}
    assert ef.with_files(item, {**rating(""), "files": [FILE]}, []) is None, "nothing left: no answer"
    assert ef.with_files(docs, [FILE], []) is None
    assert ef.files_of(docs, [FILE, "junk"]) == [FILE]
    carried = ef.carried(item, value)
    assert carried["files"] == [{**FILE, "carried": True}] and "carried" not in value["files"][0]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (FILE, None),
        ({**FILE, "added": "2026-11-22T10:30:00.000Z", "carried": True}, None),
        ({"sha256": SHA, "name": "x.pdf"}, "no size"),
        ({**FILE, "sha256": SHA.upper()}, "lower-case hex"),
        ({**FILE, "name": " "}, "name is empty"),
        ({**FILE, "size": -1}, "not a number of bytes"),
        ({**FILE, "size": True}, "not a number of bytes"),
        ({**FILE, "added": "yesterday"}, "ISO 8601"),
        ({**FILE, "carried": "yes"}, "true or false"),
        ({**FILE, "path": "/etc/passwd"}, "unknown key 'path'"),
        ("x.pdf", "not a file"),
    ],
)
def test_entry_problems(entry: Any, problem: str | None) -> None:
    found = ef.entry_problem(entry)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_a_file_attached_twice_is_a_shape_problem(counting: FormDefinition) -> None:
    assert (
        ef.files_problem(counting.item("s1.1"), rating("green", [FILE, FILE]))
        == "'Board minutes.pdf' is attached twice"
    )


@pytest.mark.parametrize(
    ("name", "head", "ok"),
    [
        ("policy.pdf", b"%PDF-1.7\n...", True),
        ("policy.PDF", b"\xef\xbb\xbf%PDF-1.4", True),
        ("policy.pdf", b"MZ\x90\x00\x03\x00\x00\x00", False),
        ("minutes.docx", b"PK\x03\x04\x14\x00", True),
        ("minutes.docx", b"%PDF-1.4", False),
        ("minutes.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", True),
        ("minutes.doc", b"{\\rtf1\\ansi", True),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", True),
        ("photo.png", b"\xff\xd8\xff\xe0", False),
        ("photo.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", True),
        ("notes.txt", b"Minutes of the board, 12 May 2026", True),
        ("notes.txt", "Minutes".encode("utf-16"), True),
        ("notes.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00", False),
        ("export.xls", b"<html><table>", True),
        ("mail.eml", b"From: a@example.org\r\nSubject: x\r\n", True),
        ("mail.msg", b"From: a", False),
        ("tool.exe", b"MZ", True),  # not a kind we know: the allow-list refuses it, not this check
    ],
)
def test_content_must_be_what_the_name_says(name: str, head: bytes, ok: bool) -> None:
    problem = ef.content_problem(name, head)
    assert (problem is None) == ok, problem


def test_kinds_and_words() -> None:
    policy = ef.default_policy()
    assert ef.kind_of("Audit 2026.XLSX") == "excel" and ef.kind_of("run.exe") is None and ef.kind_of(".pdf") is None
    assert ef.allowed(policy, "minutes.eml") and not ef.allowed(policy, "macro.docm")
    assert ef.types_text(policy).startswith("PDF, Word, Excel, PowerPoint, OpenDocument, image, plain text or email")
    assert ef.types_text(dataclasses.replace(policy, types=("pdf",))) == "PDF files"
    assert [ef.size_text(n) for n in (1, 900, 1740, 10_200, 48 * 1024, int(3.2 * ef.MB), 12 * ef.MB)] == [
        "1 byte",
        "900 bytes",
        "1.7 KB",
        "10 KB",
        "48 KB",
        "3.2 MB",
        "12 MB",
    ]
