"""The survey's questions as plain CSV: one row per question for whoever copies them into Microsoft Forms,
SurveyMonkey or Google Forms, and an empty responses sheet (one column per question) for whoever types paper
answers into a spreadsheet; both import straight back, since the columns carry the questions' own text."""

from __future__ import annotations

import csv
import io

from oscb_desktop.forms.model import FormDefinition

LAYOUT_HEADER = ("Number", "Section", "Question", "Answers (choose one)", "Guidance", "Question id")


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # with a BOM, so Excel reads the accents right


def questions_csv(form: FormDefinition) -> bytes:
    rows = [list(LAYOUT_HEADER)]
    for section in form.sections:
        for item in section.items:
            rows.append(
                [
                    form.item_code(item.id),
                    section.title,
                    " ".join(item.label.split()),
                    " | ".join(o.label for o in item.options),
                    " ".join(item.guidance.split()),
                    item.id,
                ]
            )
    return _csv(rows)


def responses_template_csv(form: FormDefinition) -> bytes:
    """A header row of the questions' text (plus a respondent number), ready for typed-in paper answers."""
    return _csv([["Respondent", *(" ".join(item.label.split()) for item in form.items())]])
