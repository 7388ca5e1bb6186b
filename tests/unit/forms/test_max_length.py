"""Every text answer has a maximum length: the form's own, or a default by type that the schema states."""

from __future__ import annotations

import json

from oscb_desktop import paths
from oscb_desktop.forms import load_text
from oscb_desktop.forms.model import LONG_TEXT_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH, default_max_length

DEFINITION = """
format: 1
id: limits_demo
version: "1.0"
title: Limits demo
period: "2026/27"
scales:
  rag:
    name: Red / Green
    levels:
      - {id: green, label: Green, percentage: 100, colour: "#00aa00"}
      - {id: red, label: Red, percentage: 0, colour: "#aa0000"}
sections:
  - id: s
    title: S
    items:
      - {id: name, type: short_text, label: Name, guidance: g}
      - {id: story, type: long_text, label: Story, guidance: g}
      - {id: capped, type: long_text, label: Capped, guidance: g, max_length: 300}
      - {id: rate, type: rating, label: Rate, guidance: g, scale: rag}
      - {id: top, type: ranked, label: Top, guidance: g, ranks: 2, options: [{id: a, label: A}]}
      - {id: count, type: number, label: Count, guidance: g}
      - id: plan
        type: table
        label: Plan
        guidance: g
        columns:
          - {id: what, type: long_text, label: What}
          - {id: who, type: short_text, label: Who}
          - {id: who2, type: short_text, label: Who else, max_length: 40}
          - {id: when, type: date, label: When}
"""


def test_defaults_by_type() -> None:
    assert (SHORT_TEXT_MAX_LENGTH, LONG_TEXT_MAX_LENGTH) == (500, 20_000)
    assert default_max_length("short_text") == 500
    assert default_max_length("long_text") == default_max_length("rating") == default_max_length("ranked") == 20_000
    assert default_max_length("number") is None


def test_items_without_a_limit_get_the_default() -> None:
    form = load_text(DEFINITION)
    assert form.item("name").max_length == 500
    assert form.item("story").max_length == 20_000
    assert form.item("capped").max_length == 300
    assert form.item("rate").max_length == 20_000
    assert form.item("top").max_length == 20_000
    assert form.item("count").max_length is None
    cols = {c.id: c.max_length for c in form.item("plan").columns}
    assert cols == {"what": 20_000, "who": 500, "who2": 40, "when": None}


def test_the_schema_states_the_defaults() -> None:
    schema = json.loads(paths.forms_dir().joinpath("form-definition.schema.json").read_text(encoding="utf-8"))
    for where in (schema["$defs"]["item"], schema["$defs"]["column"]):
        description = where["properties"]["max_length"]["description"]
        assert "500" in description and "20,000" in description
