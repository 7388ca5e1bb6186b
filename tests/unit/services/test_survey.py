"""The survey services: import mapped and counted, nothing of the file kept; the counts beside the ratings; frozen
into the signed return (its submission.json and the data its PDF carries) and kept by the Business Unit."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from helpers.engines import open_bu
from helpers.pdf import run, squash
from helpers.survey_kit import make_rows, sample, write

from oscb_desktop import demo
from oscb_desktop.bundle import verify_bundle
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import imports, returns, signoff, survey
from oscb_desktop.services.survey import SurveyError
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Agency, Submission
from oscb_desktop.store.survey_tables import ReceivedSurvey, SignedSurvey, SurveyMapping, SurveyResult
from oscb_desktop.survey.responses import UnmappableResponsesError


def test_import_keeps_only_suppressed_counts_and_remembers_the_mapping(
    workspace: Workspace, agency: Agency, tmp_path: Path
) -> None:
    form = survey.survey_form(workspace, "2026/27")
    s = sample(form, tmp_path / "Staff survey responses.xlsx", 60, tool="msforms", favour=0.9)
    info = survey.import_responses(workspace, agency.id, s.path)
    assert info.counts.respondents == 60
    trained = info.counts.question("learning.trained")
    assert trained is not None
    for option, n in s.counts["learning.trained"].items():
        shown = trained.counts[option]
        assert shown == (n if shown is not None else None)
        assert shown is None or shown >= 5
    # nothing of any one respondent in the database: no text of a metadata column, only counts
    db_text = (workspace.folder / "workspace.db").read_bytes()
    assert b"anonymous" not in db_text and b"2027-01-0" not in db_text
    assert not list(workspace.folder.rglob("*.xlsx"))
    row = SurveyResult.get()
    assert row.file_name == "Staff survey responses.xlsx"
    assert all((isinstance(n, int) and n >= 5) or n == "<5" for q in row.counts["questions"].values()
               for n in q["counts"].values())  # fmt: skip

    # a renamed column needs a mapping once; then it is remembered for the agency and survey
    rows, _ = make_rows(form, 30, tool="google", seed=3)
    col = rows[0].index("Have you had safeguarding training in the last three years?")
    rows[0][col] = "Training in last 3 yrs"
    renamed = write(rows, tmp_path / "renamed.csv")
    with pytest.raises(UnmappableResponsesError, match="Training in last 3 yrs"):
        survey.preview(workspace, agency.id, renamed)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"columns": {"learning.trained": "Training in last 3 yrs"}}), encoding="utf-8")
    survey.import_responses(workspace, agency.id, renamed, mapping_file=mapping)
    assert SurveyMapping.get().mapping["columns"]["learning.trained"] == "Training in last 3 yrs"
    again = survey.import_responses(workspace, agency.id, renamed)
    assert again.counts.respondents == 30
    assert SurveyResult.select().count() == 1, "a new import replaces the period's counts"


def test_an_unknown_agency_is_named_with_those_there_are(workspace: Workspace, agency: Agency) -> None:
    with pytest.raises(SurveyError, match="Example Community Health Trust"):
        survey.find_agency(workspace, "Nobody")
    assert survey.find_agency(workspace, "example  community health trust")[0] == agency.id


def test_questions_are_written_as_pdf_and_csv(workspace: Workspace, tmp_path: Path) -> None:
    written = survey.write_questions(workspace, tmp_path / "out")
    assert sorted(p.suffix for p in written) == [".csv", ".csv", ".pdf"]
    pdf = next(p for p in written if p.suffix == ".pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    layout = next(p for p in written if p.name.endswith("questions.csv")).read_text(encoding="utf-8-sig")
    assert "Have you had safeguarding training in the last three years?" in layout
    assert "Yes | No | Not sure" in layout
    # the responses sheet imports back as it is
    sheet = next(p for p in written if "responses" in p.name)
    text = sheet.read_text(encoding="utf-8-sig").strip() + "\r\n1," + ",".join(["Yes"] * 14) + "\r\n"
    sheet.write_text(text, encoding="utf-8")
    form = survey.survey_form(workspace)
    from oscb_desktop.survey.responses import parse

    with pytest.raises(UnmappableResponsesError, match="“Yes” in row 2 is not one of its answers"):
        parse(form, sheet)  # the role question has no "Yes": refused, with the row


def current_s11(ws: Workspace) -> returns.ReturnInfo:
    """The demo agency's 2026/27 Section 11 return as a complete draft."""
    row = Submission.select().where((Submission.period == "2026/27") & (Submission.form_id == "section11")).first()
    sub = returns.get_submission(ws, row.id)
    if sub.locked:
        return signoff.reopen(ws, sub.id)
    assert returns.problems(ws, sub.id) == []
    return sub


@pytest.fixture
def agency_demo(tmp_path: Path, shipped_forms: FormRegistry) -> Workspace:
    ws = Workspace.open(tmp_path / "agency", forms=shipped_forms)
    ws.bind()
    demo.generate(ws, agencies=1)
    return ws


def test_the_signed_return_carries_the_counts_and_the_business_unit_keeps_them(
    request: pytest.FixtureRequest, engine: str, agency_demo: Workspace, tmp_path: Path, shipped_forms: FormRegistry
) -> None:
    ws = agency_demo
    draft = current_s11(ws)
    form = survey.survey_form(ws, draft.period)
    s = sample(form, tmp_path / "r.csv", 48, tool="surveymonkey", favour=0.5, seed=11)
    survey.import_responses(ws, draft.agency_id, s.path)
    pairs = survey.beside(ws, draft.id)
    assert pairs.pairs and pairs.survey is not None
    assert any("practitioners answered Yes to “Have you had safeguarding training" in p.text for p in pairs.pairs)
    signoff.sign_off(ws, draft.id, signatory_name="Ann Officer", signatory_role="Director",
                     passphrase=demo.DEMO_PASSPHRASE)  # fmt: skip
    frozen = SignedSurvey.get_by_id(draft.id).counts
    assert frozen["respondents"] == 48
    # importing the survey again later does not change what was signed
    survey.import_responses(ws, draft.agency_id, sample(form, tmp_path / "r2.csv", 70, seed=2).path)
    out = tmp_path / "return.oscb"
    result = signoff.export(ws, draft.id, out, passphrase=demo.DEMO_PASSPHRASE, encrypt=False)
    bundle = result.path
    with zipfile.ZipFile(bundle) as z:
        members = {name: z.read(name) for name in ("submission.json", "submission.pdf")}
    sent = json.loads(members["submission.json"])
    assert sent["survey"] == frozen
    carried = signoff.carried_submission(members["submission.pdf"])
    assert carried is not None and carried.survey == frozen
    pdf_file = tmp_path / "signed.pdf"
    pdf_file.write_bytes(members["submission.pdf"])
    text = squash(run("pdftotext", str(pdf_file), "-"))
    assert "What practitioners said" in text
    assert "48 practitioners answered the agency's safeguarding practitioner survey" in text
    assert "fewer than 5" in text
    assert "Beside the agency's ratings" in text and "You rated" in text
    q = frozen["questions"]["learning.trained"]
    assert f"Yes: {q['counts']['yes']}" in text
    verified = verify_bundle(bundle.read_bytes(), forms=shipped_forms, trusted=None)
    assert verified.submission is not None and verified.submission.survey == frozen
    ws.close()

    bu = open_bu(request, engine, tmp_path / "bu", shipped_forms)  # the Business Unit, on each engine
    bu.bind()
    try:
        [res] = imports.import_paths(bu, [bundle], trust_new=True)
        assert res.outcome == "imported", res.message
        kept = ReceivedSurvey.get()
        assert kept.counts == frozen
    finally:
        bu.close()


def test_the_business_unit_refuses_counts_that_show_a_small_group(agency_demo: Workspace, tmp_path: Path) -> None:
    ws = agency_demo
    draft = current_s11(ws)
    form = survey.survey_form(ws, draft.period)
    survey.import_responses(ws, draft.agency_id, sample(form, tmp_path / "r.csv", 40).path)
    # a tampered store: a count of 2 shown (the bundle is signed, so only the agency itself could do this)
    con = sqlite3.connect(ws.folder / "workspace.db")
    row = SurveyResult.get()
    counts = row.counts
    counts["questions"]["learning.trained"]["counts"]["no"] = 2
    con.execute("UPDATE survey_result SET counts = ?", (json.dumps(counts),))
    con.commit()
    con.close()
    signoff.sign_off(ws, draft.id, signatory_name="Ann Officer", signatory_role="Director",
                     passphrase=demo.DEMO_PASSPHRASE)  # fmt: skip
    out = signoff.export(ws, draft.id, tmp_path / "r.oscb", passphrase=demo.DEMO_PASSPHRASE, encrypt=False).path
    res = verify_bundle(out.read_bytes(), forms=ws.forms, trusted=None)
    assert not res.ok and res.code == "bad_submission"
    assert "a count under 5 is shown" in res.reason
    ws.close()


def test_a_return_of_another_kind_carries_no_survey(agency_demo: Workspace, tmp_path: Path) -> None:
    ws = agency_demo
    impact = Submission.select().where(Submission.form_id == "impact").first()
    sub = returns.get_submission(ws, impact.id)
    form = survey.survey_form(ws, sub.period)
    survey.import_responses(ws, sub.agency_id, sample(form, tmp_path / "r.csv", 40).path)
    assert survey.carried(ws, sub) is None or sub.locked
    assert survey.beside(ws, sub.id).pairs == ()
