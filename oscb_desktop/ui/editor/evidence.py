"""Evidence files of an item: add, open with the system viewer, remove."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.forms.model import Item
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.editor.item_base import ItemInput, OpenFile, StoreFile


class AttachmentsInput(ItemInput):
    """Evidence files: kept in the workspace by SHA-256; the answer lists them."""

    def __init__(self, item: Item, store_file: StoreFile, open_file: OpenFile, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self._store_file = store_file
        self._open_file = open_file
        self._files: list[dict[str, Any]] = []
        self.list = QListWidget()
        self.list.setAccessibleName(f"Attached files: {item.label}")
        self.list.setMaximumHeight(120)
        self.list.itemActivated.connect(lambda _i: self._open())
        self.add_button = QPushButton("Add file…")
        self.add_button.setAccessibleName(f"Add file: {item.label}")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName(f"Remove selected file: {item.label}")
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName(f"Open selected file: {item.label}")
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.open_button.clicked.connect(self._open)
        self.list.currentRowChanged.connect(lambda _r: self._update_buttons())
        buttons = QHBoxLayout()
        for b in (self.add_button, self.open_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.setFocusProxy(self.add_button)
        self._read_only = False
        self._update_buttons()

    def _update_buttons(self) -> None:
        selected = self.list.currentRow() >= 0 and bool(self._files)
        full = self.item.max_files is not None and len(self._files) >= self.item.max_files
        self.add_button.setEnabled(not self._read_only and not full)
        self.remove_button.setEnabled(not self._read_only and selected)
        self.open_button.setEnabled(selected)

    def _refresh(self) -> None:
        self.list.clear()
        for ref in self._files:
            entry = QListWidgetItem(f"{ref['name']}  ({_size(ref['size'])})")
            entry.setToolTip(f"SHA-256 {ref['sha256']}")
            self.list.addItem(entry)
        if self._files:
            self.list.setCurrentRow(0)
        self._update_buttons()

    @Slot()
    def _add(self) -> None:
        chosen = file_dialogs.ask_open_file(self, f"Attach evidence — {self.item.label}")
        if chosen is not None:
            self.attach(chosen)

    def attach(self, path: Path) -> None:
        try:
            ref = self._store_file(path)
        except Exception as exc:
            QMessageBox.warning(self, "File not attached", str(exc))
            return
        if any(f["sha256"] == ref["sha256"] for f in self._files):
            QMessageBox.information(self, "Already attached", f"{ref['name']} is already attached here.")
            return
        self._files.append(ref)
        self._refresh()
        self._emit()

    @Slot()
    def _remove(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._files):
            del self._files[row]
            self._refresh()
            self._emit()

    @Slot()
    def _open(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._files):
            self._open_file(self._files[row])

    def value(self) -> list[dict[str, Any]] | None:
        return list(self._files) or None

    def _apply(self, value: Any) -> None:
        self._files = [f for f in value if isinstance(f, dict)] if isinstance(value, list) else []
        self._refresh()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._update_buttons()


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, n // 1024)} KB"
