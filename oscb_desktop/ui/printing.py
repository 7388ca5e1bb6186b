"""Print, print preview and "Save PDF…" of a return, from the PDF the app already renders.

What is printed is the PDF itself: each page is rendered with QtPdf (pdfium) and painted onto the
printer, so the paper shows exactly what the PDF shows (a signed return prints the signed PDF).
Callers pass PDF bytes (or a :class:`PreparedPdf`); nothing here knows about workspaces or services.

The slow parts run as background jobs (:mod:`oscb_desktop.ui.ops`): getting a PDF ready (:func:`prepare`),
rendering the preview's pages (:func:`render_preview`) and painting pages onto a printer
(:func:`print_in_background`). Rendering a PDF page with QtPdf and painting onto a printer hold Python's GIL
for as long as they run, so they would stall the window from a worker thread too: printing runs as a stepped
job on the UI thread instead, a band of a page at a time.

Errors: :class:`PrintError` (a PDF that cannot be read, a printer that cannot start) and
:class:`oscb_desktop.fsutil.WriteError` (Save PDF…) propagate to the caller. Both carry a message
written for the user, e.g. ``QMessageBox.warning(self, "Not printed", str(exc))``.

QtPdf does not draw form-field widgets (pdfium leaves them to its form-filling layer, which QtPdf
never initialises), and the visible signature of a signed return is such a widget. Before a PDF
with widgets is rendered, a *copy* of it gets their appearances drawn into the page content (see
:func:`displayable_pdf`); the bytes saved or handed back are never changed.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPaintEngine, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from oscb_desktop import signing
from oscb_desktop.fsutil import atomic_write
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.ops import Job

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


class PrintError(Exception):
    """A return could not be printed; the message says why in plain words."""


@dataclass(frozen=True)
class PreparedPdf:
    """A PDF checked and ready to render: the bytes as they are, the copy QtPdf draws, and its page sizes."""

    data: bytes
    displayable: bytes
    page_sizes: list[QSizeF] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.page_sizes)


def prepare(pdf: bytes | PreparedPdf) -> PreparedPdf:
    """Check that the PDF can be rendered and note its pages (any thread). Raises :class:`PrintError`."""
    if isinstance(pdf, PreparedPdf):
        return pdf
    displayable = signing.displayable_pdf(pdf)
    document, _buffer = _load(displayable)
    sizes = [document.pagePointSize(page) for page in range(document.pageCount())]
    document.close()
    return PreparedPdf(pdf, displayable, sizes)


def _load(displayable: bytes) -> tuple[QPdfDocument, QBuffer]:
    document = QPdfDocument()
    # QPdfDocument reads from the device while it renders: the buffer lives as long as the document.
    buffer = QBuffer(document)
    buffer.setData(QByteArray(displayable))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise PrintError(_LOAD_ERRORS.get(document.error(), _UNREADABLE))
    return document, buffer


class PdfPrinter:
    """One PDF loaded into QtPdf, ready to paint onto any number of printers (in the thread that made it)."""

    def __init__(self, pdf: bytes | PreparedPdf) -> None:
        prepared = prepare(pdf)
        self.pdf_bytes = prepared.data
        self._document, self._buffer = _load(prepared.displayable)

    @property
    def page_count(self) -> int:
        return self._document.pageCount()

    def page_size(self, page: int) -> QSizeF:
        """Size of a page (0-based) in PDF points."""
        return self._document.pagePointSize(page)

    def configure(self, printer: QPrinter, title: str) -> None:
        configure(printer, self.page_size(0), title)

    def pages_to_print(self, printer: QPrinter) -> list[int]:
        return pages_to_print(printer, self.page_count)

    def paint(self, printer: QPrinter, *, progress: Progress | None = None, max_dpi: int = MAX_PRINT_DPI) -> int:
        """Paint the pages onto ``printer``; returns the number of pages painted.

        Painting into a print preview paints every page (a preview shows the whole return);
        otherwise the printer's page range, page order and, where the printer cannot make copies
        itself, its copy count are honoured.
        """
        steps = self.paint_steps(printer, progress=progress, max_dpi=max_dpi)
        while True:
            try:
                next(steps)
            except StopIteration as stop:
                return int(stop.value)

    def paint_steps(
        self, printer: QPrinter, *, progress: Progress | None = None, max_dpi: int = MAX_PRINT_DPI
    ) -> Generator[None, None, int]:
        """:meth:`paint` as small steps (a band of a page each), for a stepped job on the UI thread: Qt's
        rendering and painting hold the GIL, so a worker thread would stall the window just the same."""
        preview = _is_preview(printer)
        pages = list(range(self.page_count)) if preview else self.pages_to_print(printer)
        copies = 1 if preview or printer.supportsMultipleCopies() else max(1, printer.copyCount())
        if copies > 1 and printer.collateCopies():
            sequence = pages * copies
        else:
            sequence = [page for page in pages for _ in range(copies)]
        if not sequence:
            return 0
        flags = QPdfDocumentRenderOptions.RenderFlag.Annotations
        if printer.colorMode() == QPrinter.ColorMode.GrayScale:
            flags |= QPdfDocumentRenderOptions.RenderFlag.Grayscale

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
                rect = _target_rect(printer, self.page_size(page))
                pixels = _pixels(printer, rect, max_dpi)
                for top, height in _bands(pixels.height()):
                    options = QPdfDocumentRenderOptions()
                    options.setRenderFlags(flags)
                    options.setScaledSize(pixels)
                    options.setScaledClipRect(QRect(0, top, pixels.width(), height))
                    band = _on_white(self._document.render(page, QSize(pixels.width(), height), options))
                    scale = rect.height() / pixels.height()
                    target = QRectF(rect.left(), rect.top() + top * scale, rect.width(), height * scale)
                    painter.drawImage(target, band)
                    yield
                painted += 1
            if progress is not None:
                progress(len(sequence), len(sequence))
        finally:
            painter.end()
        return painted

    def render(self, page: int, max_dpi: int) -> QImage:
        """A page (0-based) as an image on white paper, at most ``max_dpi``."""
        size = self.page_size(page)
        pixels = QSize(max(1, round(size.width() * max_dpi / 72)), max(1, round(size.height() * max_dpi / 72)))
        options = QPdfDocumentRenderOptions()
        options.setRenderFlags(QPdfDocumentRenderOptions.RenderFlag.Annotations)
        return _on_white(self._document.render(page, pixels, options))


def new_printer(pdf: PreparedPdf, title: str) -> QPrinter:
    """A high-resolution printer set up for the PDF (any thread: QPrinter is not a QObject)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    configure(printer, pdf.page_sizes[0], title)
    return printer


def configure(printer: QPrinter, first_page: QSizeF, title: str) -> None:
    """Paper size and orientation from the first page (A4 portrait for a return), and the job name."""
    landscape = first_page.width() > first_page.height()
    portrait_size = first_page.transposed() if landscape else first_page
    printer.setPageSize(QPageSize(portrait_size, QPageSize.Unit.Point))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait)
    printer.setDocName(title)
    printer.setCreator("OSCB Desktop")


def pages_to_print(printer: QPrinter, page_count: int) -> list[int]:
    """0-based pages in the order they go to the printer, after the dialog's page range and page order."""
    ranges = printer.pageRanges()
    pages = list(range(page_count))
    if printer.printRange() != QPrinter.PrintRange.CurrentPage and not ranges.isEmpty():
        pages = [page for page in pages if ranges.contains(page + 1)]
    if printer.pageOrder() == QPrinter.PageOrder.LastPageFirst:
        pages.reverse()
    return pages


def _target_rect(printer: QPrinter, page_size: QSizeF) -> QRectF:
    """Where a page goes: centred in the printable area (the painter's origin is its top left), aspect kept."""
    area = QSizeF(printer.width(), printer.height())
    target = page_size.scaled(area, Qt.AspectRatioMode.KeepAspectRatio)
    return QRectF(
        (area.width() - target.width()) / 2, (area.height() - target.height()) / 2, target.width(), target.height()
    )


#: Pages are rendered and painted in bands of this many pixels (a few milliseconds each at 300 dpi).
BAND_PIXELS = 400


def _bands(height: int) -> list[tuple[int, int]]:
    """(top, height) of the bands a page image of ``height`` pixels is painted in."""
    return [(top, min(BAND_PIXELS, height - top)) for top in range(0, height, BAND_PIXELS)]


def _pixels(printer: QPrinter, rect: QRectF, max_dpi: int) -> QSize:
    x_factor = min(1.0, max_dpi / max(1, printer.logicalDpiX()))
    y_factor = min(1.0, max_dpi / max(1, printer.logicalDpiY()))
    return QSize(max(1, round(rect.width() * x_factor)), max(1, round(rect.height() * y_factor)))


def _on_white(rendered: QImage) -> QImage:
    """pdfium leaves the paper transparent; flatten onto white so printers get a plain RGB image."""
    image = QImage(rendered.size(), QImage.Format.Format_RGB888)
    image.fill(QColor(Qt.GlobalColor.white))
    painter = QPainter(image)
    try:
        painter.drawImage(0, 0, rendered)
    finally:
        painter.end()
    return image


def print_pdf(
    printer: QPrinter, pdf: bytes | PreparedPdf, *, progress: Progress | None = None, max_dpi: int = MAX_PRINT_DPI
) -> int:
    """Paint the PDF onto ``printer`` as it is set up; returns the number of pages printed (any thread).

    Raises :class:`PrintError` for a PDF that cannot be read or a printer that cannot start.
    ``progress(done, total)`` may return ``False`` to cancel (the print run is aborted).
    """
    return PdfPrinter(pdf).paint(printer, progress=progress, max_dpi=max_dpi)


def print_in_background(
    parent: QWidget | None, printer: QPrinter, pdf: bytes | PreparedPdf, title: str, *, max_dpi: int = MAX_PRINT_DPI
) -> Job[int]:
    """Print as a cancellable background job with "Printing page n of N…"; the job's result is the page count.

    Cancelling aborts the print run at the next page.
    """

    def work(job: Job[int]) -> Generator[None, None, int]:
        def progress(done: int, total: int) -> bool:
            job.progress(done, total, f"Printing page {done + 1} of {total}…" if done < total else "")
            return not job.cancel_requested

        printed = yield from PdfPrinter(pdf).paint_steps(printer, progress=progress, max_dpi=max_dpi)
        job.check()  # a cancelled run was aborted at a page boundary: say it was cancelled, not done
        return printed

    # The job keeps ``printer`` alive until the last page is painted, whatever happens to the dialogs.
    job: Job[int] = Job(parent, f"Printing {title}", work, label="Printing…", cancellable=True, ui_steps=True)
    return job.on_failure(_warning(parent, "Not printed")).start()


def render_preview(pdf: bytes | PreparedPdf, max_dpi: int = MAX_PREVIEW_DPI) -> list[QImage]:
    """Every page as an image for the print preview (any thread). Raises :class:`PrintError`."""
    printer = PdfPrinter(pdf)
    return [printer.render(page, max_dpi) for page in range(printer.page_count)]


def make_print_preview(
    parent: QWidget | None, pdf: bytes | PreparedPdf, title: str, pages: list[QImage] | None = None
) -> QPrintPreviewDialog:
    """A print preview of the PDF; its Print button prints the same pages. Raises PrintError.

    ``pages`` are the preview's page images (from :func:`render_preview`, made in the background); without
    them they are rendered here.
    """
    prepared = prepare(pdf)
    images = pages if pages is not None else render_preview(prepared)
    # The dialog's own printer would be at screen resolution (blurry on paper): give it a real one.
    printer = new_printer(prepared, title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"Print preview – {title}")
    dialog.resize(900, 1000)

    def paint(target: QPrinter) -> None:
        if _is_preview(target):
            _paint_images(target, images, prepared.page_sizes)
        else:  # the user pressed Print in the preview: print in the background, reported by the job
            print_in_background(parent, target, prepared, title)

    dialog.paintRequested.connect(paint)
    # The connection holds ``paint`` and through it the pages; the printer must outlive the dialog too.
    dialog._oscb_printer = printer  # type: ignore[attr-defined]
    return dialog


def _paint_images(printer: QPrinter, images: list[QImage], sizes: list[QSizeF]) -> None:
    painter = QPainter()
    if not painter.begin(printer):
        return
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        for index, (image, size) in enumerate(zip(images, sizes, strict=True)):
            if index:
                printer.newPage()
            painter.drawImage(_target_rect(printer, size), image)
    finally:
        painter.end()


def show_print_preview(parent: QWidget | None, pdf_bytes: bytes, title: str) -> int:
    """Show a modal print preview; returns the dialog's result. Raises PrintError before showing a broken PDF."""
    dialog = make_print_preview(parent, pdf_bytes, title)
    try:
        return dialog.exec()
    finally:
        dialog.deleteLater()


def print_with_dialog(
    parent: QWidget | None, pdf: bytes | PreparedPdf, title: str, printer: QPrinter | None = None
) -> Job[int] | None:
    """The system print dialog, then print in the background with a cancellable progress window.

    ``printer`` may be made beforehand on a worker (making one asks the print system for its printers, which
    can take a while). The print job, or None if the user closed the print dialog. Raises PrintError (a
    broken PDF, pages that are not in it).
    """
    prepared = prepare(pdf)
    printer = printer or new_printer(prepared, title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print – {title}")
    dialog.setMinMax(1, prepared.page_count)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
    finally:
        dialog.deleteLater()
    if not pages_to_print(printer, prepared.page_count):
        raise PrintError(f"The pages you chose are not in this return: it has {prepared.page_count} pages.")
    return print_in_background(parent, printer, prepared, title)


#: Gives the document's title and its PDF bytes; called on a worker thread (it may render the PDF).
Source = Callable[[], tuple[str, bytes]]


Preview = tuple[str, PreparedPdf, list[QImage]]


def preview_in_background(parent: QWidget | None, source: Source) -> Job[Preview]:
    """Get the PDF and render the preview's pages in the background, then open a window-modal print preview
    (it does not block); its Print button prints the same PDF."""

    def work(job: Job[Preview]) -> Preview:
        job.say("Preparing the PDF…")
        title, data = source()
        pdf = prepare(data)
        job.say("Rendering the pages…")
        return title, pdf, render_preview(pdf)

    def show(ready: Preview) -> None:
        title, pdf, pages = ready
        dialog = make_print_preview(parent, pdf, title, pages)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    job: Job[Preview] = Job(parent, "Print preview", work, label="Preparing the print preview…")
    return job.on_success(show).on_failure(_warning(parent, "Not previewed")).start()


def print_via_dialog_in_background(parent: QWidget | None, source: Source) -> Job[tuple[str, PreparedPdf, QPrinter]]:
    """Get the PDF and a printer ready in the background, then the system print dialog, then print in the
    background."""

    def show(ready: tuple[str, PreparedPdf, QPrinter]) -> None:
        title, pdf, printer = ready
        try:
            print_with_dialog(parent, pdf, title, printer)
        except PrintError as exc:
            QMessageBox.warning(parent, "Not printed", str(exc))

    def work(_job: Job[tuple[str, PreparedPdf, QPrinter]]) -> tuple[str, PreparedPdf, QPrinter]:
        title, data = source()
        pdf = prepare(data)
        return title, pdf, new_printer(pdf, title)

    job = Job(parent, "Print", work, label="Preparing the document for printing…")
    return job.on_success(show).on_failure(_warning(parent, "Not printed")).start()


def save_pdf_in_background(
    parent: QWidget | None, pdf: Callable[[], bytes], suggested_name: str, on_saved: Callable[[Path], None]
) -> Job[None] | None:
    """Ask where, then get the PDF and save it unchanged in the background; ``on_saved(path)`` once written.

    None if the user cancelled."""
    path = file_dialogs.ask_save_path(parent, "Save PDF", suggested_name, ".pdf", "PDF files (*.pdf)")
    if path is None:
        return None
    job = Job(parent, "Save PDF", lambda _job: atomic_write(path, pdf()), label=f"Saving {path.name}…")
    job.on_success(lambda _none: on_saved(path)).on_failure(_warning(parent, "PDF not saved"))
    return job.start()


def _warning(parent: QWidget | None, title: str) -> Callable[[BaseException], None]:
    def show(exc: BaseException) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, str(exc), QMessageBox.StandardButton.Ok, parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    return show


def save_pdf_dialog(parent: QWidget | None, pdf_bytes: bytes, suggested_name: str) -> Path | None:
    """Ask where to save, then write the PDF unchanged. None if the user cancelled.

    Raises :class:`oscb_desktop.fsutil.WriteError` (with a message for the user) if writing fails.
    """
    path = file_dialogs.ask_save_path(parent, "Save PDF", suggested_name, ".pdf", "PDF files (*.pdf)")
    if path is None:
        return None
    atomic_write(path, pdf_bytes)
    return path


def _is_preview(printer: QPrinter) -> bool:
    """True while a print preview records pages (QPrinter swaps in a picture-recording engine)."""
    return printer.paintEngine().type() == QPaintEngine.Type.Picture
