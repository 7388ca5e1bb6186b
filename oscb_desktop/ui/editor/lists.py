"""A list whose entries wrap onto as many lines as they need, never cut short with "…".

Qt's own word wrap in a list view measures an entry before it knows the list's width, so long entries were cut
(the still-to-do list lost its "→ Not answered yet" lines). Here each entry is measured against the width the
list has now, and measured again whenever the list is resized.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QListView,
    QListWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

Index = QModelIndex | QPersistentModelIndex
PADDING = 5
_FLAGS = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft) | int(Qt.AlignmentFlag.AlignTop)


class _WrapDelegate(QStyledItemDelegate):
    def __init__(self, view: QListWidget) -> None:
        super().__init__(view)
        self.view = view

    def _text_width(self) -> int:
        return max(60, self.view.viewport().width() - 2 * PADDING - 2)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        width = self._text_width()
        bounds = option.fontMetrics.boundingRect(QRect(0, 0, width, 1_000_000), _FLAGS, text)  # type: ignore[attr-defined]
        return QSize(width, bounds.height() + 2 * PADDING)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text  # type: ignore[attr-defined]
        opt.text = ""  # type: ignore[attr-defined]
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else self.view.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setPen(opt.palette.color(role))  # type: ignore[attr-defined]
        painter.setFont(opt.font)  # type: ignore[attr-defined]
        rect = opt.rect  # type: ignore[attr-defined]
        # The width the entry was measured with, so it breaks into exactly the lines it was given room for.
        target = QRect(rect.x() + PADDING, rect.y() + PADDING, self._text_width(), rect.height() - 2 * PADDING)
        painter.drawText(target, _FLAGS, text)
        painter.restore()


class WrappingList(QListWidget):
    """A list widget whose entries show their whole text, wrapped to the list's width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.setItemDelegate(_WrapDelegate(self))

    def needed_height(self, row: int) -> int:
        """The height the entry in ``row`` needs to show all its text (for tests and layout checks)."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        return self.itemDelegate().sizeHint(option, self.model().index(row, 0)).height()
