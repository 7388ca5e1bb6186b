"""A practitioner survey's part of a form definition: its questions are single choices (counted per option), its
``survey`` settings (threshold, divergence rule), and the survey keys belong to surveys only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from oscb_desktop.forms.known import PRACTITIONER_SURVEY
from oscb_desktop.forms.model import FormDefinition, Option, SurveyRules

if TYPE_CHECKING:
    from oscb_desktop.forms.loader import FormDefinitionError


class Builder(Protocol):
    """What of the loader's builder the survey part uses."""

    def fail(self, path: str, message: str) -> FormDefinitionError: ...

    def _options(self, raw: Any, path: str) -> tuple[Option, ...]: ...


def survey_rules(b: Builder, d: dict[str, Any]) -> SurveyRules | None:
    """A practitioner survey's rules; its questions are single choices (counted per option), and the
    survey keys belong to surveys only."""
    if d.get("kind") != PRACTITIONER_SURVEY:
        if "survey" in d:
            raise b.fail("survey", "only a form of kind practitioner_survey takes survey settings")
        for si, s in enumerate(d["sections"]):
            for ii, i in enumerate(s["items"]):
                for key in ("bears_on", "favourable"):
                    if key in i:
                        raise b.fail(f"sections[{si}].items[{ii}].{key}", "only survey questions take " + key)
        return None
    for si, s in enumerate(d["sections"]):
        for ii, i in enumerate(s["items"]):
            path = f"sections[{si}].items[{ii}]"
            if i["type"] != "choice":
                raise b.fail(f"{path}.type", f"a survey question is a choice (one answer), not {i['type']}")
            ids = {o.id for o in b._options(i["options"], f"{path}.options")}
            for fav in i.get("favourable", ()):
                if fav not in ids:
                    raise b.fail(f"{path}.favourable", f"{fav!r} is not one of the question's options")
            if i.get("bears_on") and not i.get("favourable"):
                raise b.fail(f"{path}.favourable", "a question that bears on a statement needs favourable")
    raw = d.get("survey", {})
    div = raw.get("divergence", {})
    return SurveyRules(
        threshold=raw.get("threshold", SurveyRules.threshold),
        divergence_ratings=tuple(div.get("ratings", ())),
        divergence_below_percent=div.get("below_percent"),
    )


def unknown_statements(survey: FormDefinition, assessments: list[FormDefinition]) -> list[str]:
    """``B.1 bears on s5.9``, for each statement a survey question names that no self-assessment of the survey's
    period (``assessments``) rates: its answers would show beside nothing."""
    out = []
    for item in survey.items():
        for statement in item.bears_on:
            if not any(f.has_item(statement) and f.item(statement).type == "rating" for f in assessments):
                out.append(f"{survey.item_code(item.id)} bears on {statement}")
    return out
