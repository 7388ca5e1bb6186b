"""Print preview, Print… and Save PDF… of a stored return: the signed PDF of a signed return, else a draft
preview marked DRAFT (:func:`oscb_desktop.services.signoff.pdf_for_print`), through :mod:`oscb_desktop.ui.printing`.

Getting the PDF (rendering a draft takes most of a second) runs in the background with the rest of the job.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from oscb_desktop.services import returns, signoff
from oscb_desktop.services.values import ReturnInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import printing
from oscb_desktop.ui.common import message
from oscb_desktop.ui.ops import Job


def document_title(ws: Workspace, sub: ReturnInfo) -> str:
    """``Section 11 2026/27 – Oxford City Council (version 1)``: the print job's and the preview's title."""
    form = returns.form_of(ws, sub)
    return f"{form.short_title} {sub.period} – {sub.agency.name} (version {sub.version})"


def _source(ws: Workspace, submission_id: str) -> printing.Source:
    def title_and_pdf() -> tuple[str, bytes]:  # on the worker
        sub = returns.get_submission(ws, submission_id)
        return document_title(ws, sub), signoff.pdf_for_print(ws, submission_id)

    return title_and_pdf


def print_preview(parent: QWidget, ws: Workspace, submission_id: str) -> Job[printing.Preview]:
    """A window-modal print preview once the PDF and its pages are rendered; its Print button prints the PDF."""
    return printing.preview_in_background(parent, _source(ws, submission_id))


def print_return(parent: QWidget, ws: Workspace, submission_id: str) -> Job[object]:
    """The system print dialog once the PDF is ready, then print in the background."""
    return printing.print_via_dialog_in_background(parent, _source(ws, submission_id))  # type: ignore[return-value]


def save_pdf(
    parent: QWidget, ws: Workspace, submission_id: str, on_saved: Callable[[Path], None] = lambda _path: None
) -> Job[None] | None:
    """Ask where, then render and save the PDF unchanged in the background. None if cancelled."""
    try:
        sub = returns.get_submission(ws, submission_id)
    except returns.ReturnError as exc:
        message(parent, "PDF not saved", str(exc), icon=QMessageBox.Icon.Warning)
        return None
    pdf = lambda: signoff.pdf_for_print(ws, submission_id)  # noqa: E731 - runs on the worker
    return printing.save_pdf_in_background(parent, pdf, f"{signoff.file_stem(sub)}.pdf", on_saved)
