"""The answer history of one item: who changed what and when, and "Restore this version".

The history comes from the audit trail (:mod:`oscb_desktop.services.history`). Restoring is a change like any
other, saved and audited at once; "Undo restore" puts back the answer it replaced. A signed return shows its
history but restores nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop import dates
from oscb_desktop.services import history
from oscb_desktop.services.history import AnswerVersion, ItemHistory
from oscb_desktop.ui.common import html

#: Restores audit entry ``entry_id`` into the editor; returns what was restored, or raises ReturnError.
Restorer = Callable[[int], history.RestoreResult]
#: Reads the item's history again.
Loader = Callable[[], ItemHistory]


class HistoryDialog(QDialog):
    """Every version of one answer, newest first, with the selected one shown in full."""

    def __init__(self, load: Loader, restore: Restorer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._load = load
        self._restore = restore
        #: After a restore: the entry whose answer it replaced (Undo restores it).
        self._undo_entry: int | None = None
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(900, 560)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["When", "Who", "What happened"])
        self.table.setAccessibleName("Versions of this answer, newest first")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda *_a: self._selected())
        self.table.itemActivated.connect(lambda _i: self.restore_selected())
        self.answer = QPlainTextEdit()
        self.answer.setReadOnly(True)
        self.answer.setAccessibleName("The answer in the chosen version")
        self.answer_label = QLabel("The answer in this version")
        self.answer_label.setObjectName("partLabel")
        self.answer_label.setBuddy(self.answer)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.answer_label)
        detail_layout.addWidget(self.answer, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setSizes([260, 200])

        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setObjectName("muted")
        self.restore_button = QPushButton("&Restore this version")
        self.restore_button.setToolTip("Make this the answer again (Enter). The change is saved and recorded.")
        self.restore_button.clicked.connect(self.restore_selected)
        self.undo_button = QPushButton("&Undo restore")
        self.undo_button.setToolTip("Put back the answer the restore replaced")
        self.undo_button.clicked.connect(self.undo)
        self.undo_button.setVisible(False)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        for button in (self.restore_button, self.undo_button, close):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.history: ItemHistory = load()
        self._fill()
        self.table.setFocus()

    # Showing ------------------------------------------------------------------------------------------------

    def _fill(self, select_entry: int | None = None) -> None:
        h = self.history
        self.setWindowTitle(f"Answer history – {h.code}")
        count = len(h.versions)
        self.heading.setText(
            f"<b>{html(h.code)}</b>&nbsp; {html(h.label)}<br><span>"
            + (f"{count} change{'s' if count != 1 else ''} recorded, newest first." if count else "")
            + "</span>"
        )
        self.table.setRowCount(count)
        for row, v in enumerate(h.versions):
            what = v.what + (" (the answer now)" if v.current else "")
            if v.return_version and len({x.return_version for x in h.versions}) > 1:
                what += f" · version {v.return_version}"
            for column, text in enumerate((dates.local_moment(v.at), v.user, what)):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, v.entry_id)
                cell.setToolTip(v.text)
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        if not count:
            self.answer.setPlainText("")
            self.note.setText("No change of this answer has been recorded yet.")
            self.restore_button.setEnabled(False)
            return
        rows = [n for n, v in enumerate(h.versions) if v.entry_id == select_entry]
        self.table.selectRow(rows[0] if rows else 0)
        self._selected()

    def selected(self) -> AnswerVersion | None:
        row = self.table.currentRow()
        return self.history.versions[row] if 0 <= row < len(self.history.versions) else None

    @Slot()
    def _selected(self) -> None:
        v = self.selected()
        self.answer.setPlainText(v.text if v is not None else "")
        locked = self.history.locked_reason
        self.restore_button.setEnabled(v is not None and v.restorable and not locked)
        self.undo_button.setVisible(self._undo_entry is not None and not locked)
        if locked:
            self.note.setText(locked)
        elif v is None:
            self.note.setText("")
        elif v.current:
            self.note.setText("This is the answer now.")
        elif not v.restorable:
            self.note.setText("This version is the same as the answer now.")
        else:
            self.note.setText(f"Restore the answer as it was on {dates.local_moment(v.at)}?")

    # Restoring ----------------------------------------------------------------------------------------------

    @Slot()
    def restore_selected(self) -> None:
        v = self.selected()
        if v is None or not self.restore_button.isEnabled():
            return
        replaced = next((x.entry_id for x in self.history.versions if x.current), None)
        self._do_restore(v.entry_id, f"Restored the answer of {dates.local_moment(v.at)}.", undo=replaced)

    @Slot()
    def undo(self) -> None:
        if self._undo_entry is not None:
            self._do_restore(self._undo_entry, "Restore undone: the answer is back as it was.", undo=None)

    def _do_restore(self, entry_id: int, done: str, *, undo: int | None) -> None:
        try:
            result = self._restore(entry_id)
        except history.ReturnError as exc:
            self.note.setText(f"Not restored: {exc}")
            return
        self._undo_entry = undo
        self.history = self._load()
        self._fill(select_entry=result.entry_id)
        self.note.setText(done + " It is saved, and recorded in this history.")
