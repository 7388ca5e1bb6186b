"""Issue 9 §1 at the Business Unit: a bundle whose answers differ from its signed PDF writes nothing, and a
signed PDF forwarded alone is imported as a return whose bundle, arriving later, completes it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.bundle_kit import members_of, rebuild
from helpers.engines import raw_sql_error
from helpers.workspace_state import snapshot

from oscb_desktop.bundle import canonical_json, parse_json
from oscb_desktop.cli import main
from oscb_desktop.services import imports, review
from oscb_desktop.services.imports import ImportCode
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import UnlockedKey
from oscb_desktop.store.models import ReceivedReturn


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.fixture
def files(tmp_path: Path, bundle: bytes) -> dict[str, Path]:
    """Agency A's bundle (one evidence file), and its signed PDF on its own, as someone forwarded it."""
    return {
        "bundle": write(tmp_path, "return.oscb", bundle),
        "pdf": write(tmp_path, "Example Trust Section 11 signed.pdf", members_of(bundle)["submission.pdf"]),
    }


def test_a_bundle_whose_answers_differ_from_its_signed_pdf_writes_nothing(
    bu: Workspace, bundle: bytes, key_a: UnlockedKey, tmp_path: Path
) -> None:
    submission = parse_json(members_of(bundle)["submission.json"])
    submission["answers"]["s1.2"]["level"] = "green"  # the PDF that was signed off says Amber
    forged = rebuild(
        bundle, replace={"submission.json": canonical_json(submission)}, fix_manifest=True, sign_with=key_a
    )
    imports.check_can_import(bu)
    before = snapshot(bu)
    [result] = imports.import_paths(bu, [write(tmp_path, "forged.oscb", forged)], trust_new=True)
    assert (result.outcome, result.code) == ("rejected", "pdf_data_mismatch")
    assert "not the answers in the signed PDF" in result.reason
    assert snapshot(bu) == before, "not even the certificate it would have trusted"


def test_a_signed_pdf_alone_is_imported_and_its_bundle_completes_it(bu: Workspace, files: dict[str, Path]) -> None:
    [alone] = imports.import_paths(bu, [files["pdf"]], trust_new=True)
    assert (alone.outcome, alone.code) == ("imported", "pdf_only") and ImportCode.PDF_ONLY == "pdf_only"
    assert "signed PDF alone" in alone.reason
    assert "Its answer history and its 1 evidence file were not received" in alone.reason
    assert alone.newly_trusted and alone.agency == "Example Community Health Trust"
    row = review.received(bu, alone.received_id or 0)
    assert not row.bundle_received and row.pdf_sha256
    assert row.signatory_name == "Jane Doe" and row.signatory_role == "Director of Nursing", "named by the certificate"
    assert row.answers["s1.1"]["level"] == "green"
    assert review.signed_pdf(bu, row) == files["pdf"].read_bytes()

    [again] = imports.import_paths(bu, [files["pdf"]])
    assert again.outcome == "duplicate"

    [full] = imports.import_paths(bu, [files["bundle"]])
    assert (full.outcome, full.code) == ("imported", "completed"), full.reason
    assert full.received_id == alone.received_id, "the same return, completed: no conflict, no second row"
    completed = review.received(bu, alone.received_id or 0)
    assert completed.bundle_received and completed.file_name == "return.oscb"
    assert completed.answers == row.answers and completed.content_digest == row.content_digest
    assert ReceivedReturn.select().count() == 1

    [pdf_after] = imports.import_paths(bu, [files["pdf"]])
    assert pdf_after.outcome == "duplicate" and "with its bundle" in pdf_after.reason
    [bundle_again] = imports.import_paths(bu, [files["bundle"]])
    assert bundle_again.outcome == "duplicate"


def test_the_bundle_first_then_its_pdf_is_a_duplicate(bu: Workspace, files: dict[str, Path]) -> None:
    results = imports.import_paths(bu, [files["bundle"], files["pdf"]], trust_new=True)
    assert [(r.outcome, r.code) for r in results] == [("imported", "ok"), ("duplicate", "duplicate")]


def test_a_pdf_from_before_pdfs_carried_the_answers_is_refused_unwritten(
    bu: Workspace, tmp_path: Path, key_a: UnlockedKey, make_signed_pdf: Callable[..., bytes]
) -> None:
    old = write(tmp_path, "old.pdf", make_signed_pdf(key_a, None))
    imports.check_can_import(bu)
    before = snapshot(bu)
    [result] = imports.import_paths(bu, [old], trust_new=True)
    assert (result.outcome, result.code) == ("rejected", "not_a_return_pdf")
    assert "does not carry the answers" in result.reason and "Ask the agency for the .oscb bundle" in result.reason
    assert snapshot(bu) == before


def test_an_unsigned_or_changed_pdf_alone_is_refused(bu: Workspace, files: dict[str, Path], tmp_path: Path) -> None:
    signed = files["pdf"].read_bytes()
    changed = write(tmp_path, "changed.pdf", signed.replace(b"Jane Doe", b"Jane Dot", 1))
    appended = write(tmp_path, "appended.pdf", signed + b"\n% a note added after signing\n")
    not_pdf = write(tmp_path, "notes.pdf", b"just some text")
    results = imports.import_paths(bu, [changed, appended, not_pdf], trust_new=True)
    assert [r.outcome for r in results] == ["rejected"] * 3
    assert results[2].code == "not_a_return_pdf"
    assert ReceivedReturn.select().count() == 0


def test_a_folder_import_leaves_pdfs_alone(bu: Workspace, files: dict[str, Path]) -> None:
    """Folders hold other PDFs (reports, letters): only a PDF named on its own is taken for a return."""
    results = imports.import_paths(bu, [files["bundle"].parent], trust_new=True)
    assert [Path(r.file).suffix for r in results] == [".oscb"]


def test_the_database_lets_a_bundle_complete_a_pdf_alone_once_and_nothing_else(
    request: pytest.FixtureRequest, bu: Workspace, files: dict[str, Path]
) -> None:
    """Outside the app (plain sqlite3, plain psql) as much as inside it."""
    [alone] = imports.import_paths(bu, [files["pdf"]], trust_new=True)
    for column in ("answers", "signatory_name"):
        refused = raw_sql_error(
            request, bu, f"UPDATE received_return SET {column} = '{{}}' WHERE id = {alone.received_id}"
        )
        assert refused is not None and "cannot be changed" in refused
    imports.import_paths(bu, [files["bundle"]])
    for column in ("bundle_sha256", "signatory_name", "signed_at"):
        refused = raw_sql_error(
            request, bu, f"UPDATE received_return SET {column} = 'X' WHERE id = {alone.received_id}"
        )
        assert refused is not None and "cannot be changed" in refused
    assert (
        raw_sql_error(request, bu, f"UPDATE received_return SET review_notes = 'ok' WHERE id = {alone.received_id}")
        is None
    )


def test_cli_import_and_verify_of_a_pdf_alone(
    bu: Workspace, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bu.close()
    assert main(["verify", str(files["pdf"])]) == 0
    assert "a signed PDF alone: no evidence files or answer history" in capsys.readouterr().out
    assert main(["--data-dir", str(bu.folder), "import", "--trust-new", str(files["pdf"])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("IMPORTED") and "Imported from the signed PDF alone" in out
    assert main(["--data-dir", str(bu.folder), "import", "--json", str(files["bundle"])]) == 0
    result = parse_json(capsys.readouterr().out.encode())["results"][0]
    assert (result["outcome"], result["code"]) == ("imported", "completed")
