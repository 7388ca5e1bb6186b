"""A practitioner survey is a form definition: its questions name the statements they bear on, and it says its
suppression threshold and divergence rule. It is never offered as a return."""

from __future__ import annotations

from pathlib import Path

import pytest

from oscb_desktop import paths
from oscb_desktop.cli import main
from oscb_desktop.forms.known import PRACTITIONER_SURVEY
from oscb_desktop.forms.loader import FormDefinitionError, FormRegistry, load_text

SURVEY = """
format: 1
id: staff_survey
version: "1"
title: Staff survey
kind: practitioner_survey
period: "2026/27"
{survey}
sections:
  - id: s
    title: Questions
    items:
      - id: s.trained
        type: {type}
        label: Trained?
        guidance: ""
        options: [{{id: "yes", label: "Yes"}}, {{id: "no", label: "No"}}]
        {extra}
"""


def survey(survey: str = "", type: str = "choice", extra: str = 'favourable: ["yes"]') -> str:
    return SURVEY.format(survey=survey, type=type, extra=extra)


def test_the_shipped_survey_bears_on_real_statements(shipped_forms: FormRegistry) -> None:
    form = shipped_forms.survey_for("2026/27")
    assert form is not None and form.kind == PRACTITIONER_SURVEY
    assert form.survey is not None
    assert form.survey.threshold == 5
    assert form.survey.divergence_ratings == ("blue", "green")
    assert form.survey.divergence_below_percent == 70
    questions = list(form.items())
    assert 10 <= len(questions) <= 15
    s11 = shipped_forms.get("section11", "2026.1")
    bearing = [q for q in questions if q.bears_on]
    assert len(bearing) >= 10
    for q in bearing:
        assert q.favourable and set(q.favourable) <= {o.id for o in q.options}
        for statement in q.bears_on:
            assert s11.has_item(statement) and s11.item(statement).type == "rating", (q.id, statement)
    trained = form.item("learning.trained")
    assert "three years" in trained.label and "s5.3" in trained.bears_on


def test_a_survey_is_not_a_return_of_its_period(shipped_forms: FormRegistry) -> None:
    assert PRACTITIONER_SURVEY not in {f.kind for f in shipped_forms.for_period("2026/27")}
    assert {f.id for f in shipped_forms.for_period("2026/27")} == {"section11", "impact"}
    assert shipped_forms.survey_for("2025/26") is None


def test_the_threshold_defaults_to_five() -> None:
    form = load_text(survey())
    assert form.survey is not None and form.survey.threshold == 5
    assert form.survey.divergence_below_percent is None
    form = load_text(survey("survey: {threshold: 10, divergence: {ratings: [green], below_percent: 50}}"))
    assert form.survey is not None and form.survey.threshold == 10
    assert form.survey.divergence_ratings == ("green",)


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (survey(type="short_text", extra=""), "items[0].type", "a survey question is a choice"),
        (survey(extra='favourable: ["maybe"]'), "items[0].favourable", "'maybe' is not one of"),
        (survey(extra="bears_on: [s5.1]"), "items[0].favourable", "needs favourable"),
        (survey("survey: {threshold: 1}"), "survey.threshold", ""),
        (
            survey().replace("kind: practitioner_survey", "kind: self_assessment"),
            "items[0].favourable",
            "only survey questions",
        ),
    ],
)
def test_a_broken_survey_is_refused_with_where(text: str, where: str, words: str) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        load_text(text)
    assert where in str(caught.value)
    assert words in str(caught.value)


def test_forms_check_warns_of_a_statement_no_self_assessment_rates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (paths.forms_dir() / "survey" / "2026-27.yaml").read_text(encoding="utf-8")
    assert main(["forms", "check", str(paths.forms_dir() / "survey" / "2026-27.yaml")]) == 0
    assert "WARNING" not in capsys.readouterr().out
    file = tmp_path / "survey.yaml"
    file.write_text(source.replace("bears_on: [s3.1]", "bears_on: [s3.9]"), encoding="utf-8")
    assert main(["forms", "check", str(file)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK ") and "WARNING B.2 bears on s3.9, which no installed self-assessment" in out
