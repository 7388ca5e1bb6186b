"""Collation finds forms by ``kind`` and impact items by ``role``, never by id: another partnership's forms,
with their own ids, give the same report."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from oscb_desktop.collate import Collation, CollationInput, ReturnRecord, collate
from oscb_desktop.forms import FormRegistry
from oscb_desktop.forms.known import ENABLERS, IMPACT_ASSESSMENT, PRESSURES, SELF_ASSESSMENT
from oscb_desktop.forms.loader import load_data

#: The shipped forms' ids -> those of the other partnership.
FORM_IDS = {"section11": "selfcheck", "impact": "annual", "practitioner_survey": "staff_voice"}
#: Item ids of the impact form: ``impact.pressures`` becomes ``annual.pressures``.
_ITEM = re.compile(r"\bimpact\.(?=[a-z])")


def _item_id(item_id: str) -> str:
    return _ITEM.sub("annual.", item_id)


def other_partnership(shipped: FormRegistry) -> FormRegistry:
    forms = {}
    for form in shipped:
        text = _ITEM.sub("annual.", Path(form.source).read_text(encoding="utf-8"))
        data = yaml.safe_load(text)
        data.update(id=FORM_IDS[data["id"]], deadline=str(data["deadline"]))
        renamed = load_data(data, f"{form.source} renamed")
        forms[renamed.key] = renamed
    return FormRegistry(forms=forms)


def renamed(r: ReturnRecord) -> ReturnRecord:
    survey = r.survey and {**r.survey, "form": {**r.survey["form"], "id": FORM_IDS[r.survey["form"]["id"]]}}
    return dataclasses.replace(
        r, form_id=FORM_IDS[r.form_id], answers={_item_id(k): v for k, v in r.answers.items()}, survey=survey
    )


def as_plain(c: Collation, rename: bool) -> Any:
    """The collation as plain data (its time left out); with ``rename``, every id as the other partnership's."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        if isinstance(value, str) and rename:
            return FORM_IDS.get(value, _item_id(value))
        return value

    return walk(dataclasses.asdict(dataclasses.replace(c, generated_at="")))


@pytest.fixture(scope="module")
def both(demo_input: CollationInput, demo_collation: Collation) -> tuple[Collation, Collation]:
    other = dataclasses.replace(
        demo_input,
        forms=other_partnership(demo_input.forms),
        returns=[renamed(r) for r in demo_input.returns],
    )
    return demo_collation, collate(other, as_of=demo_collation.as_of)


def test_the_other_partnerships_forms_have_other_ids_and_the_same_kinds_and_roles(
    demo_input: CollationInput,
) -> None:
    forms = other_partnership(demo_input.forms)
    assert forms.ids_of_kind(SELF_ASSESSMENT) == ["selfcheck"]
    assert forms.ids_of_kind(IMPACT_ASSESSMENT) == ["annual"]
    impact = forms.get("annual", "2026.1")
    assert impact.item_with_role(PRESSURES).id == "annual.pressures"  # type: ignore[union-attr]
    assert not any(i.id.startswith("impact.") for i in impact.items())


def test_the_same_returns_under_other_ids_give_the_same_report(both: tuple[Collation, Collation]) -> None:
    shipped, other = both
    assert [(f.form_id, f.kind) for f in other.headline.forms] == [
        ("selfcheck", SELF_ASSESSMENT),
        ("annual", IMPACT_ASSESSMENT),
    ]
    assert other.section11_form == ("selfcheck", "2026.1")
    assert other.impact.returned == 15 and other.impact.pressures is not None
    assert other.impact.pressures.item_id == "annual.pressures" and other.impact.pressures.role == PRESSURES
    assert other.impact.enablers is not None and other.impact.enablers.role == ENABLERS
    assert other.impact.improvement_areas and other.impact.service_changes and other.impact.improvement_themes
    assert other.headline.form_of_kind(SELF_ASSESSMENT) is other.headline.forms[0]
    assert as_plain(other, rename=False) == as_plain(shipped, rename=True)


def test_a_form_without_a_kind_is_not_taken_for_section11(demo_input: CollationInput) -> None:
    """The id ``section11`` means nothing to collation: without ``kind`` the form is counted as any other."""
    forms = {}
    for key, form in demo_input.forms.forms.items():
        forms[key] = dataclasses.replace(form, kind=None) if form.kind == SELF_ASSESSMENT else form
    c = collate(dataclasses.replace(demo_input, forms=FormRegistry(forms=forms)))
    assert c.standards == () and c.section11_form is None and all(not row.returned for row in c.matrix)
    assert [(f.form_id, f.kind) for f in c.headline.forms] == [("impact", IMPACT_ASSESSMENT), ("section11", None)]
    assert c.impact.returned == 15
