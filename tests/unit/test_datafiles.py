"""Data files read without trusting them: size capped before parsing, alias bombs refused, problems named."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from oscb_desktop import datafiles
from oscb_desktop.datafiles import DataFileError, parse_yaml, read_text

BOMB = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]" for n in range(9)]
)


def test_a_yaml_alias_bomb_is_refused_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(DataFileError, match="YAML aliases"):
        parse_yaml(BOMB, "bomb.yaml")
    assert time.monotonic() - started < 5  # it never walks the billion values


def test_honest_aliases_are_allowed() -> None:
    data = parse_yaml("cols: &c [{id: a}, {id: b}]\nfirst: *c\nsecond: *c\n", "ok.yaml")
    assert data["first"] == data["second"] == [{"id": "a"}, {"id": "b"}]


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"x: " + b"y" * (datafiles.MAX_DATA_FILE_BYTES + 10))
    with pytest.raises(DataFileError, match="larger than"):
        read_text(big)


def test_dates_stay_text_and_bad_yaml_names_the_place() -> None:
    assert parse_yaml("deadline: 2027-03-31\n", "x.yaml") == {"deadline": "2027-03-31"}
    with pytest.raises(DataFileError) as caught:
        parse_yaml("a: [1, 2\n", "x.yaml")
    assert caught.value.file == "x.yaml" and caught.value.path.startswith("line ")


def test_a_schema_problem_names_the_key_without_echoing_a_huge_value() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 10}}}
    with pytest.raises(DataFileError) as caught:
        datafiles.validate({"name": "x" * 100_000}, schema, "p.yaml")
    assert caught.value.path == "name" and len(str(caught.value)) < 400
