"""The editor's right-hand panel: what is still to do, each entry whole, or a plain word that nothing is."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFrame, QLabel, QListWidgetItem, QVBoxLayout, QWidget

from oscb_desktop.ui.editor.lists import WrappingList

ITEM_ROLE = Qt.ItemDataRole.UserRole

NOTHING_LEFT = (
    "<b>✓ Nothing left to do.</b><br>Every question that needs an answer has one and every rule of the form is "
    "met.<br><br>Read the return through (Return ▸ Print preview, Ctrl+Shift+P), then sign it off "
    "(Ctrl+Shift+S)."
)
SIGNED = (
    "<b>Signed off.</b><br>This version cannot be changed. Export it as a signed bundle (Ctrl+E) to send it to "
    "the Business Unit, or reopen it as a new version to change anything."
)


class MissingPanel(QWidget):
    """The still-to-do list; Enter or a click on an entry asks to go to its item."""

    sig_chosen = Signal(str)
    """The user chose an entry (item id)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.list = WrappingList()
        self.list.setAccessibleName("What is still missing")
        self.list.itemActivated.connect(self._chosen)
        self.list.itemClicked.connect(self._chosen)
        self.title.setBuddy(self.list)
        #: Shown instead of an empty list: nothing is missing, or the return is signed.
        self.done = QLabel()
        self.done.setObjectName("nothingLeft")
        self.done.setWordWrap(True)
        self.done.setTextFormat(Qt.TextFormat.RichText)
        self.done.setFrameShape(QFrame.Shape.StyledPanel)
        self.done.setMargin(10)
        self.done.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.done)
        layout.addStretch(0)
        self._stretch_index = layout.count() - 1

    def show_entries(self, entries: list[tuple[str, str]], *, read_only: bool) -> None:
        """``entries``: (item id, text) in form order; keeps the chosen entry chosen when it is still there."""
        current = self.list.currentItem().data(ITEM_ROLE) if self.list.currentItem() else None
        self.list.clear()
        for item_id, text in entries:
            entry = QListWidgetItem(text)
            entry.setData(ITEM_ROLE, item_id)
            entry.setToolTip(text)
            self.list.addItem(entry)
            if item_id == current:
                self.list.setCurrentItem(entry)
        empty = not entries
        self.list.setVisible(not empty)
        self.title.setVisible(not empty)
        self.done.setVisible(empty)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.setStretch(self._stretch_index, 1 if empty else 0)
        if empty:
            self.done.setText(SIGNED if read_only else NOTHING_LEFT)
        else:
            self.title.setText(f"<b>Still to do ({len(entries)})</b> — click or press Enter to go there")

    def count(self) -> int:
        return self.list.count()

    def focus(self) -> None:
        if self.list.isVisible():
            self.list.setFocus()
            if self.list.count() and self.list.currentRow() < 0:
                self.list.setCurrentRow(0)

    @Slot(QListWidgetItem)
    def _chosen(self, entry: QListWidgetItem) -> None:
        item_id = entry.data(ITEM_ROLE)
        if item_id:
            self.sig_chosen.emit(item_id)
