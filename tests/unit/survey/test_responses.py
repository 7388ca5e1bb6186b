"""Responses exports of the common tools are read and counted; anything that cannot be mapped is refused with
the column, the rows and the values."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.survey_kit import TOOLS, make_rows, sample, write

from oscb_desktop.forms.loader import FormRegistry
from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.survey.responses import (
    ColumnMapping,
    SurveyFileError,
    UnmappableResponsesError,
    parse,
    read_mapping,
)


@pytest.fixture(scope="module")
def form(shipped_forms: FormRegistry) -> FormDefinition:
    found = shipped_forms.survey_for("2026/27")
    assert found is not None
    return found


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("tool", TOOLS)
def test_each_tools_export_is_counted_exactly(form: FormDefinition, tmp_path: Path, tool: str, suffix: str) -> None:
    s = sample(form, tmp_path / f"responses{suffix}", 120, tool=tool, seed=len(tool))
    parsed = parse(form, s.path)
    assert parsed.respondents == 120
    assert parsed.missing == ()
    for item in form.items():
        assert parsed.raw[item.id] == {o: n for o, n in s.counts[item.id].items() if n}, item.id
    assert parsed.columns["learning.trained"].startswith("Have you had safeguarding training")
    if tool == "msforms":
        assert set(parsed.ignored) == {"ID", "Start time", "Completion time", "Email", "Name"}


def test_numbered_headings_and_other_case_still_match(form: FormDefinition, tmp_path: Path) -> None:
    rows, counts = make_rows(form, 30, numbered=True)
    rows[0] = [h.upper() for h in rows[0]]
    rows[1][-1] = rows[1][-1].lower()
    parsed = parse(form, write(rows, tmp_path / "r.csv"))
    assert parsed.raw["culture.leadership"] == {o: n for o, n in counts["culture.leadership"].items() if n}


def test_an_unknown_column_and_unknown_answers_are_refused_with_rows_and_values(
    form: FormDefinition, tmp_path: Path
) -> None:
    rows, _ = make_rows(form, 20)
    rows[0].append("Which team are you in?")
    for r in rows[1:]:
        r.append("Team A")
    col = rows[0].index("Have you had safeguarding training in the last three years?")
    rows[3][col] = "Yes, in 2019"
    rows[7][col] = "Yes, in 2019"
    rows[9][col] = "Maybe"
    with pytest.raises(UnmappableResponsesError) as caught:
        parse(form, write(rows, tmp_path / "bad.csv"))
    text = str(caught.value)
    assert "“Which team are you in?” is not a question of the survey" in text
    assert "“Yes, in 2019” in rows 4, 8 is not one of its answers (Yes, No, Not sure)" in text
    assert "“Maybe” in row 10" in text
    assert "nothing was stored" in text


def test_a_mapping_file_names_columns_answers_and_columns_to_ignore(form: FormDefinition, tmp_path: Path) -> None:
    rows, counts = make_rows(form, 25)
    col = rows[0].index("Have you had safeguarding training in the last three years?")
    rows[0][col] = "Trained (3y)"
    for r in rows[1:]:
        r[col] = {"Yes": "Y", "No": "N", "Not sure": "?"}.get(r[col], r[col])
    rows[0].append("Team")
    for r in rows[1:]:
        r.append("North")
    file = write(rows, tmp_path / "r.csv")
    with pytest.raises(UnmappableResponsesError):
        parse(form, file)
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(
        'columns:\n  learning.trained: "Trained (3y)"\n'
        'answers:\n  learning.trained: {"Y": "yes", "N": "no", "?": not_sure}\n'
        "ignore: [Team]\n",
        encoding="utf-8",
    )
    parsed = parse(form, file, given=read_mapping(mapping_file, form))
    assert parsed.raw["learning.trained"] == {o: n for o, n in counts["learning.trained"].items() if n}
    assert "Team" in parsed.ignored
    # what was used is what is remembered: next time the same file needs no mapping file
    again = parse(form, file, remembered=parsed.mapping)
    assert again.raw == parsed.raw


def test_a_mapping_file_naming_what_the_survey_lacks_is_refused(form: FormDefinition, tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text('{"columns": {"no.such": "X"}}', encoding="utf-8")
    with pytest.raises(SurveyFileError, match=r"'no\.such', which is not a question"):
        read_mapping(bad, form)
    bad.write_text('{"answers": {"learning.trained": {"Y": "ja"}}}', encoding="utf-8")
    with pytest.raises(SurveyFileError, match="'ja', which is not one of its options"):
        read_mapping(bad, form)
    bad.write_text('{"colums": {}}', encoding="utf-8")
    with pytest.raises(SurveyFileError, match="colums"):
        read_mapping(bad, form)


def test_files_that_are_not_exports_are_refused(form: FormDefinition, tmp_path: Path) -> None:
    with pytest.raises(SurveyFileError, match="not a CSV or XLSX"):
        parse(form, tmp_path / "r.pdf")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(SurveyFileError, match="empty"):
        parse(form, tmp_path / "empty.csv")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(SurveyFileError, match="not an Excel workbook"):
        parse(form, tmp_path / "broken.xlsx")
    (tmp_path / "other.csv").write_text("Name,Favourite colour\nA,Blue\n", encoding="utf-8")
    with pytest.raises(SurveyFileError, match="Favourite colour"):
        parse(form, tmp_path / "other.csv")


def test_a_file_in_windows_encoding_and_semicolons_is_read(form: FormDefinition, tmp_path: Path) -> None:
    rows, counts = make_rows(form, 15, tool="google")
    text = "\r\n".join(";".join(f'"{c}"' for c in r) for r in rows)
    (tmp_path / "r.csv").write_bytes(text.replace("agency's", "agency\u2019s").encode("cp1252"))
    parsed = parse(form, tmp_path / "r.csv")
    assert parsed.respondents == 15
    assert parsed.raw["learning.lead"] == {o: n for o, n in counts["learning.lead"].items() if n}


def test_a_missing_question_is_reported_not_refused(form: FormDefinition, tmp_path: Path) -> None:
    rows, _ = make_rows(form, 10)
    col = rows[0].index("Which best describes your role?")
    for r in rows:
        del r[col]
    parsed = parse(form, write(rows, tmp_path / "r.csv"))
    assert parsed.missing == ("about.role",)
    assert "about.role" not in parsed.raw
    assert ColumnMapping.from_json(parsed.mapping.to_json()) == parsed.mapping
