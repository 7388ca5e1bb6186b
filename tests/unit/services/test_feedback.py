"""Signed feedback end to end on real workspaces, keys and files: the Business Unit moderates, requires actions
and exports one signed file per agency; the agency takes it, sees it beside its return and finds the required
actions in next year's action plan. Every refusal stores nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from helpers.bundle_kit import members_of, rebuild
from helpers.engines import open_bu
from helpers.feedback_kit import PASSPHRASE, Scenario, agency_id, build, business_unit, stored

from oscb_desktop.bundle.model import parse_json
from oscb_desktop.feedback import build_feedback, check_feedback
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import feedback, feedback_received, partnership_admin, returns
from oscb_desktop.services.feedback_received import FeedbackRefusedError
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import WrongPassphraseError, verify_pdf


@pytest.fixture
def scenario(
    request: pytest.FixtureRequest, engine: str, tmp_path: Path, shipped_forms: FormRegistry, workspace: Workspace
) -> Iterator[Scenario]:
    """The Business Unit on each engine in turn (the agency is always on SQLite)."""
    s = build(tmp_path, shipped_forms, workspace, lambda folder, forms: open_bu(request, engine, folder, forms))
    yield s
    s.bu.close()


def test_the_file_is_signed_and_says_what_was_moderated(scenario: Scenario) -> None:
    s = scenario
    assert s.feedback_file.name == "Feedback_Example-Community-Health-Trust_2026-27.oscbfeedback"
    check = check_feedback(s.feedback_file)
    assert check.ok, check.reason
    assert check.signer_fingerprint == partnership_admin.current_identity(s.bu).fingerprint
    members = members_of(s.feedback_file.read_bytes())
    assert set(members) == {"manifest.json", "manifest.sig", "signer.pem", "feedback.json", "letter.pdf"}
    letter = verify_pdf(members["letter.pdf"])
    assert letter.ok and letter.certificate is not None
    data = parse_json(members["feedback.json"])
    assert data["agency"] == {"name": "Example Community Health Trust"} and data["period"] == "2026/27"
    [entry] = data["returns"]
    assert entry["submission"] == {"id": s.submission_id, "version": 1}
    assert entry["review"] == {"status": "has_issues", "label": "Has issues",
                               "notes": "The evidence for standard 3 is thin."}  # fmt: skip
    s3 = next(st for st in entry["standards"] if st["id"] == "s3")
    assert (s3["own"]["label"], s3["moderated"]["label"], s3["note"]) == ("Green", "Amber", "Rotas not shown.")
    [statement] = [st for st in entry["statements"] if st["id"] == "s3.2"]
    assert (statement["own"]["label"], statement["moderated"]["label"]) == ("Green", "Red")
    assert {"target": "", "label": "The return as a whole", "text": "A frank discussion."} in entry["notes"]
    actions = entry["required_actions"]
    assert [(a["target"], a["what"], a["due"]) for a in actions] == [
        ("s3", "Publish the on-call rota to all staff", "2027-09-30"), ("", "Send the training plan", None),
    ]  # fmt: skip


def test_import_keeps_it_beside_the_return_and_next_year_starts_from_it(scenario: Scenario) -> None:
    s = scenario
    ws = s.agency
    assert feedback_received.returns_with_feedback(ws) == set()
    result = feedback_received.import_feedback(ws, s.feedback_file)
    assert result.outcome == "imported" and "Received the feedback" in result.message
    info = feedback_received.feedback_for(ws, s.submission_id)
    assert info is not None and info.partnership_short == "BSCP" and info.period == "2026/27"
    s3 = next(st for st in info.feedback.standards if st.id == "s3")
    assert s3.differs and s3.own is not None and s3.own.label == "Green"
    assert feedback_received.letter_pdf(ws, info).startswith(b"%PDF")
    assert feedback_received.returns_with_feedback(ws) == {s.submission_id}
    assert [f.submission_id for f in feedback_received.list_feedback(ws)] == [s.submission_id]
    again = feedback_received.import_feedback(ws, s.feedback_file)
    assert again.outcome == "unchanged" and len(feedback_received.list_feedback(ws)) == 1

    nxt = returns.start_return(ws, agency_id(ws), "section11", "2027/28", partnership_id=s.partnership_id)
    answers = returns.load_answers(ws, nxt.id)
    s3_rows = answers["s3.actions"]
    assert {
        "action": "Required by the partnership (BSCP, feedback on 2026/27): Publish the on-call rota to all staff",
        "lead": None, "due": "2027-09-30", "status": "not_started",
    } in s3_rows  # fmt: skip
    first_table = next(i for i in returns.form_of(ws, nxt).items() if i.type == "table")
    assert any(
        str(r["action"]).startswith("Required by the partnership (BSCP, feedback on 2026/27) (The return as a whole)")
        for r in answers[first_table.id]
    )
    assert "s3.actions" in returns.carried_items(ws, nxt.id), "marked carried, for the agency to review"


def refused(ws: Workspace, file: bytes | Path, code: str) -> str:
    before = stored(ws)
    with pytest.raises(FeedbackRefusedError) as caught:
        feedback_received.import_feedback(ws, file)
    assert caught.value.code == code, caught.value.reason
    assert stored(ws) == before, "a refused feedback file stores nothing"
    return caught.value.reason


def test_tampered_foreign_and_misaddressed_feedback_is_refused(
    scenario: Scenario, tmp_path: Path, shipped_forms: FormRegistry
) -> None:
    s = scenario
    ws = s.agency
    data = s.feedback_file.read_bytes()
    members = members_of(data)
    refused(ws, rebuild(data, replace={"feedback.json": members["feedback.json"].replace(b"Amber", b"Green")}),
            "hash_mismatch")  # fmt: skip
    refused(ws, data[: len(data) // 2], "not_zip")
    refused(ws, rebuild(data, remove={"letter.pdf"}), "missing_member")

    check = check_feedback(data)
    assert check.document is not None
    key = partnership_admin.unlock(partnership_admin.current_identity(s.bu), PASSPHRASE)
    letter = members["letter.pdf"]
    unsigned = letter[: letter.index(b"%%EOF") + 5]  # the letter as rendered, before the signature was added
    doc = check.document
    other_agency = dataclasses.replace(doc, agency="Thames Valley Police")
    assert "not an agency of this workspace" in refused(ws, build_feedback(other_agency, unsigned, key),
                                                         "other_agency")  # fmt: skip
    unknown = dataclasses.replace(doc, returns=(dataclasses.replace(doc.returns[0], version=2),))
    refused(ws, build_feedback(unknown, unsigned, key), "unknown_return")

    mk = business_unit(tmp_path / "mk", shipped_forms, name="Milton Keynes Safeguarding Children Partnership",
                       short="MKSCP")  # fmt: skip
    try:
        mk_key = partnership_admin.unlock(partnership_admin.current_identity(mk), PASSPHRASE)
        with pytest.raises(feedback.FeedbackExportError, match="No return"):
            feedback.export_feedback(mk, "2026/27", tmp_path / "none", PASSPHRASE)
        forged = build_feedback(doc, unsigned, mk_key)  # names BSCP, signed by another key
        assert "not signed by the Business Unit key" in refused(ws, forged, "untrusted_signer")
        other = dataclasses.replace(doc, partnership=dataclasses.replace(doc.partnership, id="mkscp-id", name="MKSCP"))
        refused(ws, build_feedback(other, unsigned, mk_key), "other_partnership")
    finally:
        mk.close()
    assert feedback_received.list_feedback(ws) == []


def test_required_actions_and_export_refusals(scenario: Scenario, tmp_path: Path) -> None:
    s = scenario
    listed = feedback.required_actions(s.bu, s.received_id)
    assert [(a.target, a.due) for a in listed] == [("s3", date(2027, 9, 30)), ("", None)]
    with pytest.raises(feedback.FeedbackExportError, match="not a standard"):
        feedback.add_required_action(s.bu, s.received_id, "x", target="s99")
    with pytest.raises(feedback.FeedbackExportError, match="Say what"):
        feedback.add_required_action(s.bu, s.received_id, "   ")
    feedback.remove_required_action(s.bu, listed[1].id)
    assert len(feedback.required_actions(s.bu, period="2026/27")) == 1
    with pytest.raises(WrongPassphraseError):
        feedback.export_feedback(s.bu, "2026/27", tmp_path / "wrong", "not the passphrase")
    assert not (tmp_path / "wrong").exists()
    with pytest.raises(feedback.FeedbackExportError, match="not a partnership's Business Unit"):
        feedback.export_feedback(s.agency, "2026/27", tmp_path / "agency", PASSPHRASE)


def test_the_schema_is_valid_and_a_resigned_mismatch_is_bad_feedback(scenario: Scenario) -> None:
    import jsonschema

    from oscb_desktop.bundle.model import schema

    jsonschema.Draft202012Validator.check_schema(schema("feedback.schema.json"))
    data = scenario.feedback_file.read_bytes()
    key = partnership_admin.unlock(partnership_admin.current_identity(scenario.bu), PASSPHRASE)
    changed = members_of(data)["feedback.json"].replace(b'"period": "2026/27"', b'"period": "2025/26"')
    forged = rebuild(data, replace={"feedback.json": changed}, fix_manifest=True, sign_with=key)
    check = check_feedback(forged)
    assert (check.ok, check.code, check.member) == (False, "bad_feedback", "feedback.json")


def test_the_signed_letter_lists_the_required_actions(scenario: Scenario, tmp_path: Path) -> None:
    import subprocess

    letter = members_of(scenario.feedback_file.read_bytes())["letter.pdf"]
    (tmp_path / "letter.pdf").write_bytes(letter)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "letter.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "What the partnership requires" in text
    assert "Publish the on-call rota to all staff" in text and "30 Sep 2027" in text
