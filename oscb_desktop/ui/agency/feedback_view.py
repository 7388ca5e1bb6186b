"""The partnership's feedback on one of the agency's signed returns, read-only: each standard with what the agency
said beside what the partnership moderated — in words and in colour, never colour alone — the statements
moderated differently, the notes of the review and the challenge event, and the actions the partnership requires.

A window of its own (not modal), so it stays open beside the signed return in the editor. File ▸ Open feedback…
takes a feedback file (:func:`open_feedback`: chosen with the file dialog, checked and stored in a job).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop import dates
from oscb_desktop.feedback import FEEDBACK_SUFFIX, LevelRef, Rated
from oscb_desktop.services import feedback_received
from oscb_desktop.services.feedback_received import FeedbackImport, FeedbackInfo, FeedbackRefusedError
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.common import message
from oscb_desktop.ui.ops import Job


def said(rated: Rated) -> str:
    """ "You said Green, the partnership moderated Amber." — the words the view and its tests use."""
    own = rated.own.label if rated.own else "nothing"
    if rated.moderated is None:
        return f"You said {own}; the partnership did not moderate it."
    if rated.own is not None and rated.own.id == rated.moderated.id:
        return f"You said {own}, and the partnership agreed."
    return f"You said {own}, the partnership moderated {rated.moderated.label}."


def _level_item(level: LevelRef | None) -> QTableWidgetItem:
    item = QTableWidgetItem(level.label if level else "—")
    if level is not None:
        colour = QColor(level.colour)
        if colour.isValid():
            item.setBackground(colour)
            luma = 0.299 * colour.red() + 0.587 * colour.green() + 0.114 * colour.blue()
            item.setForeground(QColor("#ffffff" if luma < 150 else "#000000"))
    return item


class FeedbackView(QDialog):
    """The feedback on one return (see the module doc)."""

    def __init__(self, info: FeedbackInfo, parent: QWidget | None = None, ws: Workspace | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.ws = ws
        f = info.feedback
        self.setWindowTitle(f"Feedback from {info.partnership_short} — {f.form_title} {info.period}")
        self.resize(900, 700)
        esc = html.escape
        heading = QLabel(
            f"<h2 style='margin:0'>Feedback from {esc(info.partnership)}</h2>"
            f"<p>On your {esc(f.form_title)} return for {esc(info.period)} (version {info.version}), signed by the "
            f"partnership's Business Unit on {esc(dates.day_short(info.issued_at[:10]))}"
            + (f" by {esc(info.issued_by)}" if info.issued_by else "")
            + f". Review: <b>{esc(f.review_status_label)}</b>. Moderation never changes your signed return.</p>"
        )
        heading.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        if f.review_notes:
            layout.addWidget(self._text("Review notes", f.review_notes))

        self.standards = self._table(
            "Standards: what you said and what the partnership moderated",
            ("Standard", "You said", "Moderated", "In words", "Note"),
            f.standards,
        )
        layout.addWidget(self.standards, 3)
        if f.statements:
            self.statements = self._table(
                "Statements the partnership moderated",
                ("Statement", "You said", "Moderated", "In words", "Note"),
                f.statements,
            )
            layout.addWidget(self.statements, 2)
        whole = [n for n in f.notes if not n.target]
        if whole:
            layout.addWidget(self._text("Challenge event", "\n\n".join(n.text for n in whole)))
        self.required = QTableWidget(len(f.required_actions), 3)
        self.required.setHorizontalHeaderLabels(("Required action", "About", "Due by"))
        self.required.setAccessibleName("Actions the partnership requires")
        for row, action in enumerate(f.required_actions):
            due = dates.day_short(action.due) if action.due else "No date given"
            for col, text in enumerate((action.what, action.label or "The return as a whole", due)):
                self.required.setItem(row, col, QTableWidgetItem(text))
        self._read_only(self.required)
        layout.addWidget(QLabel("<b>Actions the partnership requires</b> (they join next year's action plan)"))
        layout.addWidget(self.required, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        if ws is not None:  # the letter the partnership signed, read-only in the print preview
            self.letter_button = buttons.addButton("The signed &letter…", QDialogButtonBox.ButtonRole.ActionRole)
            self.letter_button.clicked.connect(self.show_letter)
        layout.addWidget(buttons)

    def _text(self, title: str, text: str) -> QLabel:
        label = QLabel(f"<b>{html.escape(title)}</b><br>{html.escape(text).replace(chr(10), '<br>')}")
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _table(self, title: str, headers: tuple[str, ...], rows: tuple[Rated, ...]) -> QTableWidget:
        table = QTableWidget(len(rows), len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setAccessibleName(title)
        table.setToolTip(title)
        for n, rated in enumerate(rows):
            table.setItem(n, 0, QTableWidgetItem(f"{rated.code} {rated.title}"))
            table.setItem(n, 1, _level_item(rated.own))
            table.setItem(n, 2, _level_item(rated.moderated))
            words = QTableWidgetItem(said(rated))
            if rated.differs:
                font = words.font()
                font.setBold(True)
                words.setFont(font)
            table.setItem(n, 3, words)
            table.setItem(n, 4, QTableWidgetItem(rated.note))
        self._read_only(table)
        return table

    def _read_only(self, table: QTableWidget) -> None:
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.setWordWrap(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(table.columnCount() - 1, QHeaderView.ResizeMode.Stretch)

    def show_letter(self) -> None:
        from oscb_desktop.ui.printing import preview_in_background

        ws, info = self.ws, self.info
        assert ws is not None
        title = f"Feedback from {info.partnership_short} on the returns for {info.period} (signed letter)"
        preview_in_background(self, lambda: (title, feedback_received.letter_pdf(ws, info)))


def show_feedback(parent: QWidget | None, info: FeedbackInfo, ws: Workspace | None = None) -> FeedbackView:
    view = FeedbackView(info, parent, ws)
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    view.show()
    return view


def show_feedback_for(parent: QWidget | None, ws: Workspace, submission_id: str) -> FeedbackView | None:
    info = feedback_received.feedback_for(ws, submission_id)
    if info is None:
        message(parent, "No feedback yet", "No feedback from the partnership has been received on this return.")
        return None
    return show_feedback(parent, info, ws)


def open_feedback(
    parent: QWidget, ws: Workspace, path: Path | None = None, on_done: Callable[[], None] | None = None
) -> Job[FeedbackImport] | None:
    """File ▸ Open feedback…: choose the file, check and keep it in a job, then show it."""
    chosen = path or file_dialogs.ask_open_file(
        parent, "Open feedback from the partnership", f"OSCB feedback (*{FEEDBACK_SUFFIX});;All files (*)"
    )
    if chosen is None:
        return None

    def shown(result: FeedbackImport) -> None:
        if on_done is not None:
            on_done()
        for info in result.returns:
            show_feedback(parent, info, ws)
        if result.outcome == "unchanged":
            message(parent, "Feedback already received", result.message)

    def failed(exc: BaseException) -> None:
        if isinstance(exc, FeedbackRefusedError):
            message(parent, "Feedback not accepted", exc.reason, informative="Nothing was stored.",
                    icon=QMessageBox.Icon.Warning)  # fmt: skip
        else:
            message(parent, "Feedback not opened", str(exc), icon=QMessageBox.Icon.Warning)

    job = Job(parent, "Opening feedback", lambda _job: feedback_received.import_feedback(ws, chosen))
    return job.on_success(shown).on_failure(failed).start()
