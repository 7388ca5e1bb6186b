"""The form definitions shipped in ``forms/`` load cleanly and behave as their authors intend."""

from __future__ import annotations

from pathlib import Path

import pytest

from oscb_desktop import paths
from oscb_desktop.forms.known import (
    IMPACT_ASSESSMENT,
    KINDS,
    PRACTITIONER_SURVEY,
    ROLE_COLUMNS,
    ROLE_TYPES,
    ROLES,
    SELF_ASSESSMENT,
)
from oscb_desktop.forms.loader import FormRegistry, definition_schema, load_file
from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.forms.rules import check

LOW_RATING_MESSAGE = "A Red or Amber rating in this standard needs at least one action with a lead and a due date."


@pytest.fixture(scope="module")
def registry() -> FormRegistry:
    return FormRegistry.load()


@pytest.fixture(scope="module")
def s11(registry: FormRegistry) -> FormDefinition:
    return registry.get("section11", "2026.1")


@pytest.fixture(scope="module")
def s11_previous(registry: FormRegistry) -> FormDefinition:
    return registry.get("section11", "2025.1")


@pytest.fixture(scope="module")
def impact(registry: FormRegistry) -> FormDefinition:
    return registry.get("impact", "2026.1")


def shipped_files() -> list[Path]:
    return sorted(paths.forms_dir().rglob("*.yaml"))


def test_forms_are_shipped() -> None:
    assert len(shipped_files()) >= 3


def test_registry_loads_every_shipped_form_without_errors(registry: FormRegistry) -> None:
    assert registry.errors == []
    assert len(registry.forms) == len(shipped_files())
    assert {("section11", "2025.1"), ("section11", "2026.1"), ("impact", "2026.1")} <= set(registry.forms)


@pytest.mark.parametrize("file", shipped_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_file_loads_on_its_own(file: Path) -> None:
    form = load_file(file)
    ids = [item.id for item in form.items()]
    assert len(ids) == len(set(ids))
    assert all(item.guidance.strip() for item in form.items()), "every item needs guidance"


def test_periods_and_deadlines(s11: FormDefinition, s11_previous: FormDefinition, impact: FormDefinition) -> None:
    assert (s11.period, str(s11.deadline)) == ("2026/27", "2027-03-31")
    assert (s11_previous.period, str(s11_previous.deadline)) == ("2025/26", "2026-03-31")
    assert (impact.period, str(impact.deadline)) == ("2026/27", "2027-03-31")


def _standards(form: FormDefinition) -> list:
    return [s for s in form.sections if any(i.type == "rating" for i in s.items)]


@pytest.mark.parametrize("version", ["2025.1", "2026.1"])
def test_section11_standards_have_ratings_and_an_action_plan(registry: FormRegistry, version: str) -> None:
    form = registry.get("section11", version)
    standards = _standards(form)
    assert len(standards) >= 8
    for section in standards:
        ratings = [i for i in section.items if i.type == "rating"]
        assert len(ratings) >= 4, section.id
        assert section.scope in ("children", "adults", "both")
        assert section.guidance.strip()
        actions = form.item(f"{section.id}.actions")
        assert actions.type == "table"
        assert form.section_of(actions.id) is section
        assert not actions.required
        assert {c.id for c in actions.columns} >= {"action", "lead", "due", "status"}
        assert [r.id for r in section.rules] == [f"{section.id}_low_ratings_need_actions"]
        for item in ratings:
            assert item.required, item.id
            assert item.guidance.strip(), item.id
            assert item.scope in ("children", "adults", "both"), item.id
            assert item.scale is not None and item.scale.id == "bgar"
            assert item.max_length == 4000


def test_section11_2026_has_at_least_ten_standards(s11: FormDefinition) -> None:
    assert len(_standards(s11)) >= 10


def test_bgar_scale(s11: FormDefinition) -> None:
    scale = s11.scales["bgar"]
    assert [(lv.id, lv.percentage) for lv in scale.levels] == [
        ("blue", 100),
        ("green", 75),
        ("amber", 50),
        ("red", 25),
    ]
    assert scale.level("blue").requires == ("evidence", "example")
    assert scale.level("green").requires == ("evidence",)
    assert scale.not_applicable is not None and scale.not_applicable.requires == ("reason",)
    colours = [lv.colour.lower() for lv in scale.choices]
    assert len(set(colours)) == len(colours)
    assert all(lv.description for lv in scale.choices)


def test_impact_has_three_rank_items(impact: FormDefinition) -> None:
    ranked = [i for i in impact.items() if i.type == "ranked"]
    assert {i.id for i in ranked} == {"impact.pressures", "impact.enablers"}
    for item in ranked:
        assert item.ranks == 3
        assert item.required
        assert len(item.options) >= 10
    assert len(impact.item("impact.pressures").options) >= 12


# --- kinds and roles: what collation finds forms and items by --------------------------------


#: The folder of ``forms/`` a shipped form lives in -> the kind it must declare.
KIND_OF_FOLDER = {"section11": SELF_ASSESSMENT, "impact": IMPACT_ASSESSMENT, "survey": PRACTITIONER_SURVEY}


@pytest.mark.parametrize("file", shipped_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_form_says_what_kind_it_is(file: Path) -> None:
    assert load_file(file).kind == KIND_OF_FOLDER[file.parent.name]


@pytest.mark.parametrize(
    "file", [f for f in shipped_files() if f.parent.name == "impact"], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_every_impact_form_marks_the_items_collation_counts(file: Path) -> None:
    form = load_file(file)
    for role in ROLES:
        item = form.item_with_role(role)
        assert item is not None, f"no item has the role {role}: its part of the board report would be empty"
        assert item.type in ROLE_TYPES[role], role
        assert {c.id for c in item.columns} >= set(ROLE_COLUMNS.get(role, ())), role


def test_section11_forms_mark_no_impact_roles(registry: FormRegistry) -> None:
    for form in registry:
        if form.kind == SELF_ASSESSMENT:
            assert not [i.id for i in form.items() if i.role], form.key


def test_the_registry_knows_the_shipped_forms_by_kind(registry: FormRegistry) -> None:
    assert registry.ids_of_kind(SELF_ASSESSMENT) == ["section11"]
    assert registry.ids_of_kind(IMPACT_ASSESSMENT, "2026/27") == ["impact"]


def test_the_schema_and_the_program_know_the_same_kinds_and_roles() -> None:
    schema = definition_schema()
    assert tuple(schema["properties"]["kind"]["enum"]) == KINDS
    assert tuple(schema["$defs"]["item"]["properties"]["role"]["enum"]) == ROLES


def test_previous_year_shares_most_item_ids(s11: FormDefinition, s11_previous: FormDefinition) -> None:
    new = {i.id for i in s11.items()}
    old = {i.id for i in s11_previous.items()}
    shared = new & old
    assert len(shared) >= 0.8 * len(new)
    assert old - new, "some statement of 2025/26 should be gone in 2026/27"
    assert new - old, "2026/27 should add something"
    reworded = [i for i in shared if s11.item(i).label != s11_previous.item(i).label]
    assert reworded


# --- rules ---------------------------------------------------------------------------------


def _messages(form: FormDefinition, answers: dict, item_id: str) -> list[str]:
    return [p.message for p in check(form, answers) if p.item_id == item_id]


def test_red_rating_without_action_needs_one(s11: FormDefinition) -> None:
    answers: dict = {"s1.1": {"level": "red"}}
    assert LOW_RATING_MESSAGE in _messages(s11, answers, "s1.actions")
    # An action without a lead or due date is not enough.
    answers["s1.actions"] = [{"action": "Write a board report template"}]
    assert LOW_RATING_MESSAGE in _messages(s11, answers, "s1.actions")
    answers["s1.actions"] = [
        {"action": "Write a board report template", "lead": "Head of quality", "due": "2027-01-31"}
    ]
    assert _messages(s11, answers, "s1.actions") == []


def test_amber_rating_needs_action_only_in_its_own_standard(s11: FormDefinition) -> None:
    answers = {"s2.3": {"level": "amber"}}
    assert LOW_RATING_MESSAGE in _messages(s11, answers, "s2.actions")
    assert _messages(s11, answers, "s1.actions") == []


def test_green_rating_needs_no_action(s11: FormDefinition) -> None:
    answers = {"s1.1": {"level": "green", "evidence": "Board minutes, 12 June"}}
    assert _messages(s11, answers, "s1.actions") == []
    assert _messages(s11, answers, "s1.1") == []


def test_blue_rating_without_example_is_a_problem(s11: FormDefinition) -> None:
    answers = {"s1.1": {"level": "blue", "evidence": "Annual report to the board, minutes of 12 June"}}
    problems = _messages(s11, answers, "s1.1")
    assert any("example" in m for m in problems)
    answers["s1.1"]["example"] = "Our board report template is now used by two other agencies"
    assert _messages(s11, answers, "s1.1") == []


def test_not_applicable_without_reason_is_a_problem(s11: FormDefinition) -> None:
    answers = {"s2.5": {"level": "na"}}
    problems = _messages(s11, answers, "s2.5")
    assert any("reason" in m for m in problems)
    answers["s2.5"]["reason"] = "The agency commissions no services"
    assert _messages(s11, answers, "s2.5") == []


def test_restructure_without_detail_is_missing(impact: FormDefinition) -> None:
    answers: dict = {"impact.restructure": True}
    missing = [p for p in check(impact, answers) if p.item_id == "impact.restructure_detail"]
    assert missing and all(p.kind == "missing" for p in missing)
    answers["impact.restructure"] = False
    assert not [p for p in check(impact, answers) if p.item_id == "impact.restructure_detail"]


def test_escalation_needs_a_described_risk(impact: FormDefinition) -> None:
    answers: dict = {"impact.escalate": True}
    assert _messages(impact, answers, "impact.risks")
    answers["impact.risks"] = [{"risk": "Long waits for mental health assessments", "likelihood": "high"}]
    assert _messages(impact, answers, "impact.risks") == []
    assert _messages(impact, {"impact.escalate": False}, "impact.risks") == []


def test_complete_impact_return_has_no_problems(impact: FormDefinition) -> None:
    answers = {
        "impact.pressures": [
            {"category": "complex_cases", "text": "More families with several needs at once."},
            {"category": "demand", "text": "Referrals rose by a fifth."},
            {"category": "funding", "text": "A grant ended in March."},
        ],
        "impact.enablers": [
            {"category": "joint_working", "text": "Joint visits with housing."},
            {"category": "frank_conversations", "text": "Regular practitioner forums."},
            {"category": "understanding_pressures", "text": "Shared data on waiting times."},
        ],
        "impact.improvement_areas": "Recording of the child's voice.",
        "impact.restructure": False,
        "impact.escalate": False,
        "impact.contact_date": "2027-02-14",
    }
    assert check(impact, answers) == []
