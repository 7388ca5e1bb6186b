"""A table item (an action plan, the service changes): rows of columns, added and removed by keyboard too."""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.forms.model import Column, Item
from oscb_desktop.ui.editor.inputs import (
    ValueInput,
)
from oscb_desktop.ui.editor.item_base import ItemInput, simple_input


class TableRow(QFrame):
    sig_remove = Signal(object)
    """The user asked to remove this row."""

    def __init__(self, item: Item, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tableRow")
        self.inputs: dict[str, ValueInput] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel()
        grid.addWidget(self.title, 0, 0, 1, 2)
        row = 1
        for col in item.columns:
            label = QLabel(col.label + (" *" if col.required else ""))
            editor = self._make(col)
            label.setBuddy(editor.focusProxy() or editor)
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(editor, row, 1, 1, 2)
            self.inputs[col.id] = editor
            row += 1
        # Made after the fields so that Tab reaches it after them.
        self.remove = QPushButton("Remove")
        self.remove.clicked.connect(lambda: self.sig_remove.emit(self))
        grid.addWidget(self.remove, 0, 2, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(1, 1)
        self._item = item
        self.renumber(number)

    @staticmethod
    def _make(col: Column) -> ValueInput:
        return simple_input(
            col.type, options=col.options, minimum=col.minimum, maximum=col.maximum, max_length=col.max_length
        )

    def renumber(self, number: int) -> None:
        noun = "Action" if self._item.id.endswith("actions") else "Row"
        self.title.setText(f"<b>{noun} {number}</b>")
        self.remove.setAccessibleName(f"Remove {noun.lower()} {number}: {self._item.label}")
        for col in self._item.columns:
            self.inputs[col.id].set_accessible(f"{col.label}, {noun.lower()} {number}: {self._item.label}")

    def value(self) -> dict[str, Any]:
        out = {}
        for cid, editor in self.inputs.items():
            v = editor.value()
            out[cid] = None if v == "" else v
        return out

    def set_value(self, row: dict[str, Any]) -> None:
        for cid, editor in self.inputs.items():
            editor.set_value(row.get(cid))


class TableInput(ItemInput):
    """A repeating table as a list of row editors, with Add and Remove."""

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.rows: list[TableRow] = []
        self.rows_box = QVBoxLayout()
        self.rows_box.setContentsMargins(0, 0, 0, 0)
        noun = "action" if item.id.endswith("actions") else "row"
        self.add_button = QPushButton(f"Add {noun}")
        self.add_button.setAccessibleName(f"Add {noun}: {item.label}")
        self.add_button.clicked.connect(self._add_clicked)
        self.empty = QLabel(f"No {noun}s yet.")
        self.empty.setObjectName("muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.empty)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addLayout(self.rows_box)
        self.setFocusProxy(self.add_button)
        self._read_only = False

    def _add_row(self) -> TableRow:
        row = TableRow(self.item, len(self.rows) + 1)
        for editor in row.inputs.values():
            editor.sig_changed.connect(self._emit)
        row.sig_remove.connect(self._remove)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        row.remove.setEnabled(not self._read_only)
        for editor in row.inputs.values():
            editor.set_read_only(self._read_only)
        self._update_empty()
        self._fix_tab_order()
        return row

    def _fix_tab_order(self) -> None:
        """Add, then each row's fields and its Remove button. Rows join the window after the rest of
        the form, so without this Tab would reach them only after everything else."""
        chain: list[QWidget] = [self.add_button]
        for row in self.rows:
            for editor in row.inputs.values():
                chain.extend(editor.focus_widgets())
            chain.append(row.remove)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    @Slot()
    def _add_clicked(self) -> None:
        if self.item.max_rows is not None and len(self.rows) >= self.item.max_rows:
            return
        row = self._add_row()
        first = next(iter(row.inputs.values()))
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        self._emit()

    @Slot(object)
    def _remove(self, row: TableRow) -> None:
        self.rows.remove(row)
        row.hide()
        row.deleteLater()
        for n, r in enumerate(self.rows, start=1):
            r.renumber(n)
        self._update_empty()
        self.add_button.setFocus()
        self._emit()

    def _update_empty(self) -> None:
        self.empty.setVisible(not self.rows)
        full = self.item.max_rows is not None and len(self.rows) >= self.item.max_rows
        self.add_button.setEnabled(not self._read_only and not full)

    def value(self) -> list[dict[str, Any]] | None:
        return [r.value() for r in self.rows] or None

    def _apply(self, value: Any) -> None:
        rows = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
        while len(self.rows) > len(rows):
            gone = self.rows.pop()
            gone.hide()
            gone.deleteLater()
        while len(self.rows) < len(rows):
            self._add_row()
        for row, data in zip(self.rows, rows, strict=True):
            row.set_value(data)
        self._update_empty()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for row in self.rows:
            row.remove.setEnabled(not read_only)
            for editor in row.inputs.values():
                editor.set_read_only(read_only)
        self._update_empty()
