"""Printing a return: the same PDF, painted page by page onto a printer (here a PDF-file printer).

Printed files are read back with QtPdf and compared with the source pages as images, which is
what shows that the return itself, and not something like it, went to the printer.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSize, QTimer
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import QFileDialog, QMessageBox
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from oscb_desktop.forms import FormRegistry
from oscb_desktop.fsutil import WriteError
from oscb_desktop.report import ReturnDocument, render_submission_pdf
from oscb_desktop.signing import create_identity, sign_pdf, unlock
from oscb_desktop.ui import file_dialogs, ops, printing
from oscb_desktop.ui.printing import PdfPrinter, PrintError, make_print_preview, print_pdf, save_pdf_dialog

PASSPHRASE = "correct horse battery staple"


# --- PDFs to print -----------------------------------------------------------------------------------


def _numbered_pdf(pages: int) -> bytes:
    """A4 pages that look different from each other: page n has n bars and a big number."""
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for n in range(1, pages + 1):
        pdf.setFont("Helvetica-Bold", 160)
        pdf.drawString(200, 500, str(n))
        for bar in range(n):
            pdf.rect(60 + bar * 70, 100, 50, 200, fill=1)
        pdf.setFont("Helvetica", 14)
        pdf.drawString(60, 780, f"Test page {n} of {pages}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _return(forms: FormRegistry, **changes: object) -> ReturnDocument:
    form = forms.get("section11", "2026.1")
    answers: dict[str, object] = {"about.completed_by": "Sam Lead, Head of Safeguarding"}
    for section in form.sections:
        for item in section.items:
            if item.type == "rating":
                answers[item.id] = {"level": "green", "evidence": f"Evidence for {item.id}: minutes of 14 May 2026."}
    doc = ReturnDocument(
        form=form,
        answers=answers,
        agency_name="Example Community Health Trust",
        agency_sector="Health",
        period="2026/27",
        version=1,
        submission_id="print-test-1",
        status="draft",
        generated_at="2027-02-14T10:29:00+00:00",
    )
    return dataclasses.replace(doc, **changes)


@pytest.fixture(scope="module")
def numbered() -> bytes:
    return _numbered_pdf(5)


@pytest.fixture(scope="module")
def draft_return(shipped_forms: FormRegistry) -> bytes:
    return render_submission_pdf(_return(shipped_forms), draft=True).data


# --- Reading printed PDFs back -----------------------------------------------------------------------


class Pdf:
    """A PDF opened with QtPdf, for page counts and page images."""

    def __init__(self, data: bytes) -> None:
        self.document = QPdfDocument()
        self.buffer = QBuffer(self.document)
        self.buffer.setData(QByteArray(data))
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self.buffer)
        assert self.document.status() == QPdfDocument.Status.Ready

    @property
    def pages(self) -> int:
        return self.document.pageCount()

    def image(self, page: int, width: int = 120) -> QImage:
        """Page (0-based) as a grey image on white paper, ``width`` pixels wide."""
        size = self.document.pagePointSize(page)
        rendered = self.document.render(page, QSize(width, round(width * size.height() / size.width())))
        paper = QImage(rendered.size(), QImage.Format.Format_ARGB32)
        paper.fill(0xFFFFFFFF)
        painter = QPainter(paper)
        painter.drawImage(0, 0, rendered)
        painter.end()
        return paper.convertToFormat(QImage.Format.Format_Grayscale8)


def _rows(image: QImage) -> list[bytes]:
    """The grey values of a Grayscale8 image, row by row."""
    data, stride = bytes(image.constBits()), image.bytesPerLine()
    return [data[y * stride : y * stride + image.width()] for y in range(image.height())]


def _dark_fraction(image: QImage, x0: float = 0, y0: float = 0, x1: float = 1, y1: float = 1) -> float:
    """Share of pixels darker than mid grey inside a box given as fractions of the image."""
    left, right = int(x0 * image.width()), int(x1 * image.width())
    rows = _rows(image)[int(y0 * image.height()) : int(y1 * image.height())]
    dark = sum(1 for row in rows for value in row[left:right] if value < 128)
    return dark / max(1, len(rows) * (right - left))


def _difference(a: QImage, b: QImage) -> float:
    """Mean absolute grey difference (0-255) of two same-sized images."""
    assert a.size() == b.size()
    pairs = zip(b"".join(_rows(a)), b"".join(_rows(b)), strict=True)
    total = sum(abs(x - y) for x, y in pairs)
    return total / (a.width() * a.height())


def _pdf_printer(path: Path, *, margins: bool = True) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    if not margins:  # the printed page then lines up with the source page, pixel for pixel
        printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)
    return printer


def _pdfinfo_pages(path: Path) -> int | None:
    tool = shutil.which("pdfinfo")
    if tool is None:
        return None
    out = subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split(":", 1)[1] for line in out.splitlines() if line.startswith("Pages:")))


# --- print_pdf -----------------------------------------------------------------------------------------


def test_a_return_prints_every_page_of_the_same_pdf(qapp, tmp_path: Path, draft_return: bytes) -> None:
    source = Pdf(draft_return)
    out = tmp_path / "printed.pdf"
    printer = _pdf_printer(out)
    PdfPrinter(draft_return).configure(printer, "Section 11 2026/27")
    calls: list[tuple[int, int]] = []

    assert print_pdf(printer, draft_return, progress=lambda done, total: calls.append((done, total))) == source.pages

    printed = Pdf(out.read_bytes())
    assert printed.pages == source.pages > 3
    assert _pdfinfo_pages(out) in (None, source.pages)
    assert printer.pageLayout().pageSize().id() == QPageSize.PageSizeId.A4
    assert printer.pageLayout().orientation() == QPageLayout.Orientation.Portrait
    assert printer.docName() == "Section 11 2026/27"
    first = printed.image(0)
    assert 0.01 < _dark_fraction(first) < 0.5  # not a blank page, not a black one
    assert calls == [(n, source.pages) for n in range(source.pages + 1)]


def _closest_source_pages(printed: Pdf, source: Pdf) -> list[int]:
    """For each printed page, the source page (0-based) it looks most like."""
    originals = [source.image(page) for page in range(source.pages)]
    closest = []
    for page in range(printed.pages):
        image = printed.image(page)
        closest.append(min(range(source.pages), key=lambda s, image=image: _difference(image, originals[s])))
    return closest


def test_without_margins_the_printed_pages_match_the_source_pages(qapp, tmp_path: Path, numbered: bytes) -> None:
    out = tmp_path / "printed.pdf"
    assert print_pdf(_pdf_printer(out, margins=False), numbered, max_dpi=150) == 5
    source, printed = Pdf(numbered), Pdf(out.read_bytes())
    for page in range(5):
        here = _difference(printed.image(page), source.image(page))
        others = [_difference(printed.image(page), source.image(other)) for other in range(5) if other != page]
        assert here < 5 and 2 * here < min(others), (page, here, others)


def test_the_print_dialogs_page_range_is_honoured(qapp, tmp_path: Path, numbered: bytes) -> None:
    out = tmp_path / "printed.pdf"
    printer = _pdf_printer(out, margins=False)
    printer.setFromTo(2, 3)
    assert print_pdf(printer, numbered, max_dpi=100) == 2
    assert _closest_source_pages(Pdf(out.read_bytes()), Pdf(numbered)) == [1, 2]


def test_copies_and_page_order_when_the_printer_cannot_make_copies(qapp, tmp_path: Path, numbered: bytes) -> None:
    out = tmp_path / "printed.pdf"
    printer = _pdf_printer(out, margins=False)
    assert not printer.supportsMultipleCopies()  # a PDF file: the copies are printed here
    printer.setCopyCount(2)
    printer.setCollateCopies(True)
    printer.setPageOrder(QPrinter.PageOrder.LastPageFirst)
    printer.setFromTo(1, 2)
    assert print_pdf(printer, numbered, max_dpi=100) == 4
    assert _closest_source_pages(Pdf(out.read_bytes()), Pdf(numbered)) == [1, 0, 1, 0]

    printer.setOutputFileName(str(tmp_path / "uncollated.pdf"))
    printer.setCollateCopies(False)
    assert print_pdf(printer, numbered, max_dpi=100) == 4
    assert _closest_source_pages(Pdf((tmp_path / "uncollated.pdf").read_bytes()), Pdf(numbered)) == [1, 1, 0, 0]


def test_cancelling_from_the_progress_callback_stops_printing(qapp, tmp_path: Path, numbered: bytes) -> None:
    printer = _pdf_printer(tmp_path / "printed.pdf")
    assert print_pdf(printer, numbered, progress=lambda done, _total: done < 2, max_dpi=72) == 2


@pytest.mark.parametrize(
    "data",
    [b"not a pdf", b"", pytest.param("truncated", id="truncated-return"), pytest.param("no-eof", id="cut-end")],
)
def test_a_broken_pdf_raises_print_error_with_a_plain_message(qapp, tmp_path: Path, draft_return, data) -> None:
    if data == "truncated":
        data = draft_return[: len(draft_return) // 2]
    elif data == "no-eof":
        data = draft_return[:-300]
    printer = _pdf_printer(tmp_path / "printed.pdf")
    with pytest.raises(PrintError) as caught:
        print_pdf(printer, data)
    message = str(caught.value)
    assert message.startswith("This PDF cannot be printed")
    assert "QPdf" not in message and "Error." not in message and "Status" not in message
    assert not (tmp_path / "printed.pdf").exists()


# --- A signed return --------------------------------------------------------------------------------


def test_a_signed_return_prints_with_its_visible_signature(qapp, tmp_path: Path, shipped_forms: FormRegistry) -> None:
    doc = _return(
        shipped_forms,
        status="signed",
        signatory_name="Sam Lead",
        signatory_role="Chief Nurse",
        signed_at="2027-02-14T10:30:00+00:00",
        certificate_fingerprint="3F2A 9C01",
    )
    final = render_submission_pdf(doc, draft=False)
    key = unlock(create_identity("Sam Lead", "Chief Nurse", "Example Trust", None, PASSPHRASE), PASSPHRASE)
    signed = sign_pdf(
        final.data, key, reason="Sign-off", location=None, box=final.signature_box, page=final.signature_page
    )
    original = bytes(signed)

    out = tmp_path / "printed.pdf"
    assert print_pdf(_pdf_printer(out, margins=False), signed, max_dpi=150) == final.page_count
    assert signed == original

    x1, y1, x2, y2 = final.signature_box
    width, height = 595.28, 841.89
    inside = (x1 / width + 0.02, 1 - y2 / height + 0.01, x2 / width - 0.02, 1 - y1 / height - 0.01)
    printed = Pdf(out.read_bytes()).image(final.signature_page, width=600)
    as_qtpdf_draws_it = Pdf(signed).image(final.signature_page, width=600)
    # QtPdf alone leaves the signature box empty; the printout has the signature's appearance (two lines of
    # text, "Digitally signed by ..." and the time) in it: several times the dark pixels of the empty box.
    assert _dark_fraction(as_qtpdf_draws_it, *inside) < 0.002
    assert _dark_fraction(printed, *inside) > 0.008


# --- Print preview and print dialog -----------------------------------------------------------------


def test_print_preview_shows_every_page_and_prints_them(qtbot, tmp_path: Path, draft_return: bytes) -> None:
    pages = Pdf(draft_return).pages
    dialog = make_print_preview(None, draft_return, "Section 11 2026/27 (draft)")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    preview = dialog.findChild(QPrintPreviewWidget)
    assert preview is not None
    qtbot.waitUntil(lambda: preview.pageCount() == pages)
    assert "Section 11 2026/27 (draft)" in dialog.windowTitle()
    assert dialog.printer().resolution() >= 300

    # What the preview's Print button does once the print dialog is accepted: print in the background.
    dialog.printer().setOutputFileName(str(tmp_path / "from-preview.pdf"))
    preview.print_()
    qtbot.waitUntil(lambda: not ops.running(), timeout=20_000)
    assert Pdf((tmp_path / "from-preview.pdf").read_bytes()).pages == pages
    dialog.close()


def test_print_preview_of_a_broken_pdf_raises_before_showing(qtbot) -> None:
    with pytest.raises(PrintError):
        printing.show_print_preview(None, b"%PDF-1.4 then nothing", "Broken")


class _AcceptingPrintDialog:
    """Stands in for QPrintDialog: the user picks a PDF file and, optionally, a page range."""

    output: Path
    page_range: tuple[int, int] | None = None

    def __init__(self, printer: QPrinter, _parent: object) -> None:
        self.printer = printer

    def setWindowTitle(self, title: str) -> None:
        self.title = title

    def setMinMax(self, low: int, high: int) -> None:
        assert (low, high) == (1, 5)

    def exec(self) -> int:
        self.printer.setOutputFileName(str(self.output))
        if self.page_range:
            self.printer.setFromTo(*self.page_range)
        return QPrintDialog.DialogCode.Accepted

    def deleteLater(self) -> None:
        pass


def test_print_with_dialog_prints_what_the_dialog_chose(qtbot, tmp_path: Path, numbered, monkeypatch) -> None:
    dialog = type("Dialog", (_AcceptingPrintDialog,), {"output": tmp_path / "chosen.pdf", "page_range": (4, 5)})
    monkeypatch.setattr(printing, "QPrintDialog", dialog)
    job = printing.print_with_dialog(None, numbered, "Numbers")
    assert job is not None
    with qtbot.waitSignal(job.sig_finished, timeout=20_000):
        pass
    assert job.result == 2 and not job.cancelled
    assert Pdf((tmp_path / "chosen.pdf").read_bytes()).pages == 2

    dialog.page_range = (7, 9)
    with pytest.raises(PrintError, match="it has 5 pages"):
        printing.print_with_dialog(None, numbered, "Numbers")


def test_cancelling_the_print_job_stops_printing_at_the_next_page(qtbot, tmp_path: Path, numbered, monkeypatch):
    dialog = type("Dialog", (_AcceptingPrintDialog,), {"output": tmp_path / "chosen.pdf"})
    monkeypatch.setattr(printing, "QPrintDialog", dialog)
    job = printing.print_with_dialog(None, numbered, "Numbers")
    assert job is not None and job.ui_steps  # QtPdf and QPainter hold the GIL: printing runs in UI-thread steps
    labels: list[str] = []

    def seen(_done: int, _total: int, text: str) -> None:
        labels.append(text)
        if text == "Printing page 2 of 5…":  # the Cancel button, pressed while page 2 is being painted
            QTimer.singleShot(0, job.cancel)

    job.sig_progress.connect(seen)
    with qtbot.waitSignal(job.sig_finished, timeout=20_000):
        pass
    assert job.cancelled
    assert "Printing page 2 of 5…" in labels and "Printing page 3 of 5…" in labels
    assert "Printing page 4 of 5…" not in labels
    assert Pdf((tmp_path / "chosen.pdf").read_bytes()).pages == 2


# --- Save PDF… ---------------------------------------------------------------------------------------


def test_save_pdf_adds_the_extension_and_writes_the_bytes_unchanged(qtbot, tmp_path: Path, monkeypatch) -> None:
    file_dialogs.forget()
    asked: list[tuple[str, str]] = []
    answers = iter([tmp_path / "out" / "My return", tmp_path / "out" / "Other.PDF"])

    def choose(_parent, _caption, start, file_filter):
        asked.append((start, file_filter))
        return str(next(answers)), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    data = _numbered_pdf(2)

    saved = save_pdf_dialog(None, data, "Section 11: Health/Trust 2026")
    assert saved == tmp_path / "out" / "My return.pdf"
    assert saved.read_bytes() == data
    start, file_filter = asked[0]
    assert file_filter == "PDF files (*.pdf)"
    assert Path(start).name == "Section 11- Health-Trust 2026.pdf"
    assert Path(start).parent == file_dialogs.documents_folder()

    assert save_pdf_dialog(None, data, "again.pdf") == tmp_path / "out" / "Other.PDF"
    assert Path(asked[1][0]) == tmp_path / "out" / "again.pdf"  # starts where the last one was saved


def test_save_pdf_asks_before_replacing_a_file_the_dialog_did_not_name(qtbot, tmp_path: Path, monkeypatch) -> None:
    existing = tmp_path / "r.pdf"
    existing.write_bytes(b"old")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(tmp_path / "r"), ""))
    replies = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: replies.pop(0))

    assert save_pdf_dialog(None, b"%PDF new", "r") is None
    assert existing.read_bytes() == b"old"
    assert save_pdf_dialog(None, b"%PDF new", "r") == existing
    assert existing.read_bytes() == b"%PDF new"


def test_save_pdf_cancelled_writes_nothing(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: ("", ""))
    assert save_pdf_dialog(None, b"%PDF", "x") is None


def test_save_pdf_write_errors_reach_the_caller(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(tmp_path / "r.pdf"), ""))

    def refuse(path, _data):
        raise WriteError(f"The disk is full, so {Path(path).name} could not be saved.")

    monkeypatch.setattr(printing, "atomic_write", refuse)
    with pytest.raises(WriteError, match="disk is full"):
        save_pdf_dialog(None, b"%PDF", "r")
