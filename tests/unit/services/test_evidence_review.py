"""Evidence files end to end through the services: attached at the agency, carried forward, signed, exported,
verified, imported by the Business Unit, listed beside their statements, opened from a read-only copy, and the
"check this evidence" hints (the same file as last year, a near-empty file, a PDF with no text)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.engines import ENGINES, open_bu
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from test_returns import complete_answers

from oscb_desktop.bundle import verify_bundle
from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import evidence, evidence_review, identities, imports, returns, review, signoff
from oscb_desktop.services.agencies import create_agency
from oscb_desktop.services.review import ReviewError
from oscb_desktop.services.workspace import Workspace

PASSPHRASE = "correct horse battery"


def text_pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A page that is only a picture, as a scanner makes it: no text in the PDF."""
    image = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
    png = io.BytesIO()
    image.save(png, "PNG")
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawImage(ImageReader(io.BytesIO(png.getvalue())), 72, 400, 300, 300)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


POLICY = text_pdf("Safeguarding policy, approved by the board on 12 May 2025. " * 3) + b"%" * 2048
SCAN = scanned_pdf()
TINY = b"See the intranet."


@dataclass
class Cycle:
    bu: Workspace
    last_year: int
    this_year: int
    bundle: Path


def sign_and_export(ws: Workspace, sub_id: str, folder: Path) -> Path:
    signoff.sign_off(ws, sub_id, signatory_name="Jo Director", signatory_role="Director", passphrase=PASSPHRASE)
    path = folder / f"{sub_id}.oscb"
    signoff.export(ws, sub_id, path, passphrase=PASSPHRASE)
    return path


@pytest.fixture(scope="module", params=ENGINES)
def cycle(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cycle]:
    """An agency's two years of returns with evidence, imported by a Business Unit on each engine in turn."""
    folder = tmp_path_factory.mktemp("evidence-cycle")
    files = folder / "files"
    files.mkdir()
    (files / "Safeguarding policy.pdf").write_bytes(POLICY)
    (files / "Note.txt").write_bytes(TINY)
    (files / "Scanned audit.pdf").write_bytes(SCAN)
    forms = FormRegistry.load()
    with Workspace.open(folder / "agency", forms=forms) as ws:
        ws.bind()
        agency = create_agency(ws, "Example Community Health Trust", sector="health")
        identities.create(ws, agency.id, person_name="Jo Director", role="Director", email=None, passphrase=PASSPHRASE)
        old = returns.start_return(ws, agency.id, "section11", "2025/26")
        returns.save_answers(ws, old.id, complete_answers(returns.form_of(ws, old)))
        evidence.add_file(ws, old.id, "s1.1", files / "Safeguarding policy.pdf")
        first = sign_and_export(ws, old.id, folder)

        new = returns.start_return(ws, agency.id, "section11", "2026/27")
        carried = returns.load_answers(ws, new.id)["s1.1"]["files"]
        answers = complete_answers(returns.form_of(ws, new))
        answers["s1.1"] = {**answers["s1.1"], "files": carried}  # last year's policy kept
        returns.save_answers(ws, new.id, answers)
        returns.confirm_carried(ws, new.id, returns.carried_items(ws, new.id))
        evidence.add_file(ws, new.id, "s1.2", files / "Note.txt")
        evidence.add_file(ws, new.id, "s1.3", files / "Scanned audit.pdf")
        evidence.add_file(ws, new.id, "s1.4", files / "Safeguarding policy.pdf")  # same file, another statement
        second = sign_and_export(ws, new.id, folder)
    bu = open_bu(request, request.param, folder / "bu", forms)
    bu.bind()
    results = imports.import_paths(bu, [first, second], trust_new=True)
    assert [r.outcome for r in results] == ["imported", "imported"], [r.reason for r in results]
    rows = {r.period: r.id for r in review.list_received(bu)}
    yield Cycle(bu, rows["2025/26"], rows["2026/27"], second)
    bu.close()


@pytest.fixture
def bu(cycle: Cycle) -> Workspace:
    cycle.bu.bind()
    return cycle.bu


def test_the_bundle_carries_each_file_once_and_verifies(cycle: Cycle, bu: Workspace) -> None:
    result = verify_bundle(cycle.bundle, forms=bu.forms, trusted=None)
    assert result.ok, result.reason
    assert sorted(m.path.split("-", 1)[1] for m in result.attachments) == [
        "Note.txt",
        "Safeguarding_policy.pdf",
        "Scanned_audit.pdf",
    ]


def test_the_business_unit_sees_each_statements_files(cycle: Cycle, bu: Workspace) -> None:
    files = evidence_review.received_files(bu, cycle.this_year)
    assert [(f.code, f.name, f.carried) for f in files] == [
        ("S1.1", "Safeguarding policy.pdf", True),
        ("S1.2", "Note.txt", False),
        ("S1.3", "Scanned audit.pdf", False),
        ("S1.4", "Safeguarding policy.pdf", False),
    ]
    assert files[0].label.startswith("The agency has a named senior lead")
    assert all(f.allowed_type for f in files)
    assert evidence_review.read_file(bu, cycle.this_year, files[2].sha256) == SCAN
    copy = evidence_review.open_copy(bu, cycle.this_year, files[1].sha256, files[1].name)
    assert copy.read_bytes() == TINY and copy.name == "Note.txt"
    assert not os.access(copy, os.W_OK) or os.geteuid() == 0


def test_a_file_the_bundle_did_not_bring_says_so(cycle: Cycle, bu: Workspace) -> None:
    with pytest.raises(ReviewError, match="was not received with the return"):
        evidence_review.read_file(bu, cycle.this_year, "0" * 64)


def test_check_this_evidence_hints(cycle: Cycle, bu: Workspace) -> None:
    hints = evidence_review.evidence_hints(bu, cycle.this_year)
    assert [(h.code, h.kind, h.name) for h in hints] == [
        ("S1.1", "same_as_last_year", "Safeguarding policy.pdf"),
        ("S1.2", "near_empty", "Note.txt"),
        ("S1.3", "no_text", "Scanned audit.pdf"),
    ], "the same policy on S1.4 is new there: no hint"
    assert "same SHA-256" in hints[0].message and "(2025/26)" in hints[0].message
    assert "only 17 bytes" in hints[1].message
    assert "no text" in hints[2].message
    assert evidence_review.evidence_hints(bu, cycle.last_year) == []


@pytest.mark.parametrize(
    ("pdf", "expected"),
    [
        (text_pdf("Minutes"), True),
        (SCAN, False),
        (b"%PDF-1.4\n1 0 obj << /Encrypt 2 0 R >> endobj", None),
        (b"%PDF-1.4\n1 0 obj << /Length 5 /Filter /FlateDecode >>\nstream\nbroken\nendstream", False),
    ],
)
def test_pdf_has_text(pdf: bytes, expected: bool | None) -> None:
    assert evidence_review.pdf_has_text(pdf) is expected


def test_a_scan_is_never_taken_for_text() -> None:
    """A scan's pixels are ASCII85 text in the file, with line breaks: the letters "stream" at the end of one of
    its lines once made the check read the pixels as page content, and ``)'`` in them as showing text (about one
    scan in 25)."""
    assert [evidence_review.pdf_has_text(scanned_pdf()) for _ in range(100)] == [False] * 100
