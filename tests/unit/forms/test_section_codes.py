"""One display code per section, defined in the form data, used by the agency's editor and PDF and by the
Business Unit's matrix, report and letters alike ("S3" is the same standard everywhere)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oscb_desktop.forms import FormDefinitionError, FormRegistry
from oscb_desktop.forms.loader import load_data


def test_shipped_section11_forms_code_their_standards_s1_to_s11(shipped_forms: FormRegistry) -> None:
    for form in shipped_forms:
        if form.id != "section11":
            continue
        codes = [form.code_of(s) for s in form.sections]
        assert codes[0] == "A"
        assert codes[1:] == [f"S{n}" for n in range(1, len(codes))]
        assert form.code_of("s3") == "S3" and form.item_code("s3.2") == "S3.2"
        assert form.section_label("s3") == f"S3 {form.section('s3').title}"


def test_a_form_without_codes_numbers_its_sections_by_position(shipped_forms: FormRegistry) -> None:
    impact = shipped_forms.get("impact", "2026.1")
    assert [impact.code_of(s) for s in impact.sections] == [str(n) for n in range(1, len(impact.sections) + 1)]
    second = impact.sections[1]
    assert impact.item_code(second.items[0].id) == "2.1"


def _minimal(codes: list[str]) -> dict:
    return {
        "format": 1,
        "id": "test",
        "version": "1",
        "title": "Test",
        "period": "2026/27",
        "sections": [
            {
                "id": f"s{n}",
                "code": code,
                "title": f"Section {n}",
                "items": [{"id": f"s{n}.a", "type": "short_text", "label": "A", "guidance": "Say."}],
            }
            for n, code in enumerate(codes, start=1)
        ],
    }


def test_a_code_given_twice_is_refused_with_the_place(tmp_path: Path) -> None:
    with pytest.raises(FormDefinitionError, match=r"sections\[1\]\.code.*'s1'.*already given"):
        load_data(_minimal(["S1", "s1"]), "test.yaml")


@pytest.mark.parametrize("code", ["", "S 1", "S-1", "TOOLONG7"])
def test_a_code_must_be_short_letters_and_digits(code: str) -> None:
    with pytest.raises(FormDefinitionError):
        load_data(_minimal([code]), "test.yaml")
