"""Planning the Section 11 self-assessments: last year's complete return, and this year's as the agency means it
to be, rating by rating, with evidence, examples and action plans. The prose is in
``resources/demo/section11.yaml``."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from oscb_desktop.demo import data, people
from oscb_desktop.demo.people import CURRENT, HISTORY, DemoAgency, Period, answer_fields, fill, pick
from oscb_desktop.forms import FormDefinition

FILE = "section11.yaml"

LEVEL_ORDER = ("red", "amber", "green", "blue")


# The text ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """Templates for one statement: two ways to evidence it, the gap an Amber or Red rating describes, the
    action that follows, and which of the agency's roles (a key of its words) leads it."""

    evidence: tuple[str, str]
    gap: str
    action: str
    role: str
    #: A statement most agencies find hard (more Amber).
    hard: bool = False


class Example(NamedTuple):
    """A best-practice example for a Blue rating, and the statements it fits."""

    statements: tuple[str, ...]
    text: str


class NotApplicable(NamedTuple):
    #: Part of the agency's name.
    agency: str
    statement: str
    reason: str


@dataclass(frozen=True)
class Section11Text:
    statements: dict[str, Statement]
    generic_statement: Statement
    reworded_2026: dict[str, str]
    section_extras: dict[str, tuple[str, ...]]
    examples: dict[str, tuple[Example, ...]]
    generic_examples: tuple[Example, ...]
    red_notes: tuple[str, ...]
    amber_notes: tuple[str, ...]
    not_applicable: tuple[NotApplicable, ...]
    notes: tuple[str, ...]


def _statement(node: data.Node, roles: frozenset[str]) -> Statement:
    evidence = node["evidence"].texts(count=2)
    hard = node.get("hard")
    role = node["role"]
    if role.text() not in roles:
        raise role.wrong(f"one of the roles in people.yaml's sector_words ({', '.join(sorted(roles))})")
    return Statement(
        (evidence[0], evidence[1]),
        node["gap"].text(),
        node["action"].text(),
        role.text(),
        hard=hard.flag() if hard is not None else False,
    )


def _example(node: data.Node) -> Example:
    return Example(node["statements"].texts(at_least=0), node["text"].text())


def parse(top: data.Node, roles: frozenset[str]) -> Section11Text:
    """``roles``: the words every agency has, which a statement's action may be led by."""
    return Section11Text(
        statements={item: _statement(node, roles) for item, node in top["statements"].entries()},
        generic_statement=_statement(top["generic_statement"], roles),
        reworded_2026=top["reworded_2026"].text_map(),
        section_extras={section: node.texts() for section, node in top["section_extras"].entries()},
        examples={section: tuple(map(_example, node.items())) for section, node in top["examples"].entries()},
        generic_examples=tuple(map(_example, top["generic_examples"].items())),
        red_notes=top["red_notes"].texts(),
        amber_notes=top["amber_notes"].texts(),
        not_applicable=tuple(
            NotApplicable(n["agency"].text(), n["statement"].text(), n["reason"].text())
            for n in top["not_applicable"].items(at_least=0)
        ),
        notes=top["notes"].texts(),
    )


@functools.cache
def load() -> Section11Text:
    """``section11.yaml``, read and checked once."""
    every_agency_has = set.intersection(*(set(words) for words in people.load().sector_words.values()))
    return parse(data.read(FILE), frozenset(every_agency_has))


def statement(item_id: str) -> Statement:
    """The templates for a statement; generic ones for statements added to a form after these were written."""
    t = load()
    return t.statements.get(item_id, t.generic_statement)


def not_applicable(agency_name: str) -> dict[str, str]:
    """The statements that do not apply to an agency, with the reason it gives."""
    return {item: reason for frag, item, reason in load().not_applicable if frag in agency_name}


# Ratings and actions -------------------------------------------------------------------------------


def draw_rating(rng: random.Random, maturity: float, hard: bool) -> str:
    blue = 0.03 + 0.13 * maturity
    red = 0.07 * (1 - maturity) ** 1.5
    amber = (0.03 + 0.2 * (1 - maturity)) * (1.8 if hard else 1.0)
    r = rng.random()
    if r < red:
        return "red"
    if r < red + amber:
        return "amber"
    if r < red + amber + blue:
        return "blue"
    return "green"


def next_year(rng: random.Random, level: str) -> str:
    """Mostly the same as last year, sometimes better, occasionally worse."""
    if level == "na":
        return level
    i = LEVEL_ORDER.index(level)
    r = rng.random()
    better = 0.2 if level in ("red", "amber") else 0.05  # Blue needs an example to share: rarer
    if r < better and i < 3:
        return LEVEL_ORDER[i + 1]
    if r > 0.96 and i > 0:
        return LEVEL_ORDER[i - 1]
    return level


def rating_value(
    rng: random.Random, ag: DemoAgency, item_id: str, level: str, period: Period, *, reworded: bool = False
) -> dict[str, str]:
    if level == "na":
        return {"level": "na", "evidence": "", "example": "", "reason": ag.not_applicable[item_id]}
    t = load()
    st = statement(item_id)
    section = item_id.split(".")[0]
    f = answer_fields(rng, ag, period)
    if level in ("green", "blue"):
        parts = [fill(st.evidence[rng.randrange(2)], f)]
        if reworded and item_id in t.reworded_2026:
            parts.append(fill(t.reworded_2026[item_id], f))
        if section in t.section_extras and rng.random() < 0.45:
            parts.append(fill(pick(rng, t.section_extras[section]), f))
    else:
        parts = [fill(st.gap, f)]
        note = pick(rng, t.red_notes if level == "red" else t.amber_notes)
        if note:
            parts.append(note)
    example = ""
    if level == "blue":
        fitting = [text for items, text in t.examples.get(section, ()) if item_id in items]
        fitting = fitting or [text for _, text in t.generic_examples]
        example = fill(pick(rng, fitting), f)
    return {"level": level, "evidence": " ".join(parts), "example": example, "reason": ""}


def _month_end(y: int, m: int) -> str:
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1).isoformat()


def action_row(rng: random.Random, ag: DemoAgency, item_id: str, period: Period, *, status: str) -> dict[str, str]:
    st = statement(item_id)
    f = answer_fields(rng, ag, period)
    # Actions planned in a period fall due in the next one for last year's return, within this one for this year's.
    if period is HISTORY:
        y, m = rng.choice([(2026, m) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12)])
    else:
        y, m = rng.choice([(2026, 12), (2027, 1), (2027, 2), (2027, 3)])
    return {
        "action": fill(st.action, f),
        "lead": ag.words[st.role],
        "due": _month_end(y, m),
        "status": status,
    }


def done_action(rng: random.Random, ag: DemoAgency, item_id: str, period: Period) -> dict[str, str]:
    """An action finished during the period (it does not carry forward)."""
    row = action_row(rng, ag, item_id, period, status="complete")
    y, m = period.year, rng.choice((7, 9, 11))
    row["due"] = _month_end(y, m)
    return row


# The two returns -----------------------------------------------------------------------------------


@dataclass
class Section11Plan:
    levels: dict[str, str]
    answers: dict[str, Any]
    #: For each open action row, the statement it belongs to (to update it next year).
    action_items: dict[str, list[str]]


def _rating_items(form: FormDefinition) -> list[str]:
    return [item.id for item in form.items() if item.type == "rating"]


def plan_history(rng: random.Random, ag: DemoAgency, form: FormDefinition) -> Section11Plan:
    """Last year's return, complete."""
    period = HISTORY
    levels: dict[str, str] = {}
    answers: dict[str, Any] = {}
    for item_id in _rating_items(form):
        if item_id in ag.not_applicable:
            levels[item_id] = "na"
        else:
            levels[item_id] = draw_rating(rng, ag.maturity, statement(item_id).hard)
        answers[item_id] = rating_value(rng, ag, item_id, levels[item_id], period)
    action_items: dict[str, list[str]] = {}
    for section in form.sections:
        table = f"{section.id}.actions"
        if not form.has_item(table):
            continue
        low = [i.id for i in section.items if levels.get(i.id) in ("amber", "red")]
        rows = []
        open_items = []
        for item_id in low:
            status = "not_started" if rng.random() < 0.35 else "in_progress"
            rows.append(action_row(rng, ag, item_id, period, status=status))
            open_items.append(item_id)
        green = [i.id for i in section.items if levels.get(i.id) in ("green", "blue")]
        # Sometimes an action finished during the year is still listed (it will not carry forward).
        if green and (low or rng.random() < 0.12) and rng.random() < 0.4:
            rows.insert(0, done_action(rng, ag, pick(rng, green), period))
        if rows:
            answers[table] = rows
            action_items[table] = open_items
    f = answer_fields(rng, ag, period)
    who, role = (ag.former_lead, ag.former_role) if ag.former_lead else (ag.lead, ag.role)
    answers["about.completed_by"] = f"{who}, {role}"
    answers["about.services"] = ag.services
    if rng.random() < 0.4:
        answers["about.notes"] = fill(pick(rng, load().notes), f)
    return Section11Plan(levels, answers, action_items)


def plan_current(rng: random.Random, ag: DemoAgency, form: FormDefinition, history: Section11Plan) -> dict[str, Any]:
    """The complete 2026/27 return the agency is working towards (it may not have got there yet)."""
    reworded = load().reworded_2026
    period = CURRENT
    levels: dict[str, str] = {}
    answers: dict[str, Any] = {}
    for item_id in _rating_items(form):
        before = history.levels.get(item_id)
        if item_id in ag.not_applicable:
            levels[item_id] = "na"
            answers[item_id] = history.answers.get(item_id) or rating_value(rng, ag, item_id, "na", period)
            continue
        if before is None:  # new statement this year: less mature at first
            level = draw_rating(rng, ag.maturity - 0.15, True)
            answers[item_id] = rating_value(rng, ag, item_id, level, period)
        else:
            level = next_year(rng, before)
            if level == before and item_id not in reworded and rng.random() < 0.5:
                answers[item_id] = history.answers[item_id]  # unchanged: to be confirmed as it is
            else:
                answers[item_id] = rating_value(rng, ag, item_id, level, period, reworded=True)
        levels[item_id] = level
    for section in form.sections:
        table = f"{section.id}.actions"
        if not form.has_item(table):
            continue
        rows = []
        covered = set()
        carried = history.answers.get(table) or []
        carried_open = [r for r in carried if r.get("status") != "complete"]
        for row, item_id in zip(carried_open, history.action_items.get(table, []), strict=True):
            row = dict(row)
            if levels.get(item_id) in ("green", "blue"):
                row["status"] = "complete"
            elif row["status"] == "not_started" or rng.random() < 0.5:
                row["status"] = pick(rng, ("in_progress", "carried"))
            rows.append(row)
            covered.add(item_id)
        for item in section.items:
            if levels.get(item.id) in ("amber", "red") and item.id not in covered:
                rows.append(action_row(rng, ag, item.id, period, status=pick(rng, ("not_started", "in_progress"))))
        if rows:
            answers[table] = rows
    answers["about.completed_by"] = f"{ag.lead}, {ag.role}"
    answers["about.services"] = ag.services
    if "about.notes" in history.answers and rng.random() < 0.5:
        answers["about.notes"] = history.answers["about.notes"]
    elif ag.former_lead:
        answers["about.notes"] = (
            f"{ag.lead} took over as safeguarding lead from {ag.former_lead} during the year; last year's return "
            f"was completed by {ag.former_lead}."
        )
    return answers
