"""Broken form definitions: every kind of mistake is reported with the file, the key path and why."""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from oscb_desktop import paths
from oscb_desktop.cli import main
from oscb_desktop.forms import FormDefinitionError, FormRegistry, load_file

#: A small definition using every feature the checks look at; each test breaks one thing.
GOOD: dict[str, Any] = {
    "format": 1,
    "id": "demo",
    "version": "1.0",
    "title": "Demo return",
    "period": "2026/27",
    "deadline": "2027-03-31",
    "scales": {
        "rag": {
            "name": "Red / Green",
            "levels": [
                {"id": "green", "label": "Green", "percentage": 100, "colour": "#00aa00"},
                {"id": "red", "label": "Red", "percentage": 0, "colour": "#aa0000"},
            ],
        }
    },
    "choice_lists": {"colours": [{"id": "blue", "label": "Blue"}, {"id": "pink", "label": "Pink"}]},
    "sections": [
        {
            "id": "one",
            "title": "One",
            "items": [
                {
                    "id": "one.rating",
                    "type": "rating",
                    "label": "Rate",
                    "guidance": "g",
                    "scale": "rag",
                    "required": True,
                },
                {"id": "one.text", "type": "short_text", "label": "Text", "guidance": "g"},
                {"id": "one.choice", "type": "choice", "label": "Pick", "guidance": "g", "options": "colours"},
                {
                    "id": "one.actions",
                    "type": "table",
                    "label": "Actions",
                    "guidance": "g",
                    "columns": [{"id": "action", "type": "short_text", "label": "Action"}],
                },
            ],
            "rules": [
                {
                    "id": "low",
                    "when": {"any_rating_in": ["red"]},
                    "require": {"item": "one.actions", "min_rows": 1, "row_fields": ["action"]},
                    "message": "Add an action.",
                }
            ],
        },
        {
            "id": "two",
            "title": "Two",
            "items": [{"id": "two.count", "type": "number", "label": "Count", "guidance": "g", "min": 0, "max": 10}],
        },
    ],
    "rules": [
        {
            "id": "pink_needs_text",
            "when": {"item": "one.choice", "equals": "pink"},
            "require": {"item": "one.text"},
            "message": "Say why pink.",
        }
    ],
}


def write(folder: Path, data: Any, name: str = "demo.yaml") -> Path:
    file = folder / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return file


def broken(mutate: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    mutate(data)
    return data


def load_error(file: Path) -> FormDefinitionError:
    with pytest.raises(FormDefinitionError) as info:
        load_file(file)
    err = info.value
    assert err.file == str(file)
    assert str(err).startswith(f"{file}: ")
    if err.path:
        assert f": {err.path}: " in str(err)
    return err


def test_the_good_definition_loads(tmp_path: Path) -> None:
    form = load_file(write(tmp_path, GOOD))
    assert form.key == ("demo", "1.0")
    assert [i.id for i in form.items()] == ["one.rating", "one.text", "one.choice", "one.actions", "two.count"]


def test_kind_and_roles_are_found_by_name(tmp_path: Path) -> None:
    def mark(d: dict[str, Any]) -> None:
        d["kind"] = "impact_assessment"
        _item(0, 1)(d)["role"] = "improvement_areas"
        _item(0, 3)(d)["role"] = "service_changes"

    form = load_file(write(tmp_path, broken(mark)))
    assert form.kind == "impact_assessment"
    assert form.item_with_role("improvement_areas") is form.item("one.text")
    assert form.item_with_role("service_changes") is form.item("one.actions")
    assert form.item_with_role("risks") is None
    assert form.item("one.text").role == "improvement_areas" and form.item("one.choice").role is None
    plain = load_file(write(tmp_path, GOOD, "plain.yaml"))
    assert plain.kind is None and plain.item_with_role("improvement_areas") is None


def test_registry_finds_forms_by_kind(tmp_path: Path) -> None:
    write(tmp_path, broken(lambda d: d.update(kind="self_assessment")), "a.yaml")
    write(tmp_path, broken(lambda d: d.update(id="other", kind="self_assessment", period="2025/26")), "b.yaml")
    write(tmp_path, broken(lambda d: d.update(id="impact", kind="impact_assessment")), "c.yaml")
    write(tmp_path, broken(lambda d: d.update(id="plain")), "d.yaml")
    # the newest version of a form decides: an older one of another kind does not count...
    write(tmp_path, broken(lambda d: d.update(version="0.9", kind="impact_assessment")), "e.yaml")
    reg = FormRegistry.load(tmp_path)
    assert reg.errors == []
    assert reg.ids_of_kind("self_assessment") == ["demo", "other"]
    assert reg.ids_of_kind("self_assessment", "2026/27") == ["demo"]
    assert reg.ids_of_kind("self_assessment", "2024/25") == []
    assert reg.ids_of_kind("impact_assessment") == ["impact"]
    write(tmp_path, broken(lambda d: d.update(version="1.1")), "f.yaml")  # ...and a newer one without a kind does
    assert FormRegistry.load(tmp_path).ids_of_kind("self_assessment") == ["other"]


def _item(section: int, item: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda d: d["sections"][section]["items"][item]


CASES = {
    "missing key": (lambda d: d.pop("sections"), "", ["missing key", "'sections'"]),
    "unknown key at the top": (lambda d: d.update(colour="red"), "", ["unknown key", "'colour'"]),
    "unknown key in an item": (
        lambda d: _item(0, 1)(d).update(colour="red"),
        "sections[0].items[1]",
        ["unknown key", "'colour'"],
    ),
    "wrong type": (lambda d: d.update(title=5), "title", ["5 is not of type 'string'"]),
    "wrong type deep": (
        lambda d: _item(0, 1)(d).update(required="yes"),
        "sections[0].items[1].required",
        ["'yes' is not of type 'boolean'"],
    ),
    "unquoted version": (lambda d: d.update(version=2026.1), "version", ["not of type 'string'"]),
    "unknown item type": (
        lambda d: _item(0, 1)(d).update(type="slider"),
        "sections[0].items[1].type",
        ["'slider' is not one of", "'rating'"],
    ),
    "rating without scale": (lambda d: _item(0, 0)(d).pop("scale"), "sections[0].items[0]", ["'scale'"]),
    "rating with a scale that does not exist": (
        lambda d: _item(0, 0)(d).update(scale="bgar"),
        "sections[0].items[0].scale",
        ["no scale named 'bgar'", "known: rag"],
    ),
    "duplicate item id": (
        lambda d: d["sections"][1]["items"].append(
            {"id": "one.text", "type": "short_text", "label": "Again", "guidance": "g"}
        ),
        "sections[1].items[1].id",
        ["'one.text'", "already used at sections[0].items[1]"],
    ),
    "duplicate section id": (
        lambda d: d["sections"][1].update(id="one"),
        "sections[1].id",
        ["section id 'one' is used twice"],
    ),
    "choice list reference missing": (
        lambda d: _item(0, 2)(d).update(options="flavours"),
        "sections[0].items[2].options",
        ["no choice list named 'flavours'", "known: colours"],
    ),
    "duplicate option id": (
        lambda d: _item(0, 2)(d).update(options=[{"id": "a", "label": "A"}, {"id": "a", "label": "A again"}]),
        "sections[0].items[2].options[1].id",
        ["'a' is used twice"],
    ),
    "duplicate column id": (
        lambda d: _item(0, 3)(d)["columns"].append({"id": "action", "type": "date", "label": "Again"}),
        "sections[0].items[3].columns[1].id",
        ["column id 'action' is used twice"],
    ),
    "choice column without options": (
        lambda d: _item(0, 3)(d)["columns"].append({"id": "status", "type": "choice", "label": "Status"}),
        "sections[0].items[3].columns[1]",
        ["needs options"],
    ),
    "reserved level id": (
        lambda d: d["scales"]["rag"]["levels"][1].update(id="na"),
        "scales.rag.levels[1].id",
        ["'na'", "reserved"],
    ),
    "section rule requires a missing item": (
        lambda d: d["sections"][0]["rules"][0]["require"].update(item="one.nope"),
        "sections[0].rules[0].require.item",
        ["no item with id 'one.nope'"],
    ),
    "form rule depends on a missing item": (
        lambda d: d["rules"][0]["when"].update(item="one.nope"),
        "rules[0].when.item",
        ["no item with id 'one.nope'"],
    ),
    "required_if names a missing item": (
        lambda d: _item(0, 1)(d).update(required_if={"item": "zzz.q", "equals": True}),
        "sections[0].items[1].required_if.item",
        ["no item with id 'zzz.q'"],
    ),
    "row_fields names a missing column": (
        lambda d: d["sections"][0]["rules"][0]["require"].update(row_fields=["action", "owner"]),
        "sections[0].rules[0].require.row_fields",
        ["table 'one.actions' has no column 'owner'"],
    ),
    "min_rows on an item that is not a table": (
        lambda d: d["rules"][0]["require"].update(min_rows=1),
        "rules[0].require",
        ["need a table item", "short_text"],
    ),
    "any_rating_in at form level": (
        lambda d: d["rules"][0].update(when={"any_rating_in": ["red"]}),
        "rules[0].when",
        ["only be used in a section's rules"],
    ),
    "any_rating_in with an unknown level": (
        lambda d: d["sections"][0]["rules"][0]["when"].update(any_rating_in=["purple"]),
        "sections[0].rules[0].when.any_rating_in",
        ["level 'purple'"],
    ),
    "min greater than max": (
        lambda d: _item(1, 0)(d).update(min=11),
        "sections[1].items[0].min",
        ["min (11) is greater than max (10)"],
    ),
    "deadline that is not a real date": (
        lambda d: d.update(deadline="2027-02-30"),
        "deadline",
        ["'2027-02-30' is not a real date"],
    ),
    "deadline in another format": (lambda d: d.update(deadline="31/03/2027"), "deadline", ["31/03/2027"]),
    "format from the future": (lambda d: d.update(format=2), "format", ["1 was expected"]),
    "unknown kind of form": (
        lambda d: d.update(kind="survey"),
        "kind",
        ["'survey' is not one of", "'self_assessment'"],
    ),
    "unknown role": (
        lambda d: _item(0, 1)(d).update(role="budget"),
        "sections[0].items[1].role",
        ["'budget' is not one of", "'pressures'"],
    ),
    "the same role twice": (
        lambda d: (
            _item(0, 1)(d).update(role="improvement_areas"),
            d["sections"][1]["items"].append(
                {"id": "two.more", "type": "long_text", "label": "More", "guidance": "g", "role": "improvement_areas"}
            ),
        ),
        "sections[1].items[1].role",
        ["role 'improvement_areas'", "already given to the item at sections[0].items[1]"],
    ),
    "a role on an item of the wrong type": (
        lambda d: _item(0, 1)(d).update(role="pressures"),
        "sections[0].items[1].role",
        ["role 'pressures' needs an item of type ranked, not short_text"],
    ),
}


@pytest.mark.parametrize(("mutate", "path", "fragments"), CASES.values(), ids=CASES.keys())
def test_broken_definition_names_file_and_key(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], Any], path: str, fragments: list[str]
) -> None:
    err = load_error(write(tmp_path, broken(mutate)))
    assert err.path == path
    for fragment in fragments:
        assert fragment in err.message


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("format: 1\nid: [unclosed\n", "line 3, column 1", "expected ',' or ']'"),
        ("format: 1\nid: demo\n  title: indented\n", "line 3, column 8", "mapping values are not allowed"),
        ("format: 1\n\tid: demo\n", "line 2, column 1", "tab"),
    ],
)
def test_invalid_yaml_gives_line_and_column(tmp_path: Path, text: str, where: str, problem: str) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text(text, encoding="utf-8")
    err = load_error(file)
    assert err.path == where
    assert "is not valid YAML" in err.message and problem in err.message


@pytest.mark.parametrize("text", ["- a list\n- of things\n", "", "just some text\n", "42\n"])
def test_definition_that_is_not_a_mapping(tmp_path: Path, text: str) -> None:
    file = tmp_path / "list.yaml"
    file.write_text(text, encoding="utf-8")
    err = load_error(file)
    assert err.path == ""
    assert "must be a mapping" in err.message


def test_unreadable_file(tmp_path: Path) -> None:
    file = tmp_path / "latin1.yaml"
    file.write_bytes("title: Caf\xe9\n".encode("latin-1"))
    err = load_error(file)
    assert "cannot be read" in err.message
    missing = tmp_path / "missing.yaml"
    assert "cannot be read" in load_error(missing).message


def test_unquoted_dates_are_kept_as_written(tmp_path: Path) -> None:
    file = tmp_path / "dates.yaml"
    file.write_text(
        yaml.safe_dump(GOOD, sort_keys=False).replace("deadline: '2027-03-31'", "deadline: 2027-03-31"),
        encoding="utf-8",
    )
    assert "deadline: 2027-03-31\n" in file.read_text(encoding="utf-8")
    assert str(load_file(file).deadline) == "2027-03-31"
    file.write_text(file.read_text(encoding="utf-8").replace("2027-03-31", "2027-02-30"), encoding="utf-8")
    assert load_error(file).path == "deadline"


# --- a folder of definitions ----------------------------------------------------------------------


def test_registry_keeps_good_forms_and_lists_broken_ones(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "demo/1-0.yaml")
    bad = write(tmp_path, broken(lambda d: d.update(id="other", deadline="2027-02-30")), "other/broken.yml")
    reg = FormRegistry.load(tmp_path)
    assert list(reg.forms) == [("demo", "1.0")]
    (err,) = reg.errors
    assert err.file == str(bad) and err.path == "deadline"


def test_registry_refuses_the_same_id_and_version_twice(tmp_path: Path) -> None:
    first = write(tmp_path, GOOD, "a.yaml")
    second = write(tmp_path, broken(lambda d: d.update(title="Copy")), "b.yaml")
    reg = FormRegistry.load(tmp_path)
    assert reg.get("demo", "1.0").source == str(first)
    (err,) = reg.errors
    assert err.file == str(second)
    assert err.path == "version"
    assert "demo 1.0 is also defined in" in err.message and str(first) in err.message


def test_registry_picks_the_newest_version_for_a_period(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, broken(lambda d: d.update(version="1.10")), "b.yaml")
    write(tmp_path, broken(lambda d: d.update(version="1.9")), "c.yaml")
    reg = FormRegistry.load(tmp_path)
    assert [f.version for f in reg.for_period("2026/27")] == ["1.10"]
    assert reg.latest("demo").version == "1.10"
    with pytest.raises(KeyError, match=re.escape("No form definition demo version 9.9")):
        reg.get("demo", "9.9")


# --- the command line -----------------------------------------------------------------------------


def shipped() -> list[Path]:
    return sorted(paths.forms_dir().rglob("*.yaml"))


@pytest.mark.parametrize("file", shipped(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_cli_check_accepts_a_shipped_form(file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", "check", str(file)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"OK {file}: ")


def test_cli_check_reports_a_broken_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = paths.forms_dir() / "section11" / "2026-27.yaml"
    file = tmp_path / "next-year.yaml"
    shutil.copyfile(source, file)
    file.write_text(file.read_text(encoding="utf-8").replace("scale: bgar", "scale: bgra", 1), encoding="utf-8")
    assert main(["forms", "check", str(file)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("INVALID ")
    assert str(file) in out
    assert ".items[0].scale" in out and "no scale named 'bgra'" in out


def test_cli_list_prints_the_shipped_forms(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forms", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    keys = [tuple(line.split()[:3]) for line in lines]
    assert keys == [
        ("impact", "2026.1", "2026/27"),
        ("practitioner_survey", "2026.1", "2026/27"),
        ("section11", "2025.1", "2025/26"),
        ("section11", "2026.1", "2026/27"),
    ]
    assert "NOT LOADED" not in "\n".join(lines)
