"""Sign-off, reopen, the printed PDF and export, on a real workspace with real keys, PDFs and bundles."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
from peewee import IntegrityError
from test_returns import complete_answers

from oscb_desktop.bundle import carried, carried_bytes, verify_bundle
from oscb_desktop.bundle.model import parse_json
from oscb_desktop.services import evidence as evidence_service
from oscb_desktop.services import identities, returns, signoff
from oscb_desktop.services.returns import ReturnError, ReturnLockedError
from oscb_desktop.services.signoff import NoIdentityError, SignOffBlockedError
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import IdentityError, WrongPassphraseError, verify_pdf
from oscb_desktop.signing import pdf as signing_pdf
from oscb_desktop.store import Agency, Answer, AuditEntry, Submission

PASSPHRASE = "correct horse battery"
SIGNATORY = ("Jo Director", "Director of Nursing")


@pytest.fixture
def identity(workspace: Workspace, agency: Agency) -> identities.IdentityRow:
    return identities.create(
        workspace, agency.id, person_name="Jo Director", role="Director of Nursing", email=None, passphrase=PASSPHRASE
    )


@pytest.fixture
def complete(workspace: Workspace, agency: Agency, identity: identities.IdentityRow) -> Submission:
    sub = returns.start_return(workspace, agency.id, "section11", "2026/27")
    assert returns.save_answers(workspace, sub.id, complete_answers(returns.form_of(workspace, sub))) == 100
    return Submission.get_by_id(sub.id)


def sign(ws: Workspace, sub_id: str) -> Submission:
    return signoff.sign_off(ws, sub_id, signatory_name=SIGNATORY[0], signatory_role=SIGNATORY[1], passphrase=PASSPHRASE)


def blob_count(ws: Workspace) -> int:
    return sum(1 for p in ws.blobs.folder.rglob("*") if p.is_file()) if ws.blobs.folder.exists() else 0


# --- identities ---------------------------------------------------------------------------------


def test_identity_is_stored_encrypted_and_a_new_one_retires_the_old(
    workspace: Workspace, agency: Agency, identity: identities.IdentityRow, tmp_path: Path
) -> None:
    assert "ENCRYPTED" in identity.encrypted_key_pem and "BEGIN PRIVATE KEY" not in identity.encrypted_key_pem
    raw = (workspace.folder / "workspace.db").read_bytes()
    assert b"BEGIN PRIVATE KEY" not in raw
    with pytest.raises(WrongPassphraseError):
        identities.unlock(identity, "not the passphrase")
    assert identities.unlock(identity, PASSPHRASE).fingerprint_sha256 == identity.fingerprint

    pem = identities.save_certificate(identity, tmp_path / "cert.pem")
    assert pem.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    second = identities.create(
        workspace, agency.id, person_name="Sam Other", role="Chief Executive", email=None, passphrase=PASSPHRASE
    )
    current = identities.current(workspace, agency.id)
    assert current is not None and current.id == second.id
    old = identities.for_fingerprint(workspace, agency.id, identity.fingerprint)
    assert old is not None and old.retired_at is not None


def test_importing_the_same_certificate_twice_is_refused(
    workspace: Workspace, agency: Agency, identity: identities.IdentityRow
) -> None:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    key = identities.unlock(identity, PASSPHRASE)
    p12 = pkcs12.serialize_key_and_certificates(
        b"x", key.private_key, key.certificate, None, BestAvailableEncryption(b"p12-password")
    )
    with pytest.raises(IdentityError, match="already"):
        identities.import_pkcs12(workspace, agency.id, p12, p12_password="p12-password", passphrase=PASSPHRASE)
    assert identities.current(workspace, agency.id).id == identity.id


# --- sign-off -----------------------------------------------------------------------------------


def test_sign_off_is_blocked_while_the_return_is_incomplete(
    workspace: Workspace, agency: Agency, identity: identities.IdentityRow
) -> None:
    sub = returns.start_return(workspace, agency.id, "section11", "2026/27")
    returns.save_answers(workspace, sub.id, {"about.completed_by": "Sam Lead"})
    with pytest.raises(SignOffBlockedError) as info:
        sign(workspace, sub.id)
    assert info.value.problems and info.value.problems == returns.problems(workspace, sub.id)
    row = Submission.get_by_id(sub.id)
    assert (row.status, row.signed_at, row.signed_pdf_sha256) == ("draft", None, None)
    assert blob_count(workspace) == 0


def test_wrong_passphrase_changes_nothing_and_the_right_one_then_works(
    workspace: Workspace, complete: Submission
) -> None:
    audit_before = AuditEntry.select().count()
    with pytest.raises(WrongPassphraseError, match="not right"):
        signoff.sign_off(workspace, complete.id, signatory_name="Jo", signatory_role="Director", passphrase="nope")
    assert Submission.get_by_id(complete.id).status == "draft"
    assert AuditEntry.select().count() == audit_before and blob_count(workspace) == 0
    assert sign(workspace, complete.id).status == "signed"


def test_sign_off_needs_an_identity_and_a_signatory(workspace: Workspace, agency: Agency) -> None:
    sub = returns.start_return(workspace, agency.id, "section11", "2026/27")
    returns.save_answers(workspace, sub.id, complete_answers(returns.form_of(workspace, sub)))
    with pytest.raises(NoIdentityError, match="no signing identity"):
        sign(workspace, sub.id)
    identities.create(workspace, agency.id, person_name="Jo", role="Director", email=None, passphrase=PASSPHRASE)
    with pytest.raises(ReturnError, match="name"):
        signoff.sign_off(workspace, sub.id, signatory_name="  ", signatory_role="Director", passphrase=PASSPHRASE)
    assert Submission.get_by_id(sub.id).status == "draft"


def test_signing_locks_the_return_with_a_signed_pdf(workspace: Workspace, complete: Submission) -> None:
    signed = sign(workspace, complete.id)
    assert signed.status == "signed" and signed.locked
    assert (signed.signatory_name, signed.signatory_role) == SIGNATORY
    assert (
        signed.signed_at and signed.signer_fingerprint == identities.current(workspace, complete.agency_id).fingerprint
    )

    pdf = signoff.pdf_for_print(workspace, complete.id)
    assert hashlib.sha256(pdf).hexdigest() == signed.signed_pdf_sha256
    report = verify_pdf(pdf)
    assert report.ok and report.covers_whole_file, report.problem
    assert report.certificate is not None
    assert (
        AuditEntry.get((AuditEntry.submission == complete.id) & (AuditEntry.action == "sign")).new_value["signatory"]
        == SIGNATORY[0]
    )

    # No code path can change it: the service, a raw SQL update, a delete.
    with pytest.raises(ReturnLockedError):
        returns.save_answers(workspace, complete.id, {"about.completed_by": "Someone else"})
    with pytest.raises(ReturnLockedError):
        sign(workspace, complete.id)
    with pytest.raises(IntegrityError):
        Answer.update(value="changed").where(Answer.submission == complete.id).execute()
    with pytest.raises(IntegrityError):
        Submission.update(signatory_name="Forger").where(Submission.id == complete.id).execute()
    with pytest.raises(IntegrityError):
        Submission.delete().where(Submission.id == complete.id).execute()
    assert Submission.get_by_id(complete.id).signatory_name == SIGNATORY[0]


def test_the_signed_pdf_names_the_signatory_and_a_draft_preview_says_draft(
    workspace: Workspace, complete: Submission, tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; .ci/run installs it")

    def text(pdf: bytes) -> str:
        path = tmp_path / "x.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout

    draft = text(signoff.pdf_for_print(workspace, complete.id))
    assert "DRAFT" in draft
    sign(workspace, complete.id)
    final = text(signoff.pdf_for_print(workspace, complete.id))
    assert "DRAFT" not in final
    assert SIGNATORY[0] in final and SIGNATORY[1] in final


def test_a_damaged_signed_pdf_is_reported_not_printed(workspace: Workspace, complete: Submission) -> None:
    signed = sign(workspace, complete.id)
    path = workspace.blobs.path(signed.signed_pdf_sha256)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ReturnError, match="damaged or changed"):
        signoff.pdf_for_print(workspace, complete.id)
    path.unlink()
    with pytest.raises(ReturnError, match="missing"):
        signoff.export(workspace, complete.id, workspace.folder / "x.oscb", passphrase=PASSPHRASE)


def test_review_summary_counts_ratings_actions_and_evidence(workspace: Workspace, complete: Submission) -> None:
    summary = signoff.review_summary(workspace, complete.id)
    form = returns.form_of(workspace, complete)
    answers = returns.load_answers(workspace, complete.id)
    rated = [i for i in form.items() if i.type == "rating" and i.id in answers]
    assert sum(n for s in summary.sections for _label, n in s.counts) == len(rated)
    assert summary.percent_complete == 100 and summary.attachments == 0
    assert len(summary.sections) == sum(1 for s in form.sections if any(i.type == "rating" for i in s.items))


# --- reopen -------------------------------------------------------------------------------------


def test_reopen_makes_version_2_from_the_signed_answers(workspace: Workspace, complete: Submission) -> None:
    sign(workspace, complete.id)
    with pytest.raises(ReturnError, match="Only a signed"):
        signoff.reopen(workspace, returns.start_return(workspace, complete.agency_id, "impact", "2026/27").id)
    v2 = signoff.reopen(workspace, complete.id)
    assert (v2.version, v2.status, v2.supersedes_id) == (2, "draft", complete.id)
    assert returns.load_answers(workspace, v2.id) == returns.load_answers(workspace, complete.id)
    assert Submission.get_by_id(complete.id).status == "superseded"
    assert returns.current_return(workspace, complete.agency_id, "section11", "2026/27").id == v2.id
    with pytest.raises(ReturnError, match="already been reopened as version 2"):
        signoff.reopen(workspace, complete.id)
    # The new version is a normal draft again; the old one is still locked.
    returns.save_answers(workspace, v2.id, {"about.completed_by": "Sam Lead, updated"})
    with pytest.raises(ReturnLockedError):
        returns.save_answers(workspace, complete.id, {"about.completed_by": "Sam Lead, updated"})
    versions = [r.version for r in returns.list_returns(workspace) if r.form_id == "section11"]
    assert versions == [2, 1]


# --- export -------------------------------------------------------------------------------------


def test_export_refuses_a_draft_and_a_wrong_passphrase_and_writes_nothing(
    workspace: Workspace, complete: Submission, tmp_path: Path
) -> None:
    out = tmp_path / "return.oscb"
    with pytest.raises(ReturnError, match="Only a signed return"):
        signoff.export(workspace, complete.id, out, passphrase=PASSPHRASE)
    sign(workspace, complete.id)
    with pytest.raises(WrongPassphraseError):
        signoff.export(workspace, complete.id, out, passphrase="wrong passphrase")
    assert not out.exists()


def test_round_trip_fill_sign_export_verify_with_standard_tools(
    workspace: Workspace, agency: Agency, identity: identities.IdentityRow, tmp_path: Path
) -> None:
    """An impact assessment with an evidence file: sign, export, and check with our verifier and the tools."""
    sub = returns.start_return(workspace, agency.id, "impact", "2026/27")
    returns.save_answers(workspace, sub.id, complete_answers(returns.form_of(workspace, sub)))
    evidence = tmp_path / "Training figures 2026.csv"
    evidence.write_text("course,completed\nLevel 3,94%\n", encoding="utf-8")
    evidence_service.add_file(workspace, sub.id, "impact.evidence", evidence)
    sign(workspace, sub.id)
    out = tmp_path / "out" / "impact.oscb"
    out.parent.mkdir()
    result = signoff.export(workspace, sub.id, out, passphrase=PASSPHRASE)
    assert result.size == out.stat().st_size

    checked = verify_bundle(out, forms=workspace.forms, trusted=None)
    assert checked.ok, checked.reason
    assert checked.signer_fingerprint == identity.fingerprint
    assert checked.submission_id == sub.id and checked.submission_version == 1
    assert checked.content_digest == result.content_digest

    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(unpacked)
        names = set(zf.namelist())
    assert {"manifest.json", "manifest.sig", "signer.pem", "submission.json", "submission.pdf", "audit.json"} <= names
    attachments = [n for n in names if n.startswith("attachments/")]
    assert len(attachments) == 1 and (unpacked / attachments[0]).read_bytes() == evidence.read_bytes()
    submission = parse_json((unpacked / "submission.json").read_bytes())
    assert submission["answers"] == returns.load_answers(workspace, sub.id)
    audit = parse_json((unpacked / "audit.json").read_bytes())
    assert (
        audit[-1]["action"] == "sign"
        and len(audit) == AuditEntry.select().where(AuditEntry.submission == sub.id).count()
    )
    assert (unpacked / "submission.pdf").read_bytes() == signoff.pdf_for_print(workspace, sub.id)

    if shutil.which("openssl") is None or shutil.which("pdfsig") is None:
        pytest.skip("openssl and pdfsig are needed for the standard-tool checks; .ci/run installs them")
    cms = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "manifest.sig", "-content", "manifest.json",
         "-certfile", "signer.pem", "-noverify", "-out", "/dev/null"],
        cwd=unpacked, capture_output=True, text=True,
    )  # fmt: skip
    assert cms.returncode == 0, cms.stderr
    pdfsig = subprocess.run(["pdfsig", "submission.pdf"], cwd=unpacked, capture_output=True, text=True)
    assert "Signature is Valid" in pdfsig.stdout and "Total document signed" in pdfsig.stdout, pdfsig.stdout
    manifest = parse_json((unpacked / "manifest.json").read_bytes())
    for member in manifest["members"]:
        sha = subprocess.run(["sha256sum", member["path"]], cwd=unpacked, capture_output=True, text=True, check=True)
        assert sha.stdout.split()[0] == member["sha256"]


def test_export_of_a_reopened_and_resigned_return_carries_the_history(
    workspace: Workspace, complete: Submission, tmp_path: Path
) -> None:
    sign(workspace, complete.id)
    v2 = signoff.reopen(workspace, complete.id)
    returns.save_answers(workspace, v2.id, {"about.completed_by": "Sam Lead, after challenge"})
    sign(workspace, v2.id)
    out = tmp_path / "v2.oscb"
    signoff.export(workspace, v2.id, out, passphrase=PASSPHRASE)
    checked = verify_bundle(out, forms=workspace.forms, trusted=None)
    assert checked.ok, checked.reason
    assert checked.submission_version == 2 and checked.manifest is not None
    assert checked.manifest.submission.supersedes == complete.id
    audit = parse_json(zipfile.ZipFile(out).read("audit.json"))
    assert [a["action"] for a in audit].count("sign") == 2
    assert {"reopen", "edit"} <= {a["action"] for a in audit}


def test_a_database_opened_elsewhere_cannot_unsign(workspace: Workspace, complete: Submission) -> None:
    """The triggers live in the file: plain sqlite3, outside the app, cannot change a signed return either."""
    sign(workspace, complete.id)
    workspace.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    con = sqlite3.connect(workspace.folder / "workspace.db", isolation_level=None)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="signed"):
            con.execute("UPDATE submission SET status = 'draft' WHERE id = ?", (complete.id,))
        with pytest.raises(sqlite3.DatabaseError, match="signed"):
            con.execute("DELETE FROM submission")
        con.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.DatabaseError, match="signed"):
            con.execute("DELETE FROM agency")  # would cascade to the signed return
    finally:
        con.close()


# --- what was signed is what travels (issue 9 §1) ---------------------------------------------------------------


def test_the_signed_pdf_carries_the_answers_and_export_sends_exactly_those(
    workspace: Workspace, complete: Submission, tmp_path: Path
) -> None:
    signed = sign(workspace, complete.id)
    pdf = signoff.signed_pdf(workspace, returns.get_submission(workspace, signed.id))
    carried = signoff.carried_submission(pdf)
    assert carried is not None and dict(carried.answers) == returns.load_answers(workspace, signed.id)
    assert verify_pdf(pdf).ok

    # The agency is renamed after sign-off: the bundle still says what was signed, not the store's new reading.
    Agency.update(name="Renamed Trust").where(Agency.id == signed.agency_id).execute()
    result = signoff.export(workspace, signed.id, tmp_path / "r.oscb", passphrase=PASSPHRASE)
    with zipfile.ZipFile(result.path) as z:
        submission_json = z.read("submission.json")
        assert parse_json(z.read("manifest.json"))["format_version"] == 2
    assert submission_json == bundle_carried(pdf)
    assert parse_json(submission_json)["agency"]["name"] != "Renamed Trust"
    verdict = verify_bundle(result.path, forms=workspace.forms, trusted=None)
    assert verdict.ok and verdict.pdf_carries_data, verdict.reason


def test_a_return_signed_before_pdfs_carried_the_answers_exports_as_version_1(
    workspace: Workspace, complete: Submission, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade finds returns signed by the old version: they still export, as the format they can honour."""
    monkeypatch.setattr(carried, "submission_attachment", lambda _payload: None)
    real_sign_pdf = signing_pdf.sign_pdf
    monkeypatch.setattr(signing_pdf, "sign_pdf", lambda *a, embed=(), **k: real_sign_pdf(*a, **k))
    signed = sign(workspace, complete.id)
    monkeypatch.undo()
    result = signoff.export(workspace, signed.id, tmp_path / "old.oscb", passphrase=PASSPHRASE)
    with zipfile.ZipFile(result.path) as z:
        assert parse_json(z.read("manifest.json"))["format_version"] == 1
    verdict = verify_bundle(result.path, forms=workspace.forms, trusted=None)
    assert verdict.ok and not verdict.pdf_carries_data
    assert "could not be compared with the signed PDF" in verdict.reason


def bundle_carried(pdf: bytes) -> bytes:
    data = carried_bytes(pdf)
    assert data is not None
    return data
