"""The actions the partnership requires of an agency after its challenge event, on a received return: what, by
when, on which standard. Kept at once (each add or removal is its own audited change, apart from Save review);
they travel in the signed feedback file and start next year's action plan (:mod:`oscb_desktop.services.feedback`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop import dates
from oscb_desktop.services import feedback
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.common import ask, message

ACTION_ROLE = Qt.ItemDataRole.UserRole


class RequiredActionDialog(QDialog):
    """What the agency must do, on which standard, and by when."""

    def __init__(self, standards: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Required action")
        self.what = QLineEdit()
        self.what.setMaxLength(feedback.MAX_ACTION_CHARS)
        self.what.setPlaceholderText("e.g. Publish the on-call rota to all staff")
        self.what.setAccessibleName("What the agency must do")
        self.standard = QComboBox()
        self.standard.setAccessibleName("Standard")
        self.standard.addItem("The return as a whole", "")
        for target, title in standards:
            self.standard.addItem(title, target)
        self.has_due = QCheckBox("Due by")
        self.has_due.setChecked(True)
        self.due = QDateEdit(QDate.currentDate().addMonths(6))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("d MMM yyyy")
        self.due.setAccessibleName("Due date")
        self.has_due.toggled.connect(self.due.setEnabled)
        due_row = QHBoxLayout()
        due_row.addWidget(self.has_due)
        due_row.addWidget(self.due, 1)
        form = QFormLayout()
        form.addRow("&What:", self.what)
        form.addRow("&Standard:", self.standard)
        form.addRow(due_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.what.setFocus()

    def accept(self) -> None:
        if not self.what.text().strip():
            self.what.setFocus()
            return
        super().accept()


class RequiredActions(QGroupBox):
    """The list of a received return's required actions, with Add… and Remove."""

    def __init__(
        self, ws: Workspace, received_id: int, standards: Sequence[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__("Actions the partnership requires", parent)
        self.ws = ws
        self.received_id = received_id
        self.standards = list(standards)
        self.list = QListWidget()
        self.list.setAccessibleName("Required actions")
        self.list.setMaximumHeight(140)
        self.add_button = QPushButton("&Add required action…")
        self.remove_button = QPushButton("Remove")
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)
            button.setEnabled(not ws.read_only)
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(self.remove)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.list.currentItemChanged.connect(self._selection_changed)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        titles = dict(self.standards)
        for action in feedback.required_actions(self.ws, self.received_id):
            due = f" — due {dates.day_short(action.due)}" if action.due else ""
            where = titles.get(action.target, "the return as a whole")
            item = QListWidgetItem(f"{action.what}{due} ({where})")
            item.setData(ACTION_ROLE, action.id)
            self.list.addItem(item)
        if self.list.count() == 0:
            empty = QListWidgetItem("None yet: add what the agency must do after the challenge event.")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(empty)
        self._selection_changed()

    @Slot()
    def _selection_changed(self) -> None:
        self.remove_button.setEnabled(not self.ws.read_only and self._selected() is not None)

    def _selected(self) -> int | None:
        item = self.list.currentItem()
        value = item.data(ACTION_ROLE) if item is not None else None
        return int(value) if value is not None else None

    @Slot()
    def add(self) -> RequiredActionDialog:
        dialog = RequiredActionDialog(self.standards, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._added(dialog))
        dialog.open()
        return dialog

    def _added(self, dialog: RequiredActionDialog) -> None:
        picked = dialog.due.date()
        due = date(picked.year(), picked.month(), picked.day()) if dialog.has_due.isChecked() else None
        try:
            feedback.add_required_action(
                self.ws, self.received_id, dialog.what.text(), due=due, target=dialog.standard.currentData() or ""
            )
        except feedback.FeedbackExportError as exc:
            message(self, "Not added", str(exc), icon=QMessageBox.Icon.Warning)
        self.refresh()

    @Slot()
    def remove(self) -> None:
        action_id = self._selected()
        if action_id is None:
            return

        def confirmed() -> None:
            try:
                feedback.remove_required_action(self.ws, action_id)
            except feedback.FeedbackExportError as exc:
                message(self, "Not removed", str(exc), icon=QMessageBox.Icon.Warning)
            self.refresh()

        ask(
            self,
            "Remove the required action?",
            self.list.currentItem().text(),
            "It is no longer sent to the agency in its feedback.",
            "Remove",
            confirmed,
        )
