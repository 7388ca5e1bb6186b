"""Print preview, Print… and Save PDF… of a stored return: the signed PDF of a signed return, else a draft
preview marked DRAFT (:func:`oscb_desktop.services.signoff.pdf_for_print`), through :mod:`oscb_desktop.ui.printing`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from oscb_desktop.fsutil import WriteError
from oscb_desktop.report import FontError
from oscb_desktop.services import returns, signoff
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Submission
from oscb_desktop.ui import printing
from oscb_desktop.ui.printing import PrintError
from oscb_desktop.ui.signing.common import message


def document_title(ws: Workspace, sub: Submission) -> str:
    """``Section 11 2026/27 – Oxford City Council (version 1)``: the print job's and the preview's title."""
    form = returns.form_of(ws, sub)
    return f"{form.short_title} {sub.period} – {sub.agency.name} (version {sub.version})"


def _pdf(parent: QWidget, ws: Workspace, submission_id: str, what: str) -> tuple[Submission, bytes] | None:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        sub = returns.get_submission(ws, submission_id)
        return sub, signoff.pdf_for_print(ws, submission_id)
    except (returns.ReturnError, FontError, OSError) as exc:
        message(parent, f"Not {what}", str(exc), icon=QMessageBox.Icon.Warning)
        return None
    finally:
        QApplication.restoreOverrideCursor()


def print_preview(parent: QWidget, ws: Workspace, submission_id: str) -> QPrintPreviewDialog | None:
    """Open a window-modal print preview (it does not block); its Print button prints the same PDF."""
    got = _pdf(parent, ws, submission_id, "previewed")
    if got is None:
        return None
    sub, pdf = got
    try:
        dialog = printing.make_print_preview(parent, pdf, document_title(ws, sub))
    except PrintError as exc:
        message(parent, "Not previewed", str(exc), icon=QMessageBox.Icon.Warning)
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def print_return(parent: QWidget, ws: Workspace, submission_id: str) -> bool:
    """The system print dialog, then print. True if printed."""
    got = _pdf(parent, ws, submission_id, "printed")
    if got is None:
        return False
    sub, pdf = got
    try:
        return printing.print_with_dialog(parent, pdf, document_title(ws, sub))
    except PrintError as exc:
        message(parent, "Not printed", str(exc), icon=QMessageBox.Icon.Warning)
        return False


def save_pdf(parent: QWidget, ws: Workspace, submission_id: str) -> Path | None:
    """Ask where, then save the PDF unchanged. The path, or None if cancelled or not written."""
    got = _pdf(parent, ws, submission_id, "saved")
    if got is None:
        return None
    sub, pdf = got
    try:
        return printing.save_pdf_dialog(parent, pdf, f"{signoff.file_stem(sub)}.pdf")
    except WriteError as exc:
        message(parent, "PDF not saved", str(exc), icon=QMessageBox.Icon.Warning)
        return None
