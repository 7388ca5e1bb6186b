"""The table model every list of the app uses: rows of plain values, fixed headers, one ``cell`` hook.

Subclasses say what a cell shows for a role; the model can be tested without a view (``texts()``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

#: Item data role holding a value to sort by (numbers sort as numbers, missing values last).
SORT_ROLE = Qt.ItemDataRole.UserRole
#: Item data role holding the row's object (a CycleRow, a ReturnSummary...).
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
#: Text colour of something overdue or late (always beside words that say so).
OVERDUE_COLOUR = "#b91c1c"


class TableModel(QAbstractTableModel):
    """Rows of anything, fixed headers; subclasses say what each cell shows."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def headers(self) -> Sequence[str]:
        return self.HEADERS

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == ROW_ROLE:
            return row
        return self.cell(row, index.column(), role)

    def cell(self, row: Any, column: int, role: int) -> Any:
        raise NotImplementedError

    def texts(self) -> list[list[str]]:
        """Every displayed cell, row by row (for tests and "Copy")."""
        return [
            [str(self.data(self.index(r, c)) or "") for c in range(self.columnCount())] for r in range(self.rowCount())
        ]
