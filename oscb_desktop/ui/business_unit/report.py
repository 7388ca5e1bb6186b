"""The board report: the period's collation as a PDF for the board, a Word document and a spreadsheet for the
annual report, and the feedback letters.

Writing them runs as a background job (:mod:`oscb_desktop.ui.ops`): the collation (unless the window has it
already), the rendering and the atomic write of the files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QVBoxLayout, QWidget

from oscb_desktop.fsutil import atomic_write
from oscb_desktop.services import feedback, partnership_admin, review
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import UnlockedKey, format_fingerprint
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.business_unit.common import CollationError, Collations, long_date
from oscb_desktop.ui.common import html, message
from oscb_desktop.ui.ops import Job
from oscb_desktop.ui.signing.export import PassphraseDialog

if TYPE_CHECKING:
    from oscb_desktop.collate import Collation


class ReportPage(QWidget):
    sig_exported = Signal(str)
    """A file was written (its path), or "" when writing failed."""

    sig_message = Signal(str)
    """A line for the window's status bar."""

    def __init__(self, ws: Workspace, collations: Collations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.collations = collations
        self.period = ""
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setAccessibleName("What the board report will say")
        self.pdf_button = QPushButton("Board report (PDF)…")
        self.pdf_button.setObjectName("primary")
        self.docx_button = QPushButton("Board report (Word)…")
        self.docx_button.setToolTip(
            "The same report as a Word document, with real headings, table headers and described charts, to edit "
            "into the annual report and publish as an accessible document"
        )
        self.xlsx_button = QPushButton("Spreadsheet (XLSX)…")
        self.feedback_button = QPushButton("Feedback letters (PDF)…")
        self.feedback_button.setToolTip(
            "One letter per agency that sent a return: its ratings beside the moderated ones, your notes, "
            "its open actions"
        )
        self.signed_button = QPushButton("Signed feedback files…")
        self.signed_button.setToolTip(
            "One file per agency, signed with the partnership's key: the moderated ratings, your notes, the actions "
            "you require and the letter. The agency opens it in its own OSCB Desktop."
        )
        self.signed_button.clicked.connect(lambda: self.export_signed_feedback())
        # The feedback letters are signed by a person, not by the computer's login (issue 13, item 5).
        self.officer = QLineEdit(str(ws.setting("user_name") or ""))
        self.officer.setPlaceholderText("Your name, as it signs the feedback letters")
        self.officer.setMaxLength(200)
        self.officer.setEnabled(not ws.read_only)
        self.officer.editingFinished.connect(self._keep_officer)
        officer_label = QLabel("Feedback letters signed by (your &name):")
        officer_label.setBuddy(self.officer)
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.docx_button.clicked.connect(lambda: self.export_docx())
        self.xlsx_button.clicked.connect(lambda: self.export_xlsx())
        self.feedback_button.clicked.connect(lambda: self.export_feedback())
        self.result = QLabel()
        self.result.setObjectName("success")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        explain = QLabel(
            "The report (PDF or Word) and the spreadsheet use the returns received so far (the newest version of "
            "each), your moderated ratings and challenge notes, and last year's returns for the year-on-year "
            "comparison. The matrix in this window shows the same levels."
        )
        explain.setWordWrap(True)
        explain.setObjectName("muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.docx_button)
        buttons.addWidget(self.xlsx_button)
        buttons.addWidget(self.feedback_button)
        buttons.addWidget(self.signed_button)
        buttons.addStretch(1)
        signer = QHBoxLayout()
        signer.addWidget(officer_label)
        signer.addWidget(self.officer, 1)
        signer.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(signer)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        layout.addWidget(self.summary, 1)

    def set_period(self, period: str) -> None:
        self.period = period
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        try:
            c = self.collations(self.period) if self.period else None
        except CollationError as exc:
            self.summary.setText(html(str(exc)))
            self._enable(False)
            return
        self._enable(c is not None)
        self.feedback_button.setEnabled(c is not None and bool(c.returns))
        if c is None:
            self.summary.setText("No reporting period yet.")
            return
        lines = [f"<h3>{html(self.ws.profile.name)}: assurance report {html(c.period)}</h3>"]
        registered = c.headline.registered
        items = []
        for f in c.headline.forms:
            deadline = f" (deadline {long_date(f.deadline)})" if f.deadline else ""
            items.append(
                f"<li><b>{len(f.returned)} of {registered}</b> agencies returned {html(f.title)}{deadline}: "
                f"{len(f.on_time)} on time, {len(f.late)} late; {len(f.not_received)} not received.</li>"
            )
        challenged = ", ".join(html(ch.agency) for ch in c.headline.challenged) or "none"
        items.append(f"<li>Agencies challenged: {len(c.headline.challenged)} ({challenged}).</li>")
        items.append(f"<li>Standards in the matrix: {len(c.standards)}.</li>")
        lines.append("<ul>" + "".join(items) + "</ul>")
        if c.notes:
            lines.append("<p><b>Notes from the collation</b> (also printed in the report):</p><ul>")
            lines += [f"<li>{html(n)}</li>" for n in c.notes]
            lines.append("</ul>")
        self.summary.setText("".join(lines))

    # Export -------------------------------------------------------------------------------------

    def _ask_path(self, title: str, suffix: str, file_filter: str) -> Path | None:
        name = f"{self.ws.profile.short_name}-assurance-report-{self.period.replace('/', '-')}"
        return file_dialogs.ask_save_path(self, title, name, suffix, file_filter)

    @Slot()
    def export_pdf(self, path: Path | None = None) -> Job[None] | None:
        path = path or self._ask_path("Save the board report", ".pdf", "PDF files (*.pdf)")
        if path is None:
            return None

        def write(collation: Collation, _job: Job[None]) -> None:
            from oscb_desktop.report.board import render_collation_pdf

            atomic_write(path, render_collation_pdf(collation))

        return self._run("board report", path, write)

    @Slot()
    def export_docx(self, path: Path | None = None) -> Job[None] | None:
        path = path or self._ask_path("Save the board report as a Word document", ".docx", "Word documents (*.docx)")
        if path is None:
            return None

        def write(collation: Collation, _job: Job[None]) -> None:
            from oscb_desktop.report.board_docx import write_board_docx

            write_board_docx(collation, path)

        return self._run("Word report", path, write)

    @Slot()
    def export_xlsx(self, path: Path | None = None) -> Job[None] | None:
        path = path or self._ask_path("Save the spreadsheet", ".xlsx", "Excel workbooks (*.xlsx)")
        if path is None:
            return None

        def write(collation: Collation, _job: Job[None]) -> None:
            from oscb_desktop.report.collation_xlsx import write_collation_xlsx

            write_collation_xlsx(collation, path)

        return self._run("spreadsheet", path, write)

    @Slot()
    def export_feedback(self, folder: Path | None = None) -> Job[None] | None:
        officer = self._keep_officer()
        if not officer:
            message(
                self,
                "Who signs the letters?",
                "Type your name first: it signs the feedback letters, with the partnership's contact named for "
                "questions.",
            )
            self.officer.setFocus()
            return None
        folder = folder or file_dialogs.ask_folder(self, "Folder for the feedback letters")
        if folder is None:
            return None
        ws = self.ws

        def write(collation: Collation, job: Job[None]) -> None:
            job.say("Writing the feedback letters…")
            collation = dataclasses.replace(collation, officer=officer)  # a collation kept from before the name
            review.write_feedback_letters(collation, folder, review.signatories(ws, collation))

        return self._run("feedback letters", folder, write)

    @Slot()
    def export_signed_feedback(self, folder: Path | None = None) -> PassphraseDialog | None:
        """The signed feedback files: the folder, then the Business Unit key's passphrase, then the files written
        in the background (the key unlocked once for all of them)."""
        officer = self._keep_officer()
        try:
            identity = partnership_admin.current_identity(self.ws)
        except partnership_admin.PartnershipAdminError as exc:
            message(self, "No signed feedback yet", str(exc), icon=QMessageBox.Icon.Information)
            return None
        folder = folder or file_dialogs.ask_folder(self, "Folder for the signed feedback files")
        if folder is None:
            return None
        dialog = PassphraseDialog(
            None,
            f"Sign the feedback on the returns for {self.period} with the partnership's key and write one file per "
            f"agency to {folder}.",
            self,
            unlock=lambda passphrase: partnership_admin.unlock(identity, passphrase),
            whose=f"the Business Unit ({' '.join(format_fingerprint(identity.fingerprint).split()[:4])} …)",
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._write_signed_feedback(folder, dialog.key, officer))
        dialog.open()
        return dialog

    def _write_signed_feedback(self, folder: Path, key: UnlockedKey | None, officer: str) -> Job[list[Any]]:
        ws, period = self.ws, self.period

        def work(job: Job[list[Any]]) -> list[Any]:
            return feedback.export_feedback(ws, period, folder, key=key, progress=job.progress)

        def done(written: list[Any]) -> None:
            text = f"{len(written)} signed feedback files for {period} were saved in {folder}."
            self.result.setText(text)
            self.sig_message.emit(text)
            message(self, "Saved", text, informative="Send each agency its own file; it opens it in OSCB Desktop.")

        def failed(exc: BaseException) -> None:
            message(self, "The feedback files were not saved", str(exc), icon=QMessageBox.Icon.Warning)

        job: Job[list[Any]] = Job(self, "Signed feedback", work, label=f"Signing the feedback for {period}…")
        return job.on_success(done).on_failure(failed).start()

    @Slot()
    def _keep_officer(self) -> str:
        """The name typed, in single spaces, kept as the workspace's user name (as ``oscb collate --officer``)."""
        name = " ".join(self.officer.text().split())
        if name and not self.ws.read_only and name != str(self.ws.setting("user_name") or ""):
            self.ws.set_setting("user_name", name)
        return name

    def _enable(self, on: bool) -> None:
        for button in (self.pdf_button, self.docx_button, self.xlsx_button, self.feedback_button, self.signed_button):
            button.setEnabled(on)

    def _run(self, what: str, path: Path, write: Callable[[Collation, Job[None]], None]) -> Job[None]:
        """Collate (unless the window already has this period's collation) and write, in the background."""
        ws, period = self.ws, self.period
        known = self.collations.cached(period)

        def work(job: Job[None]) -> None:
            job.say(f"Collating the returns for {period}…")
            collation = known or Collations.compute(ws, period)
            job.say(f"Writing the {what} for {period}…")
            write(collation, job)

        def done() -> None:
            self.result.setText(f"The {what} for {period} {said}")
            self.sig_message.emit(f"Saved {path}")
            message(self, "Saved", f"The {what} for {period} {said}")
            self.sig_exported.emit(str(path))

        def failed(exc: BaseException) -> None:
            message(self, f"The {what} was not saved", str(exc), icon=QMessageBox.Icon.Warning)
            self.sig_exported.emit("")

        said = f"were saved in {path}" if path.is_dir() else f"was saved as {path}"
        self._enable(False)
        job = Job(self, "Board report", work, label=f"Writing the {what} for {period}…")
        job.on_success(lambda _none: done()).on_failure(failed).on_done(lambda: self._enable(True))
        return job.start()
