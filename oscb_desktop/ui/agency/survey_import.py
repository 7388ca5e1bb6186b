"""File ▸ Import practitioner survey…: the agency's responses export (CSV or XLSX) read in a job, what was
understood shown before anything is stored (which column is which question, the counts per answer, with counts
under the threshold already shown as "fewer than 5"), then the counts stored in a second job. A file that cannot
be mapped is refused with its columns, rows and values, and a mapping file can be given; the mapping used is
remembered for the next import. The file itself is never kept."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.services import survey
from oscb_desktop.services.survey import SurveyError
from oscb_desktop.services.survey_values import SurveyInfo, SurveyPreview
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.survey.counts import in_words
from oscb_desktop.survey.responses import SurveyFileError
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.common import ask, message
from oscb_desktop.ui.ops import Job

RESPONSES_FILTER = "Survey responses (*.csv *.xlsx);;All files (*)"
MAPPING_FILTER = "Mapping file (*.yaml *.yml *.json);;All files (*)"
log = logging.getLogger(__name__)


class SurveyPreviewDialog(QDialog):
    """What the import understood; Store keeps it, Use a mapping file… reads the export again with one."""

    def __init__(self, p: SurveyPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = p
        self.wants_mapping = False
        c = p.counts
        self.setWindowTitle(f"Practitioner survey — {p.agency}")
        self.resize(960, 620)
        esc = html.escape
        ignored = ", ".join(esc(h) for h in p.ignored) or "none"
        missing = ", ".join(esc(p.form.item_code(q)) for q in p.missing)
        self.summary = QLabel(
            f"<h3 style='margin:0'>{esc(p.file_name)}: {in_words(c.respondents, c.threshold)} respondents</h3>"
            f"<p>Check that each question was read from the right column and the counts look right before storing "
            f"them. Only these counts are kept, never the file; any count under {c.threshold} shows as "
            f"“fewer than {c.threshold}”, here and wherever it goes.</p>"
            f"<p><b>Columns ignored:</b> {ignored}"
            + (f"<br/><b>Questions not in the file:</b> {missing}" if missing else "")
            + "</p>"
        )
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(("Question", "Read from column", "Answered", "Answers"))
        self.table.setAccessibleName("What was understood, per question")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        rows = [q for q in p.form.items() if c.question(q.id) is not None]
        self.table.setRowCount(len(rows))
        for r, item in enumerate(rows):
            q = c.question(item.id)
            assert q is not None
            answers = " · ".join(f"{label}: {in_words(n, c.threshold)}" for _o, label, n in c.in_order(p.form, item.id))
            cells = (
                f"{p.form.item_code(item.id)} {' '.join(item.label.split())}",
                p.columns.get(item.id, ""),
                in_words(q.answered, c.threshold),
                answers,
            )
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if col == 2:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, col, cell)
        self.table.setColumnWidth(1, 220)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox()
        self.store_button = buttons.addButton("Store these counts", QDialogButtonBox.ButtonRole.AcceptRole)
        self.mapping_button = QPushButton("Use a mapping file…")
        buttons.addButton(self.mapping_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.mapping_button.clicked.connect(self._mapping)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.store_button.setDefault(True)

    def _mapping(self) -> None:
        self.wants_mapping = True
        self.reject()


def import_survey(
    parent: QWidget,
    ws: Workspace,
    agency_id: int,
    path: Path | None = None,
    mapping: Path | None = None,
    on_done: Callable[[SurveyInfo], None] | None = None,
) -> Job[SurveyPreview] | None:
    """Choose the export (unless ``path``), read it in a job, show what was understood, store on request."""
    chosen = path or file_dialogs.ask_open_file(parent, "Import practitioner survey responses", RESPONSES_FILTER)
    if chosen is None:
        return None

    def again_with_mapping() -> None:
        mapping_file = file_dialogs.ask_open_file(parent, "Mapping of the export's columns", MAPPING_FILTER)
        if mapping_file is not None:
            import_survey(parent, ws, agency_id, chosen, mapping_file, on_done)

    def understood(p: SurveyPreview) -> None:
        dialog = SurveyPreviewDialog(p, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                store(p)
            elif dialog.wants_mapping:
                again_with_mapping()

        dialog.finished.connect(finished)
        dialog.open()
        parent.setProperty("surveyPreview", dialog)  # for tests and screenshots: the dialog on screen

    def store(p: SurveyPreview) -> None:
        def stored(info: SurveyInfo) -> None:
            c = info.counts
            text = f"Stored the counts of {in_words(c.respondents, c.threshold)} respondents for {info.agency}."
            kept = f"{info.file_name} itself was not kept. The answers now show beside your ratings."
            message(parent, "Practitioner survey stored", text, informative=kept)
            if on_done is not None:
                on_done(info)

        Job(parent, "Storing the survey counts", lambda _job: survey.store(ws, p)).on_success(stored).start()

    def failed(exc: BaseException) -> None:
        if isinstance(exc, SurveyFileError):
            ask(parent, "Survey responses not imported", str(exc), "Nothing was stored.", "Use a mapping file…",
                again_with_mapping, icon=QMessageBox.Icon.Warning)  # fmt: skip
        else:  # SurveyError (no survey installed...), or a bug, which the log keeps
            if not isinstance(exc, SurveyError):
                log.error("The survey import failed", exc_info=exc)
            message(parent, "Survey responses not imported", str(exc), icon=QMessageBox.Icon.Warning)

    work = lambda _job: survey.preview(ws, agency_id, chosen, mapping_file=mapping)  # noqa: E731
    return Job(parent, "Reading the survey responses", work).on_success(understood).on_failure(failed).start()
