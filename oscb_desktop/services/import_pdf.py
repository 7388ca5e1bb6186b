"""A return imported from its signed PDF alone (someone forwarded only the PDF): reading and verifying the PDF, what
the result says was not received, and completing the return when its bundle comes later.

The signed PDF carries ``submission.json`` under its own signature (bundle format 2), so it proves the answers on
its own; the evidence files and the answer history travel only in the bundle. The bundle of such a return carries
the same answers and PDF (equal content digests): it completes the row, never conflicts with it.
"""

from __future__ import annotations

from pathlib import Path

from oscb_desktop.bundle import FileTooLargeError, VerifyResult, limits, read_bounded, verify_return_pdf
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import registry, write_failures
from oscb_desktop.services.import_results import (
    ImportCode,
    ImportResult,
    Outcome,
    make_result,
    not_stored,
    remove_new_files,
    sha256_hex,
)
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.services.write_failures import WRITE_ERRORS
from oscb_desktop.store.models import ReceivedReturn

#: A signed submission PDF given on its own (not looked for in folders, which hold other PDFs too).
PDF_SUFFIX = ".pdf"


def check_pdf(path: Path, forms: FormRegistry) -> tuple[VerifyResult, bytes | None]:
    """Read a signed PDF once and verify it as a return; its bytes only if it is sound (they are what is stored)."""
    try:
        data: bytes | None = read_bounded(path, limits.member_limit("submission.pdf"))
    except (FileTooLargeError, OSError):
        data = None  # the verifier words the refusal
    result = verify_return_pdf(data if data is not None else path, forms=forms, trusted=None)
    return result, data if result.ok else None


def not_received(res: VerifyResult) -> str:
    """What a return imported from its PDF alone lacks, for its result."""
    count = len(res.not_received)
    if not count:
        return "Its answer history was not received"
    return f"Its answer history and its {count} evidence file{'s' if count != 1 else ''} were not received"


def complete(ws: Workspace, path: Path, data: bytes, res: VerifyResult, existing: ReceivedReturn) -> ImportResult:
    """The bundle of a return imported from its signed PDF alone: the same signed answers and PDF (equal content
    digests), now with the evidence files and answer history, and the signatory its signed manifest names."""
    assert res.manifest is not None
    manifest = res.manifest
    new_file = not ws.blobs.exists(sha256_hex(data))
    try:
        bundle_ref = ws.blobs.add_bytes(data, path.name)
        with ws.db.atomic():
            ReceivedReturn.update(
                bundle_sha256=bundle_ref.sha256,
                signatory_name=manifest.signatory.name,
                signatory_role=manifest.signatory.role,
                signed_at=manifest.signed_at,
                file_name=path.name,
            ).where((ReceivedReturn.id == existing.id) & (ReceivedReturn.bundle_sha256 == "")).execute()
            registry.log(
                ws, "complete", file=path.name, agency=manifest.agency.name, form=manifest.form.id,
                period=manifest.period, version=manifest.submission.version,
            )  # fmt: skip
    except WRITE_ERRORS as exc:
        if new_file:
            remove_new_files(ws, [sha256_hex(data)])
        return not_stored(path, res, write_failures.explain(exc, ws.folder))
    files = len(res.attachments)
    return make_result(
        path,
        res,
        Outcome.IMPORTED,
        ImportCode.COMPLETED,
        f"Completed: {manifest.agency.name}, {manifest.form_title} {manifest.period}, version "
        f"{manifest.submission.version}, imported from its signed PDF on {existing.imported_at[:10]}, now has its "
        f"answer history and {files or 'no'} evidence file{'s' if files != 1 else ''}.",
        received_id=existing.id,
    )
