"""The board report: the period's collation as a PDF for the board and a spreadsheet for the annual report.

The collation is read on the UI thread (it queries the workspace); rendering and writing the files, which
touch no database, run on a worker thread while a busy indicator shows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.services import review
from oscb_desktop.services.workspace import Workspace, partnership
from oscb_desktop.ui.business_unit.common import CollationError, Collations, long_date
from oscb_desktop.ui.signing.common import documents_folder, html, message

#: Worker threads still running, kept alive until they finish (the app waits for them when it quits).
_RUNNING: set[QThread] = set()


class _Job(QThread):
    sig_done = Signal(str)
    """The work finished: "" on success, else a message for the user."""

    def __init__(self, work: Callable[[], None]) -> None:
        super().__init__()
        self.work = work

    def run(self) -> None:
        try:
            self.work()
        except Exception as exc:  # shown to the user as it is; the file is written atomically or not at all
            self.sig_done.emit(str(exc) or type(exc).__name__)
        else:
            self.sig_done.emit("")


def _wait_for_jobs() -> None:
    for job in list(_RUNNING):
        job.wait()


def _wait_for_jobs_at_quit() -> None:
    """Once per application: a file being written is finished before the app exits."""
    app = QCoreApplication.instance()
    if app is not None and not app.property("oscb_wait_for_report_jobs"):
        app.setProperty("oscb_wait_for_report_jobs", True)
        app.aboutToQuit.connect(_wait_for_jobs)


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
        self.last_folder: Path | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setAccessibleName("What the board report will say")
        self.pdf_button = QPushButton("Board report (PDF)…")
        self.pdf_button.setObjectName("primary")
        self.xlsx_button = QPushButton("Spreadsheet (XLSX)…")
        self.feedback_button = QPushButton("Feedback letters (PDF)…")
        self.feedback_button.setToolTip(
            "One letter per agency that sent a return: its ratings beside the moderated ones, your notes, "
            "its open actions"
        )
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.xlsx_button.clicked.connect(lambda: self.export_xlsx())
        self.feedback_button.clicked.connect(lambda: self.export_feedback())
        self.result = QLabel()
        self.result.setObjectName("success")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        explain = QLabel(
            "The report and the spreadsheet use the returns received so far (the newest version of each), "
            "your moderated ratings and challenge notes, and last year's returns for the year-on-year "
            "comparison. The matrix in this window shows the same levels."
        )
        explain.setWordWrap(True)
        explain.setObjectName("muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.xlsx_button)
        buttons.addWidget(self.feedback_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        layout.addWidget(self.summary, 1)
        _wait_for_jobs_at_quit()

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
        lines = [f"<h3>{html(partnership().name)}: assurance report {html(c.period)}</h3>"]
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

    def _suggested(self, suffix: str) -> Path:
        name = f"{partnership().short_name}-assurance-report-{self.period.replace('/', '-')}{suffix}"
        return (self.last_folder or documents_folder()) / name

    def _ask_path(self, title: str, suffix: str, file_filter: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, title, str(self._suggested(suffix)), file_filter)
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)

    @Slot()
    def export_pdf(self, path: Path | None = None) -> None:
        path = path or self._ask_path("Save the board report", ".pdf", "PDF files (*.pdf)")
        if path is None:
            return

        def work(collation: object) -> None:
            from oscb_desktop.fsutil import atomic_write
            from oscb_desktop.report.board import render_collation_pdf

            atomic_write(path, render_collation_pdf(collation))  # type: ignore[arg-type]

        self._run("board report", path, work)

    @Slot()
    def export_xlsx(self, path: Path | None = None) -> None:
        path = path or self._ask_path("Save the spreadsheet", ".xlsx", "Excel workbooks (*.xlsx)")
        if path is None:
            return

        def work(collation: object) -> None:
            from oscb_desktop.report.collation_xlsx import write_collation_xlsx

            write_collation_xlsx(collation, path)  # type: ignore[arg-type]

        self._run("spreadsheet", path, work)

    @Slot()
    def export_feedback(self, folder: Path | None = None) -> None:
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(
                self, "Folder for the feedback letters", str(self.last_folder or documents_folder())
            )
            if not chosen:
                return
            folder = Path(chosen)
        try:
            signed_by = review.signatories(self.ws, self.collations(self.period))
        except CollationError as exc:
            message(self, "The feedback letters were not saved", str(exc), icon=QMessageBox.Icon.Warning)
            return

        def work(collation: object) -> None:
            review.write_feedback_letters(collation, folder, signed_by)  # type: ignore[arg-type]

        self._run("feedback letters", folder, work)

    def _enable(self, on: bool) -> None:
        for button in (self.pdf_button, self.xlsx_button, self.feedback_button):
            button.setEnabled(on)

    def _run(self, what: str, path: Path, work: Callable[[object], None]) -> None:
        try:
            collation = self.collations(self.period)
        except CollationError as exc:
            message(self, f"The {what} was not saved", str(exc), icon=QMessageBox.Icon.Warning)
            return
        progress = QProgressDialog(f"Writing the {what} for {self.period}…", "", 0, 0, self)
        progress.setWindowTitle("Board report")
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        job = _Job(lambda: work(collation))
        _RUNNING.add(job)
        self._enable(False)

        def done(problem: str) -> None:
            _RUNNING.discard(job)
            job.wait()
            job.deleteLater()
            progress.close()
            progress.deleteLater()
            self._enable(True)
            if problem:
                message(self, f"The {what} was not saved", problem, icon=QMessageBox.Icon.Warning)
                self.sig_exported.emit("")
                return
            self.last_folder = path if path.is_dir() else path.parent
            said = f"were saved in {path}" if path.is_dir() else f"was saved as {path}"
            self.result.setText(f"The {what} for {self.period} {said}")
            self.sig_message.emit(f"Saved {path}")
            message(self, "Saved", f"The {what} for {self.period} {said}")
            self.sig_exported.emit(str(path))

        job.sig_done.connect(done)
        job.start()
