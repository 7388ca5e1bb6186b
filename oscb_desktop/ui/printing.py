"""Print, print preview and "Save PDF…" of a return, from the PDF the app already renders.

What is printed is the PDF itself: each page is rendered with QtPdf (pdfium) and painted onto the
printer, so the paper shows exactly what the PDF shows (a signed return prints the signed PDF).
Callers pass PDF bytes; nothing here knows about workspaces or services.

Errors: :class:`PrintError` (a PDF that cannot be read, a printer that cannot start) and
:class:`oscb_desktop.fsutil.WriteError` (Save PDF…) propagate to the caller. Both carry a message
written for the user, e.g. ``QMessageBox.warning(self, "Not printed", str(exc))``.

QtPdf does not draw form-field widgets (pdfium leaves them to its form-filling layer, which QtPdf
never initialises), and the visible signature of a signed return is such a widget. Before a PDF
with widgets is rendered, a *copy* of it gets their appearances drawn into the page content (see
:func:`displayable_pdf`); the bytes saved or handed back are never changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QEventLoop,
    QIODevice,
    QRectF,
    QSize,
    QSizeF,
    QStandardPaths,
    Qt,
)
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPaintEngine, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QProgressDialog, QWidget

from oscb_desktop.fsutil import atomic_write

#: Pages are rendered at the printer's resolution up to this (A4 at 300 dpi is ~8.7 Mpx, ~35 MB).
MAX_PRINT_DPI = 300
#: The preview keeps every page in memory, so it renders at a lower resolution.
MAX_PREVIEW_DPI = 120

#: ``progress(done, total)`` is called before each page and once at the end (``done == total``);
#: returning ``False`` cancels the print run.
Progress = Callable[[int, int], bool | None]

_UNREADABLE = "This PDF cannot be printed because it is damaged or is not a PDF. Create the PDF again and retry."
_LOAD_ERRORS = {
    QPdfDocument.Error.IncorrectPassword: "This PDF is protected by a password, so it cannot be printed from here.",
    QPdfDocument.Error.UnsupportedSecurityScheme: "This PDF is protected, so it cannot be printed from here.",
}
_NOT_IN_FILE_NAMES = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')

#: Folder of the last "Save PDF…" in this session (the app keeps no settings file).
_last_save_folder: Path | None = None


class PrintError(Exception):
    """A return could not be printed; the message says why in plain words."""


class PdfPrinter:
    """One PDF loaded into QtPdf, ready to paint onto any number of printers."""

    def __init__(self, pdf_bytes: bytes) -> None:
        self.pdf_bytes = pdf_bytes
        self._document = QPdfDocument()
        # QPdfDocument reads from the device while it renders: the buffer lives as long as the document.
        self._buffer = QBuffer(self._document)
        self._buffer.setData(QByteArray(displayable_pdf(pdf_bytes)))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._document.load(self._buffer)
        if self._document.status() != QPdfDocument.Status.Ready or self._document.pageCount() < 1:
            raise PrintError(_LOAD_ERRORS.get(self._document.error(), _UNREADABLE))

    @property
    def page_count(self) -> int:
        return self._document.pageCount()

    def page_size(self, page: int) -> QSizeF:
        """Size of a page (0-based) in PDF points."""
        return self._document.pagePointSize(page)

    def configure(self, printer: QPrinter, title: str) -> None:
        """Paper size and orientation from the first page (A4 portrait for a return), and the job name."""
        size = self.page_size(0)
        landscape = size.width() > size.height()
        portrait_size = size.transposed() if landscape else size
        printer.setPageSize(QPageSize(portrait_size, QPageSize.Unit.Point))
        printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait)
        printer.setDocName(title)
        printer.setCreator("OSCB Desktop")

    def pages_to_print(self, printer: QPrinter) -> list[int]:
        """0-based pages in the order they go to the printer, after the dialog's page range and page order."""
        ranges = printer.pageRanges()
        pages = list(range(self.page_count))
        if printer.printRange() != QPrinter.PrintRange.CurrentPage and not ranges.isEmpty():
            pages = [page for page in pages if ranges.contains(page + 1)]
        if printer.pageOrder() == QPrinter.PageOrder.LastPageFirst:
            pages.reverse()
        return pages

    def paint(self, printer: QPrinter, *, progress: Progress | None = None, max_dpi: int = MAX_PRINT_DPI) -> int:
        """Paint the pages onto ``printer``; returns the number of pages painted.

        Painting into a print preview paints every page (a preview shows the whole return);
        otherwise the printer's page range, page order and, where the printer cannot make copies
        itself, its copy count are honoured.
        """
        preview = _is_preview(printer)
        pages = list(range(self.page_count)) if preview else self.pages_to_print(printer)
        copies = 1 if preview or printer.supportsMultipleCopies() else max(1, printer.copyCount())
        if copies > 1 and printer.collateCopies():
            sequence = pages * copies
        else:
            sequence = [page for page in pages for _ in range(copies)]
        if not sequence:
            return 0
        options = QPdfDocumentRenderOptions()
        flags = QPdfDocumentRenderOptions.RenderFlag.Annotations
        if printer.colorMode() == QPrinter.ColorMode.GrayScale:
            flags |= QPdfDocumentRenderOptions.RenderFlag.Grayscale
        options.setRenderFlags(flags)

        painter = QPainter()
        if not painter.begin(printer):
            raise PrintError("The printer could not be started. Check that it is switched on and try again.")
        painted = 0
        try:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            for done, page in enumerate(sequence):
                if progress is not None and progress(done, len(sequence)) is False:
                    printer.abort()
                    return painted
                if done and not printer.newPage():
                    raise PrintError("Printing stopped: the printer reported a problem. Check it and try again.")
                self._paint_page(painter, printer, page, options, max_dpi)
                painted += 1
            if progress is not None:
                progress(len(sequence), len(sequence))
        finally:
            painter.end()
        return painted

    def _paint_page(
        self, painter: QPainter, printer: QPrinter, page: int, options: QPdfDocumentRenderOptions, max_dpi: int
    ) -> None:
        # The painter's origin is the top left of the printable area, in device pixels.
        area = QSizeF(printer.width(), printer.height())
        target = self.page_size(page).scaled(area, Qt.AspectRatioMode.KeepAspectRatio)
        rect = QRectF(
            (area.width() - target.width()) / 2, (area.height() - target.height()) / 2, target.width(), target.height()
        )
        x_factor = min(1.0, max_dpi / max(1, printer.logicalDpiX()))
        y_factor = min(1.0, max_dpi / max(1, printer.logicalDpiY()))
        pixels = QSize(max(1, round(target.width() * x_factor)), max(1, round(target.height() * y_factor)))
        rendered = self._document.render(page, pixels, options)
        # pdfium leaves the paper transparent; flatten onto white so printers get a plain RGB image.
        image = QImage(rendered.size(), QImage.Format.Format_RGB888)
        image.fill(QColor(Qt.GlobalColor.white))
        with _painting(image) as flat:
            flat.drawImage(0, 0, rendered)
        del rendered
        painter.drawImage(rect, image)


class _painting:
    """``with _painting(device) as painter``: a QPainter that is always ended."""

    def __init__(self, device: QImage) -> None:
        self._painter = QPainter(device)

    def __enter__(self) -> QPainter:
        return self._painter

    def __exit__(self, *_exc: object) -> None:
        self._painter.end()


def print_pdf(
    printer: QPrinter, pdf_bytes: bytes, *, progress: Progress | None = None, max_dpi: int = MAX_PRINT_DPI
) -> int:
    """Paint ``pdf_bytes`` onto ``printer`` as it is set up; returns the number of pages printed.

    Raises :class:`PrintError` for a PDF that cannot be read or a printer that cannot start.
    ``progress(done, total)`` may return ``False`` to cancel (the print run is aborted).
    """
    return PdfPrinter(pdf_bytes).paint(printer, progress=progress, max_dpi=max_dpi)


def make_print_preview(parent: QWidget | None, pdf_bytes: bytes, title: str) -> QPrintPreviewDialog:
    """A print preview of the PDF; its Print button prints the same pages. Raises PrintError."""
    pdf = PdfPrinter(pdf_bytes)
    # The dialog's own printer would be at screen resolution (blurry on paper): give it a real one.
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    pdf.configure(printer, title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"Print preview – {title}")
    dialog.resize(900, 1000)

    def paint(target: QPrinter) -> None:
        if _is_preview(target):
            with _wait_cursor():
                pdf.paint(target, max_dpi=MAX_PREVIEW_DPI)
        else:  # the user pressed Print in the preview; nobody above this slot could show an error
            try:
                _paint_with_progress(dialog, pdf, target)
            except PrintError as exc:
                QMessageBox.warning(dialog, "Not printed", str(exc))

    dialog.paintRequested.connect(paint)
    # The connection holds ``paint`` and through it the document; the printer must outlive the dialog too.
    dialog._oscb_printer = printer  # type: ignore[attr-defined]
    return dialog


def show_print_preview(parent: QWidget | None, pdf_bytes: bytes, title: str) -> int:
    """Show a modal print preview; returns the dialog's result. Raises PrintError before showing a broken PDF."""
    dialog = make_print_preview(parent, pdf_bytes, title)
    try:
        return dialog.exec()
    finally:
        dialog.deleteLater()


def print_with_dialog(parent: QWidget | None, pdf_bytes: bytes, title: str) -> bool:
    """The system print dialog, then print with a cancellable progress dialog.

    True if every page went to the printer; False if the user cancelled. Raises PrintError.
    """
    pdf = PdfPrinter(pdf_bytes)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    pdf.configure(printer, title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print – {title}")
    dialog.setMinMax(1, pdf.page_count)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
    finally:
        dialog.deleteLater()
    if not pdf.pages_to_print(printer):
        raise PrintError(f"The pages you chose are not in this return: it has {pdf.page_count} pages.")
    return _paint_with_progress(parent, pdf, printer)


def _paint_with_progress(parent: QWidget | None, pdf: PdfPrinter, printer: QPrinter) -> bool:
    dialog = QProgressDialog("Printing…", "Cancel", 0, 1, parent)
    dialog.setWindowTitle("Printing")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    cancelled = False

    def progress(done: int, total: int) -> bool:
        nonlocal cancelled
        dialog.setMaximum(total)
        if done < total:
            dialog.setLabelText(f"Printing page {done + 1} of {total}…")
        dialog.setValue(done)
        # Until the (window-modal) dialog shows, keep the window painting but ignore clicks and keys.
        if dialog.isVisible():
            QCoreApplication.processEvents()
        else:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        if done < total:
            cancelled = dialog.wasCanceled()
        return not cancelled

    try:
        pdf.paint(printer, progress=progress)
    finally:
        dialog.close()
        dialog.deleteLater()
    return not cancelled


def save_pdf_dialog(parent: QWidget | None, pdf_bytes: bytes, suggested_name: str) -> Path | None:
    """Ask where to save, then write the PDF unchanged. None if the user cancelled.

    Starts in the folder of the last save in this session, else the user's Documents folder.
    Raises :class:`oscb_desktop.fsutil.WriteError` (with a message for the user) if writing fails.
    """
    global _last_save_folder
    name = _NOT_IN_FILE_NAMES.sub("-", suggested_name).strip(" .") or "return"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    folder = _last_save_folder or _documents_folder()
    chosen, _filter = QFileDialog.getSaveFileName(parent, "Save PDF", str(folder / name), "PDF files (*.pdf)")
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
        # The dialog only asked about replacing the name without ".pdf".
        if path.exists() and not _confirm_replace(parent, path):
            return None
    atomic_write(path, pdf_bytes)
    _last_save_folder = path.parent
    return path


def _confirm_replace(parent: QWidget | None, path: Path) -> bool:
    answer = QMessageBox.question(
        parent,
        "Replace file?",
        f"{path.name} already exists in {path.parent}. Do you want to replace it?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def _is_preview(printer: QPrinter) -> bool:
    """True while a print preview records pages (QPrinter swaps in a picture-recording engine)."""
    return printer.paintEngine().type() == QPaintEngine.Type.Picture


def _documents_folder() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(location) if location else Path.home()


class _wait_cursor:
    def __enter__(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *_exc: object) -> None:
        QApplication.restoreOverrideCursor()


# --- Widgets (the visible signature) ---------------------------------------------------------------


def displayable_pdf(pdf_bytes: bytes) -> bytes:
    """A copy of the PDF with the normal appearance of every printable widget drawn into its page.

    Only the copy that QtPdf renders is changed, as an incremental update. A PDF without widgets is
    returned as it is; so is one this cannot process (it then prints without its widgets).
    """
    if b"/Widget" not in pdf_bytes:
        return pdf_bytes
    try:
        return _burn_in(pdf_bytes)
    except Exception:  # a damaged PDF is reported by QtPdf itself; a quirky one still prints
        return pdf_bytes


def _burn_in(pdf_bytes: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    changed = False
    for index in range(int(writer.root["/Pages"]["/Count"])):
        page_ref, _resources = writer.find_page_for_modification(index)
        page = page_ref.get_object()
        annots = page.get("/Annots")
        if annots is None:
            continue
        drawing: list[bytes] = []
        xobjects = generic.DictionaryObject()
        for annot_ref in annots.get_object():
            annot = annot_ref.get_object()
            flags = int(annot.get("/F", 0))
            if annot.get("/Subtype") != "/Widget" or not flags & 4 or flags & 2:  # Print set, Hidden not set
                continue
            appearance = annot.get("/AP")
            if appearance is None or "/N" not in appearance:
                continue
            normal_ref = appearance.raw_get("/N")
            normal = normal_ref.get_object()
            if isinstance(normal, generic.DictionaryObject) and not isinstance(normal, generic.StreamObject):
                state = annot.get("/AS")  # a check box or radio button: one appearance per state
                if state is None or state not in normal:
                    continue
                normal_ref = normal.raw_get(state)
                normal = normal_ref.get_object()
            if not isinstance(normal_ref, generic.IndirectObject) or "/BBox" not in normal:
                continue
            placement = _appearance_placement(
                [float(v) for v in normal["/BBox"]],
                [float(v) for v in normal.get("/Matrix", [1, 0, 0, 1, 0, 0])],
                [float(v) for v in annot["/Rect"]],
            )
            if placement is None:
                continue
            name = f"/OSCBPrint{len(xobjects)}"
            xobjects[generic.NameObject(name)] = normal_ref
            drawing.append(f"q {' '.join(f'{v:.6f}' for v in placement)} cm {name} Do Q\n".encode("ascii"))
        if not drawing:
            continue
        before = writer.add_object(generic.StreamObject(stream_data=b"q\n"))
        after = writer.add_object(generic.StreamObject(stream_data=b"Q\n" + b"".join(drawing)))
        writer.add_stream_to_page(index, before, prepend=True)
        writer.add_stream_to_page(index, after, resources=generic.DictionaryObject({"/XObject": xobjects}))
        changed = True
    if not changed:
        return pdf_bytes
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _appearance_placement(bbox: list[float], matrix: list[float], rect: list[float]) -> list[float] | None:
    """The ``cm`` that puts an appearance stream on its annotation rectangle (ISO 32000-1, 12.5.5)."""
    a, b, c, d, e, f = matrix
    corners = [(bbox[0], bbox[1]), (bbox[0], bbox[3]), (bbox[2], bbox[1]), (bbox[2], bbox[3])]
    xs = [a * x + c * y + e for x, y in corners]
    ys = [b * x + d * y + f for x, y in corners]
    box_w, box_h = max(xs) - min(xs), max(ys) - min(ys)
    left, right = sorted((rect[0], rect[2]))
    bottom, top = sorted((rect[1], rect[3]))
    if box_w <= 0 or box_h <= 0 or right <= left or top <= bottom:
        return None
    sx, sy = (right - left) / box_w, (top - bottom) / box_h
    return [sx, 0.0, 0.0, sy, left - sx * min(xs), bottom - sy * min(ys)]
