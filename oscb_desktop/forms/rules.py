"""Check answers against a form definition: what is missing, what is wrong, how complete.

Pure functions over plain JSON values (see :mod:`.model` for their shapes). Every rule
comes from the definition; nothing here knows about Section 11 or any particular scale.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from oscb_desktop.forms import files as evidence_files
from oscb_desktop.forms.model import (
    NOT_APPLICABLE,
    Column,
    Condition,
    FormDefinition,
    Item,
    Rule,
)

Answers = Mapping[str, Any]

PART_LABELS = {
    "evidence": "evidence",
    "example": "a best-practice example",
    "reason": "a reason why it does not apply",
}
#: What a level needs when attached files can stand for the part (the form's ``count_as``).
PART_LABELS_WITH_FILES = {
    "evidence": "evidence: describe it, or attach a file",
    "example": "a best-practice example: describe it, or attach a file",
}


@dataclass(frozen=True)
class Problem:
    """One thing that stops a return being complete."""

    item_id: str
    section_id: str
    message: str
    #: "missing" (not answered yet) or "invalid" (answered, but breaks a rule or limit)
    kind: str = "missing"


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return len(value) == 0
    return False


def is_answered(item: Item, value: Any) -> bool:
    """Has the user given this item an answer at all (not necessarily a valid one)?"""
    if item.type == "rating":
        return isinstance(value, dict) and bool(value.get("level"))
    if item.type == "ranked":
        return isinstance(value, list) and any(
            isinstance(r, dict) and (r.get("category") or not is_blank(r.get("text"))) for r in value
        )
    if item.type == "yes_no":
        return isinstance(value, bool)
    if item.type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return not is_blank(value)


def _compare_value(item: Item | None, value: Any) -> Any:
    if item is not None and item.type == "rating" and isinstance(value, dict):
        value = value.get("level")
    # Conditions compare plain values only; a list or mapping never matches.
    return value if isinstance(value, str | int | float | bool) or value is None else _NO_MATCH


_NO_MATCH = object()


def _same(a: Any, b: Any) -> bool:
    """Equal, with yes/no kept apart from numbers (True is not 1) but 1.0 equal to 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def condition_holds(form: FormDefinition, cond: Condition, answers: Answers, section_id: str | None = None) -> bool:
    if cond.any_rating_in is not None:
        if section_id is None:
            return False
        wanted = set(cond.any_rating_in)
        for rated in form.section(section_id).items:
            level = _compare_value(rated, answers.get(rated.id))
            if rated.type == "rating" and isinstance(level, str) and level in wanted:
                return True
        return False
    assert cond.item is not None
    item = form.item(cond.item) if form.has_item(cond.item) else None
    value = answers.get(cond.item)
    if cond.answered is not None:
        return (item is not None and is_answered(item, value)) == cond.answered
    current = _compare_value(item, value)
    if cond.in_ is not None:
        return any(_same(current, v) for v in cond.in_)
    return _same(current, cond.equals)


def is_required(form: FormDefinition, item: Item, answers: Answers) -> bool:
    if item.required:
        return True
    if item.required_if is not None:
        return condition_holds(form, item.required_if, answers, form.section_of(item.id).id)
    return False


def _text_problem(label: str, value: Any, max_length: int | None) -> str | None:
    if not isinstance(value, str):
        return f"{label} must be text"
    if max_length is not None and len(value) > max_length:
        return f"{label} is {len(value):,} characters long; the limit is {max_length:,}"
    return None


def _number_problem(label: str, value: Any, minimum: float | None, maximum: float | None, integer: bool) -> str | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return f"{label} must be a number"
    if integer and value != int(value):
        return f"{label} must be a whole number"
    if minimum is not None and value < minimum:
        return f"{label} must be at least {minimum:g}"
    if maximum is not None and value > maximum:
        return f"{label} must be at most {maximum:g}"
    return None


def _date_problem(label: str, value: Any) -> str | None:
    try:
        if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
            raise ValueError(value)
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return f"{label} must be a date, like 31/03/2027"
    return None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _column_problem(col: Column, value: Any) -> str | None:
    if is_blank(value) and col.type != "yes_no":
        return None
    if col.type in ("short_text", "long_text"):
        return _text_problem(col.label, value, col.max_length)
    if col.type == "number":
        return _number_problem(col.label, value, col.minimum, col.maximum, False)
    if col.type == "date":
        return _date_problem(col.label, value)
    if col.type == "choice" and value not in {o.id for o in col.options}:
        return f"{col.label}: {value!r} is not one of the choices"
    if col.type == "yes_no" and value is not None and not isinstance(value, bool):
        return f"{col.label} must be yes or no"
    return None


_SHAPES: dict[str, tuple[type, ...]] = {
    "rating": (dict,),
    "short_text": (str,),
    "long_text": (str,),
    "choice": (str,),
    "multi_choice": (list,),
    "ranked": (list,),
    "number": (int, float),
    "date": (str,),
    "yes_no": (bool,),
    "table": (list,),
    "attachments": (list,),
}


def has_right_shape(item: Item, value: Any) -> bool:
    """Is the value the kind of JSON this item type stores (or empty)? See the table in :mod:`.model`."""
    if value is None:
        return True
    if isinstance(value, bool) and item.type != "yes_no":
        return False
    if not isinstance(value, _SHAPES[item.type]):
        return False
    if item.type in ("ranked", "table", "attachments"):
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    if item.type == "rating" and isinstance(value, dict) and "files" in value:
        files = value["files"]
        return isinstance(files, list) and all(isinstance(v, dict) for v in files)
    if item.type == "multi_choice":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return True


def value_problems(item: Item, value: Any) -> list[str]:
    """What is wrong with an answer as given (limits, types, level requirements); [] when fine or blank."""
    if not is_answered(item, value):
        return []
    try:
        return _value_problems(item, value)
    except (TypeError, AttributeError, ValueError, KeyError):
        return [f"The stored answer is not the right kind of value for a {item.type.replace('_', ' ')} item"]


def _value_problems(item: Item, value: Any) -> list[str]:
    t = item.type
    out: list[str] = []
    if t in ("short_text", "long_text"):
        p = _text_problem("The answer", value, item.max_length)
        out += [p] if p else []
    elif t == "number":
        p = _number_problem("The answer", value, item.minimum, item.maximum, item.integer)
        out += [p] if p else []
    elif t == "date":
        p = _date_problem("The answer", value)
        out += [p] if p else []
    elif t == "choice":
        if value not in {o.id for o in item.options}:
            out.append(f"{value!r} is not one of the choices")
    elif t == "multi_choice":
        known = {o.id for o in item.options}
        if not isinstance(value, list) or any(v not in known for v in value):
            out.append("Some selected choices are not in the list")
    elif t == "rating":
        out += _rating_problems(item, value)
    elif t == "ranked":
        out += _ranked_problems(item, value)
    elif t == "table":
        out += _table_problems(item, value)
    if t in ("rating", "attachments"):
        out += _files_problems(item, value)
    return out


def _files_problems(item: Item, value: Any) -> list[str]:
    files = evidence_files.files_of(item, value)
    if not files:
        return []
    if item.files is None:
        return ["This statement does not take files: remove them"]
    if item.files.max_files is not None and len(files) > item.files.max_files:
        return [f"At most {item.files.max_files} files can be attached here ({len(files)} are): remove some"]
    return []


def _rating_problems(item: Item, value: dict[str, Any]) -> list[str]:
    assert item.scale is not None
    level = item.scale.level(str(value.get("level")))
    if level is None:
        return [f"{value.get('level')!r} is not a level of the {item.scale.name} scale"]
    out = []
    for part in level.requires:
        if is_blank(value.get(part)) and not evidence_files.counts_as(item, value, part):
            countable = item.files is not None and part in item.files.count_as
            needs = PART_LABELS_WITH_FILES[part] if countable else PART_LABELS[part]
            if level.id == NOT_APPLICABLE:
                out.append(f"'{level.label}' needs {needs}")
            else:
                out.append(f"A {level.label} rating needs {needs}")
    for part in ("evidence", "example", "reason"):
        p = _text_problem(part.capitalize(), value.get(part, ""), item.max_length) if value.get(part) else None
        out += [p] if p else []
    return out


def _ranked_problems(item: Item, value: list[Any]) -> list[str]:
    known = {o.id for o in item.options}
    out = []
    seen: set[str] = set()
    for n, rank in enumerate(value[: item.ranks], start=1):
        if not isinstance(rank, dict):
            out.append(f"Rank {n} is not a ranked answer")
            continue
        cat, text = rank.get("category"), rank.get("text", "")
        if is_blank(cat) and is_blank(text):
            out.append(f"Rank {n} is empty")
            continue
        if is_blank(cat):
            out.append(f"Rank {n} needs a category")
        elif cat not in known:
            out.append(f"Rank {n}: {cat!r} is not one of the categories")
        elif cat in seen:
            out.append(f"Rank {n} repeats a category already ranked higher")
        else:
            seen.add(cat)
        if is_blank(text):
            out.append(f"Rank {n} needs an explanation")
        else:
            p = _text_problem(f"Rank {n}", text, item.max_length)
            out += [p] if p else []
    if len(value) > item.ranks:
        out.append(f"Only {item.ranks} ranks are allowed")
    return out


def _table_problems(item: Item, rows: list[Any]) -> list[str]:
    out = []
    if item.max_rows is not None and len(rows) > item.max_rows:
        out.append(f"At most {item.max_rows} rows are allowed")
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            out.append(f"Row {n} is not a row")
            continue
        for col in item.columns:
            v = row.get(col.id)
            if col.required and is_blank(v):
                out.append(f"Row {n}: {col.label} is required")
            else:
                p = _column_problem(col, v)
                if p:
                    out.append(f"Row {n}: {p}")
    return out


def _rule_problem(form: FormDefinition, rule: Rule, answers: Answers) -> Problem | None:
    if not condition_holds(form, rule.when, answers, rule.section):
        return None
    target = form.item(rule.require.item)
    value = answers.get(target.id)
    section_id = form.section_of(target.id).id
    if target.type == "table":
        rows = [r for r in (value or []) if isinstance(r, dict)]
        good = [r for r in rows if all(not is_blank(r.get(f)) for f in rule.require.row_fields)]
        if len(good) >= max(rule.require.min_rows, 1):
            return None
        return Problem(target.id, section_id, rule.message, "invalid" if rows else "missing")
    if is_answered(target, value):
        return None
    return Problem(target.id, section_id, rule.message, "missing")


def check(form: FormDefinition, answers: Answers) -> list[Problem]:
    """Every problem of a return, in the form's order."""
    problems: list[Problem] = []
    order = {item.id: n for n, item in enumerate(form.items())}
    for section in form.sections:
        for item in section.items:
            value = answers.get(item.id)
            if is_required(form, item, answers):
                if not is_answered(item, value):
                    problems.append(Problem(item.id, section.id, "Not answered yet", "missing"))
                    continue
                if item.type == "ranked":
                    filled = [
                        r
                        for r in value or []
                        if isinstance(r, dict) and (r.get("category") or not is_blank(r.get("text")))
                    ]
                    if len(filled) < item.ranks:
                        problems.append(
                            Problem(item.id, section.id, f"Give all {item.ranks} ranks ({len(filled)} so far)")
                        )
                if item.type == "table" and len(value or []) < item.min_rows:
                    problems.append(Problem(item.id, section.id, f"Add at least {item.min_rows} rows", "missing"))
            problems.extend(Problem(item.id, section.id, msg, "invalid") for msg in value_problems(item, value))
    for rule in form.all_rules():
        p = _rule_problem(form, rule, answers)
        if p:
            problems.append(p)
    problems.sort(key=lambda p: order.get(p.item_id, 0))
    return problems


@dataclass(frozen=True)
class Completion:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else math.floor(100 * self.done / self.total)

    @property
    def complete(self) -> bool:
        return self.done >= self.total


def section_completion(
    form: FormDefinition, answers: Answers, problems: list[Problem] | None = None
) -> dict[str, Completion]:
    """Per section: how many of the items that must be answered are answered without a problem.

    ``problems`` defaults to :func:`check`; callers that add problems of their own pass the full list.
    """
    bad = {p.item_id for p in (check(form, answers) if problems is None else problems)}
    out = {}
    for section in form.sections:
        total = done = 0
        for item in section.items:
            if is_required(form, item, answers) or item.id in bad:
                total += 1
                done += item.id not in bad
        out[section.id] = Completion(done, total)
    return out


def completion(form: FormDefinition, answers: Answers, problems: list[Problem] | None = None) -> Completion:
    parts = section_completion(form, answers, problems).values()
    return Completion(sum(c.done for c in parts), sum(c.total for c in parts))
