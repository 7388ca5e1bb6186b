"""Edge cases of the rules engine on a small definition written for them."""

from __future__ import annotations

from typing import Any

import pytest

from oscb_desktop.forms import FormDefinition, check, completion, load_text, section_completion
from oscb_desktop.forms.rules import Completion, is_required

DEFINITION = """
format: 1
id: rules_demo
version: "1.0"
title: Rules demo
period: "2026/27"
scales:
  rag:
    name: Red / Green
    levels:
      - {id: green, label: Green, percentage: 100, colour: "#00aa00", requires: [evidence]}
      - {id: red, label: Red, percentage: 0, colour: "#aa0000"}
    not_applicable: {label: Not applicable, colour: "#888888", requires: [reason]}
sections:
  - id: priorities
    title: Priorities
    items:
      - id: top
        type: ranked
        label: Top three
        guidance: g
        required: true
        ranks: 3
        max_length: 50
        options:
          - {id: a, label: A}
          - {id: b, label: B}
          - {id: c, label: C}
          - {id: d, label: D}
  - id: figures
    title: Figures
    items:
      - {id: staff, type: number, label: Staff, guidance: g, required: true, min: 0, max: 100, integer: true}
      - {id: ratio, type: number, label: Ratio, guidance: g, min: 0, max: 1}
      - {id: when, type: date, label: When, guidance: g, required: true}
  - id: plans
    title: Plans
    items:
      - id: rating
        type: rating
        label: Rate
        guidance: g
        scale: rag
      - id: actions
        type: table
        label: Actions
        guidance: g
        min_rows: 2
        max_rows: 3
        required_if: {item: rating, equals: red}
        columns:
          - {id: action, type: short_text, label: Action, required: true, max_length: 20}
          - {id: due, type: date, label: Due by}
          - {id: cost, type: number, label: Cost, min: 0}
          - {id: done, type: yes_no, label: Done}
          - id: status
            type: choice
            label: Status
            options: [{id: open, label: Open}, {id: closed, label: Closed}]
    rules:
      - id: red_needs_an_action
        when: {any_rating_in: [red]}
        require: {item: actions, min_rows: 1, row_fields: [action]}
        message: A Red rating needs an action.
  - id: conditions
    title: Conditions
    items:
      - {id: restructure, type: yes_no, label: "Restructured?", guidance: g, required: true}
      - id: restructure_detail
        type: long_text
        label: Detail
        guidance: g
        required_if: {item: restructure, equals: true}
      - id: colour
        type: choice
        label: Colour
        guidance: g
        options: [{id: pink, label: Pink}, {id: blue, label: Blue}]
      - {id: colour_why, type: short_text, label: Why, guidance: g, required_if: {item: colour, in: [pink]}}
      - {id: notes, type: long_text, label: Notes, guidance: g}
      - {id: notes_source, type: short_text, label: Source, guidance: g, required_if: {item: notes, answered: true}}
      - {id: headcount, type: number, label: Headcount, guidance: g}
      - {id: headcount_why, type: short_text, label: Why one, guidance: g, required_if: {item: headcount, equals: 1}}
"""


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return load_text(DEFINITION, "rules-demo.yaml")


def messages(form: FormDefinition, answers: dict[str, Any], item_id: str) -> list[str]:
    return [p.message for p in check(form, answers) if p.item_id == item_id]


#: How a bad date is reported (the example date in the message is the app's display format).
BAD_DATE = "must be a date"


def rank(category: Any, text: Any = "Because.") -> dict[str, Any]:
    return {"category": category, "text": text}


# --- ranked ---------------------------------------------------------------------------------------


def test_all_ranks_given_is_fine(form: FormDefinition) -> None:
    assert messages(form, {"top": [rank("a"), rank("b"), rank("c")]}, "top") == []


def test_fewer_ranks_than_required(form: FormDefinition) -> None:
    problems = [p for p in check(form, {"top": [rank("a")]}) if p.item_id == "top"]
    assert [(p.message, p.kind) for p in problems] == [("Give all 3 ranks (1 so far)", "missing")]


def test_repeated_category(form: FormDefinition) -> None:
    found = messages(form, {"top": [rank("a"), rank("a"), rank("b")]}, "top")
    assert found == ["Rank 2 repeats a category already ranked higher"]


def test_ranked_entries_that_are_not_dicts_do_not_crash(form: FormDefinition) -> None:
    found = messages(form, {"top": ["a", None, rank("b")]}, "top")
    assert "Rank 1 is not a ranked answer" in found
    assert "Rank 2 is not a ranked answer" in found
    assert "Give all 3 ranks (1 so far)" in found


@pytest.mark.parametrize("value", ["a, b, c", {"category": "a", "text": "x"}, 3, [None, 5, "x"], [], [{}]])
def test_ranked_value_of_the_wrong_shape_is_not_an_answer(form: FormDefinition, value: Any) -> None:
    found = messages(form, {"top": value}, "top")
    assert found[0] == "Not answered yet"


def test_ranked_entry_problems(form: FormDefinition) -> None:
    value = [rank("z"), {}, rank(None, "text only"), rank("b", "x" * 51), rank("c")]
    found = messages(form, {"top": value}, "top")
    assert "Rank 1: 'z' is not one of the categories" in found
    assert "Rank 2 is empty" in found
    assert "Rank 3 needs a category" in found
    assert "Only 3 ranks are allowed" in found
    assert "Rank 1 needs an explanation" not in found
    assert messages(form, {"top": [rank("a", " "), rank("b"), rank("c")]}, "top") == ["Rank 1 needs an explanation"]
    assert messages(form, {"top": [rank("a", "x" * 51), rank("b"), rank("c")]}, "top") == [
        "Rank 1 is 51 characters long; the limit is 50"
    ]


# --- numbers and dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (101, "The answer must be at most 100"),
        (-1, "The answer must be at least 0"),
        (2.5, "The answer must be a whole number"),
        (float("nan"), "The answer must be a number"),
        (float("inf"), "The answer must be a number"),
    ],
)
def test_number_out_of_range_or_not_whole(form: FormDefinition, value: Any, expected: str) -> None:
    assert messages(form, {"staff": value}, "staff") == [expected]


@pytest.mark.parametrize("value", [0, 100, 42, 7.0])
def test_number_in_range(form: FormDefinition, value: Any) -> None:
    assert messages(form, {"staff": value}, "staff") == []


def test_fractional_limits(form: FormDefinition) -> None:
    assert messages(form, {"ratio": 0.25}, "ratio") == []
    assert messages(form, {"ratio": 1.5}, "ratio") == ["The answer must be at most 1"]


@pytest.mark.parametrize("value", [True, False, "12", None])
def test_non_numbers_are_not_a_number_answer(form: FormDefinition, value: Any) -> None:
    assert messages(form, {"staff": value}, "staff") == ["Not answered yet"]


@pytest.mark.parametrize("value", ["2027-02-30", "31/03/2027", "2027-3-31", "tomorrow", 20270331, ["2027-03-31"]])
def test_invalid_dates(form: FormDefinition, value: Any) -> None:
    (message,) = messages(form, {"when": value}, "when")
    assert message.startswith(f"The answer {BAD_DATE}")


def test_valid_date(form: FormDefinition) -> None:
    assert messages(form, {"when": "2028-02-29"}, "when") == []


@pytest.mark.parametrize("value", ["20270331", "2027-W13-3"])
def test_dates_in_other_iso_forms_are_refused(form: FormDefinition, value: str) -> None:
    assert any(BAD_DATE in m for m in messages(form, {"when": value}, "when"))


# --- tables ---------------------------------------------------------------------------------------

GOOD_ROW = {"action": "Train staff", "due": "2027-01-31", "cost": 10, "done": False, "status": "open"}


def test_table_rows_are_checked_cell_by_cell(form: FormDefinition) -> None:
    rows = [
        {**GOOD_ROW, "action": "   "},
        {**GOOD_ROW, "due": "2027-13-01", "cost": -5, "status": "maybe", "done": "yes"},
        "not a row",
        {**GOOD_ROW, "action": "x" * 21},
    ]
    found = messages(form, {"actions": rows}, "actions")
    assert "Row 1: Action is required" in found
    assert any(m.startswith(f"Row 2: Due by {BAD_DATE}") for m in found)
    assert "Row 2: Cost must be at least 0" in found
    assert "Row 2: Status: 'maybe' is not one of the choices" in found
    assert "Row 2: Done must be yes or no" in found
    assert "Row 3 is not a row" in found
    assert "Row 4: Action is 21 characters long; the limit is 20" in found
    assert "At most 3 rows are allowed" in found


def test_blank_optional_cells_are_fine(form: FormDefinition) -> None:
    rows = [{"action": "Train staff"}, {"action": "Audit", "due": "", "cost": None, "status": ""}]
    assert messages(form, {"actions": rows}, "actions") == []


def test_required_table_needs_its_minimum_rows(form: FormDefinition) -> None:
    answers: dict[str, Any] = {"rating": {"level": "red"}, "actions": [GOOD_ROW]}
    assert messages(form, answers, "actions") == ["Add at least 2 rows"]
    answers["actions"] = [GOOD_ROW, GOOD_ROW]
    assert messages(form, answers, "actions") == []
    assert messages(form, {"rating": {"level": "red"}}, "actions") == [
        "Not answered yet",
        "A Red rating needs an action.",
    ]


# --- conditions -----------------------------------------------------------------------------------


def test_required_if_equals(form: FormDefinition) -> None:
    assert messages(form, {"restructure": True}, "restructure_detail") == ["Not answered yet"]
    assert messages(form, {"restructure": True, "restructure_detail": "Merged teams"}, "restructure_detail") == []
    assert messages(form, {"restructure": False}, "restructure_detail") == []
    assert messages(form, {}, "restructure_detail") == []


@pytest.mark.parametrize("value", [1, 1.0, "true", "yes", [True]])
def test_equals_true_is_not_matched_by_other_truthy_values(form: FormDefinition, value: Any) -> None:
    item = form.item("restructure_detail")
    assert not is_required(form, item, {"restructure": value})


def test_equals_one_is_not_matched_by_true(form: FormDefinition) -> None:
    item = form.item("headcount_why")
    assert is_required(form, item, {"headcount": 1})
    assert not is_required(form, item, {"headcount": True})
    assert not is_required(form, item, {"headcount": "1"})


def test_equals_one_is_matched_by_the_float_one(form: FormDefinition) -> None:
    assert is_required(form, form.item("headcount_why"), {"headcount": 1.0})


def test_required_if_in(form: FormDefinition) -> None:
    assert messages(form, {"colour": "pink"}, "colour_why") == ["Not answered yet"]
    assert messages(form, {"colour": "blue"}, "colour_why") == []


def test_required_if_answered(form: FormDefinition) -> None:
    assert messages(form, {"notes": "Inspected"}, "notes_source") == ["Not answered yet"]
    assert messages(form, {"notes": "   "}, "notes_source") == []


def test_required_if_on_a_rating_compares_its_level(form: FormDefinition) -> None:
    assert is_required(form, form.item("actions"), {"rating": {"level": "red"}})
    assert not is_required(form, form.item("actions"), {"rating": {"level": "green", "evidence": "x"}})


# --- ratings --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"level": "green"}, ["A Green rating needs evidence"]),
        ({"level": "green", "evidence": "Minutes"}, []),
        ({"level": "na"}, ["'Not applicable' needs a reason why it does not apply"]),
        ({"level": "purple"}, ["'purple' is not a level of the Red / Green scale"]),
        ({"level": "red", "evidence": 5}, ["Evidence must be text"]),
    ],
)
def test_rating_values(form: FormDefinition, value: dict[str, Any], expected: list[str]) -> None:
    assert messages(form, {"rating": value}, "rating") == expected


# --- malformed values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_id", "value"),
    [
        ("top", [None, 3, "x", [], {"category": 5, "text": 3}]),
        ("staff", "many"),
        ("when", {"y": 2027}),
        ("actions", "not rows"),
        ("actions", {"action": "a dict, not a list"}),
        ("rating", "green"),
        ("rating", {"evidence": "no level"}),
        ("restructure", "no"),
        ("colour", 3),
    ],
)
def test_malformed_values_give_problems_not_exceptions(form: FormDefinition, item_id: str, value: Any) -> None:
    problems = check(form, {item_id: value})
    assert isinstance(problems, list)
    completion(form, {item_id: value})


@pytest.mark.parametrize(
    ("item_id", "value"),
    [
        ("actions", 5),
        ("rating", ["red"]),
        ("rating", {"level": ["red"]}),
        ("top", [{"category": ["a"], "text": "x"}]),
        ("colour", ["pink"]),
    ],
)
def test_more_malformed_values_give_problems_not_exceptions(form: FormDefinition, item_id: str, value: Any) -> None:
    check(form, {item_id: value})


# --- completion -----------------------------------------------------------------------------------


def test_completion_per_section(form: FormDefinition) -> None:
    answers = {
        "top": [rank("a"), rank("b"), rank("c")],
        "staff": 12,
        "ratio": 7,  # optional, but answered wrongly: counts, and is not done
        "restructure": True,  # makes restructure_detail required, still missing
    }
    parts = section_completion(form, answers)
    assert parts == {
        "priorities": Completion(1, 1),
        "figures": Completion(1, 3),
        "plans": Completion(0, 0),
        "conditions": Completion(1, 2),
    }
    overall = completion(form, answers)
    assert (overall.done, overall.total, overall.percent) == (3, 6, 50)
    assert not overall.complete
    assert parts["plans"].percent == 100 and parts["plans"].complete


def test_completion_rounds_down_and_reaches_100_only_when_done(form: FormDefinition) -> None:
    answers: dict[str, Any] = {"top": [rank("a"), rank("b"), rank("c")], "staff": 1}
    # 2 of the 4 required items (top, staff, when, restructure)
    assert completion(form, answers).percent == 50
    answers["when"] = "2027-03-31"
    assert completion(form, answers).percent == 75
    answers["restructure"] = False
    assert completion(form, answers).percent == 100
    assert check(form, answers) == []


def test_extra_problems_passed_in_count_against_completion(form: FormDefinition) -> None:
    from oscb_desktop.forms import Problem

    answers: dict[str, Any] = {"top": [rank("a"), rank("b"), rank("c")], "staff": 1, "when": "2027-03-31"}
    answers["restructure"] = False
    extra = [*check(form, answers), Problem("staff", "figures", "Carried forward: review it", "review")]
    assert section_completion(form, answers, extra)["figures"] == Completion(1, 2)
    assert completion(form, answers, extra).percent == 75
