"""Answers for tests, built from a form definition alone."""

from __future__ import annotations

from typing import Any

from oscb_desktop.forms import FormDefinition


def complete_answers(form: FormDefinition) -> dict[str, Any]:
    """A valid answer to every required item, built from the definition alone."""
    answers: dict[str, Any] = {}
    for item in form.items():
        if not item.required:
            continue
        if item.type == "rating":
            assert item.scale is not None
            level = next(lv for lv in item.scale.levels if "example" not in lv.requires)
            answers[item.id] = {"level": level.id, **{part: f"{part} for {item.id}" for part in level.requires}}
        elif item.type in ("short_text", "long_text"):
            answers[item.id] = f"Answer to {item.id}"
        elif item.type == "ranked":
            answers[item.id] = [{"category": o.id, "text": "Because."} for o in item.options[: item.ranks]]
        elif item.type == "yes_no":
            answers[item.id] = False
        elif item.type == "date":
            answers[item.id] = "2027-02-14"
        elif item.type in ("choice", "multi_choice"):
            first = item.options[0].id
            answers[item.id] = first if item.type == "choice" else [first]
        elif item.type == "number":
            answers[item.id] = item.minimum or 0
        else:
            raise AssertionError(f"complete_answers does not know how to answer {item.type} ({item.id})")
    return answers
