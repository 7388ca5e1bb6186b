"""Each statement rating carries the codes its agency's form gives it ("S3", "S3.2"), so that the spreadsheet's
Ratings sheet and the agency's signed PDF name a statement alike."""

from __future__ import annotations

from oscb_desktop.collate import Collation, CollationInput
from oscb_desktop.forms import FormRegistry


def test_every_rating_has_the_codes_of_its_form(demo_collation: Collation, shipped_forms: FormRegistry) -> None:
    assert demo_collation.ratings
    for r in demo_collation.ratings:
        form = shipped_forms.get(r.form_id, r.form_version)
        assert r.standard_code == form.code_of(r.standard_id)
        assert r.statement_code == form.item_code(r.statement_id)
        assert r.statement_code.startswith(r.standard_code + ".")
    first = next(r for r in demo_collation.ratings if r.statement_id == "s1.1")
    assert (first.standard_code, first.statement_code) == ("S1", "S1.1")


def test_the_codes_agree_with_the_standards_summary(demo_collation: Collation, demo_input: CollationInput) -> None:
    codes = {st.id: st.code for st in demo_collation.standards}
    current = {r for r in demo_collation.ratings if r.period == demo_input.period}
    assert current
    for r in current:
        assert codes[r.standard_id] == r.standard_code
