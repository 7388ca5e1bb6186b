"""Evidence files of a return imported from its signed PDF alone: the signed answers name them, but the bundle
that carries them has not come. They are listed as not received (never an error), the hints that need their bytes
wait, and once the bundle completes the return they are read and opened like any other."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.bundle_kit import ATTACHMENT_DATA, ATTACHMENT_NAME, members_of, payload_naming
from reportlab.pdfgen import canvas

from oscb_desktop.services import evidence_review, imports
from oscb_desktop.services.evidence_review import EvidenceNotReceivedError
from oscb_desktop.services.workspace import Workspace


def scan_like_pdf() -> bytes:
    """A PDF with pages but no text (as a scanner makes one): big enough not to be "near-empty"."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=0)
    pdf.rect(72, 72, 300, 300, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue() + b"%" * 2048


SCAN_NAME = "Scanned audit.pdf"
SCAN = scan_like_pdf()


@pytest.fixture
def sent(tmp_path: Path, build: Callable[..., bytes]) -> dict[str, Path]:
    """A return naming two files (a tiny one on S1.1, a textless PDF on S1.2): its bundle, and its signed PDF
    forwarded on its own."""
    bundle = build(
        submission=payload_naming((SCAN_NAME, SCAN)),
        attachments=[(ATTACHMENT_NAME, ATTACHMENT_DATA), (SCAN_NAME, SCAN)],
    )
    (tmp_path / "return.oscb").write_bytes(bundle)
    (tmp_path / "signed.pdf").write_bytes(members_of(bundle)["submission.pdf"])
    return {"bundle": tmp_path / "return.oscb", "pdf": tmp_path / "signed.pdf"}


def test_files_of_a_pdf_alone_are_listed_as_not_received_until_the_bundle_comes(
    bu: Workspace, sent: dict[str, Path]
) -> None:
    [alone] = imports.import_paths(bu, [sent["pdf"]], trust_new=True)
    assert alone.code == "pdf_only", alone.reason
    rid = alone.received_id or 0

    files = evidence_review.received_files(bu, rid)
    assert [(f.code, f.name, f.received) for f in files] == [
        ("S1.1", ATTACHMENT_NAME, False),
        ("S1.2", SCAN_NAME, False),
    ], "named by the signed answers, with their sizes, but not here"
    assert files[1].size == len(SCAN)
    for f in files:
        with pytest.raises(EvidenceNotReceivedError, match=r"not received yet: import the \.oscb bundle"):
            evidence_review.read_file(bu, rid, f.sha256)
        with pytest.raises(EvidenceNotReceivedError):
            evidence_review.open_copy(bu, rid, f.sha256, f.name)
    hints = evidence_review.evidence_hints(bu, rid)
    assert [(h.code, h.kind) for h in hints] == [("S1.1", "near_empty")], "the size is signed; the text is not here"

    [full] = imports.import_paths(bu, [sent["bundle"]])
    assert (full.code, full.received_id) == ("completed", rid), full.reason
    files = evidence_review.received_files(bu, rid)
    assert [f.received for f in files] == [True, True]
    assert evidence_review.read_file(bu, rid, files[1].sha256) == SCAN
    copy = evidence_review.open_copy(bu, rid, files[0].sha256, files[0].name)
    assert copy.read_bytes() == ATTACHMENT_DATA and copy.name == ATTACHMENT_NAME
    hints = evidence_review.evidence_hints(bu, rid)
    assert [(h.code, h.kind) for h in hints] == [("S1.1", "near_empty"), ("S1.2", "no_text")]
