"""The matrix: every agency against every standard of the period, the agency's own level and the moderated one.

The levels come from the collation (:mod:`oscb_desktop.collate`), so a cell says what the board report says.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QPainter, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.forms.known import SELF_ASSESSMENT
from oscb_desktop.services import review
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.business_unit.common import CollationError, Collations, labelled, sector_combo, setup_table, tint
from oscb_desktop.ui.business_unit.models import COLOURS_ROLE, MatrixModel
from oscb_desktop.ui.table_model import ROW_ROLE, SORT_ROLE

_Index = QModelIndex | QPersistentModelIndex


class RatingDelegate(QStyledItemDelegate):
    """A rating cell tinted with its level's colour; a moderated cell split in two, own level left, moderated
    right, matching the words "Own / Moderated" it shows."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        colours = index.data(COLOURS_ROLE)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if colours and not selected:
            own, moderated = colours
            rect: QRect = option.rect
            painter.save()
            if moderated:
                half = rect.width() // 2
                painter.fillRect(QRect(rect.left(), rect.top(), half, rect.height()), tint(own))
                painter.fillRect(
                    QRect(rect.left() + half, rect.top(), rect.width() - half, rect.height()), tint(moderated)
                )
            else:
                painter.fillRect(rect, tint(own))
            painter.restore()
        super().paint(painter, option, index)


class MatrixFilter(QSortFilterProxyModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sector = ""
        self.returned_only = True
        self.setSortRole(SORT_ROLE)

    def set_filter(self, sector: str, returned_only: bool) -> None:
        self.beginFilterChange()
        self.sector, self.returned_only = sector, returned_only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        row = self.sourceModel().index(source_row, 0, source_parent).data(ROW_ROLE)
        if self.sector and row.sector != self.sector:
            return False
        return row.returned or not self.returned_only


class MatrixPage(QWidget):
    sig_open_return = Signal(int, str)
    """Open a received return in the viewer (received id, the standard to show first or "")."""

    def __init__(self, ws: Workspace, collations: Collations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.collations = collations
        self.period = ""
        self.received: dict[str, int] = {}
        #: Each column's width as its contents want it (before :meth:`fit_columns`).
        self._natural: list[int] = []

        self.explain = QLabel(
            "Each cell shows the agency's own rating of the standard and, after a slash, the Business Unit's "
            "moderated rating where there is one (for example “Green / Amber”). The colours repeat the words. "
            "Hover over a cell for the means behind it; double-click to open the return."
        )
        self.explain.setWordWrap(True)
        self.explain.setObjectName("muted")
        self.problem = QLabel()
        self.problem.setObjectName("warningBanner")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        self.sector = sector_combo("Show agencies of the sector", ws.profile)
        self.all_agencies = QCheckBox("Show agencies &without a return")
        self.sector.currentIndexChanged.connect(self._filter_changed)
        self.all_agencies.toggled.connect(self._filter_changed)
        self.shown = QLabel()
        self.shown.setObjectName("muted")
        self.open_button = QPushButton("Open return")
        self.open_button.clicked.connect(self.open_selected)

        self.model = MatrixModel(self)
        self.proxy = MatrixFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        setup_table(self.table, "Matrix of agencies against standards")
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectItems)
        # Long agency names lose their middle, not the part that tells "County Council – Education" apart.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setItemDelegate(RatingDelegate(self.table))
        self.table.activated.connect(self._activated)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setObjectName("muted")
        self.legend.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        filters = QHBoxLayout()
        filters.addWidget(labelled("&Sector:", self.sector))
        filters.addWidget(self.sector)
        filters.addSpacing(12)
        filters.addWidget(self.all_agencies)
        filters.addSpacing(12)
        filters.addWidget(self.shown)
        filters.addStretch(1)
        filters.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addWidget(self.problem)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.legend)
        self.setFocusProxy(self.table)

    def set_period(self, period: str) -> None:
        self.period = period
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        self_assessments = set(self.ws.forms.ids_of_kind(SELF_ASSESSMENT))
        self.received = {
            r.agency.name: r.id
            for r in review.list_received(self.ws, period=self.period)
            if r.form_id in self_assessments
        }
        try:
            collation = self.collations(self.period) if self.period else None
        except CollationError as exc:
            self.problem.setText(str(exc))
            self.problem.setVisible(True)
            collation = None
        else:
            self.problem.setVisible(False)
        if collation is None or not collation.standards:
            self.model.set_matrix([], [], period=self.period)
            self.legend.setText(f"No Section 11 standards for {self.period}." if self.period else "")
            self._update_shown()
            return
        self.model.set_matrix(
            collation.standards,
            collation.matrix,
            period=self.period,
            rule=self.collations.rule("An agency's level for a standard"),
        )
        self.legend.setText(" · ".join(f"<b>{s.code}</b> {s.title}" for s in collation.standards))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        self._natural = [self.table.columnWidth(c) for c in range(self.model.columnCount())]
        self.fit_columns()
        self._update_shown()
        self._update_buttons()

    def fit_columns(self) -> None:
        """Every standard in view: the agency column gives up width first (its names are elided, the whole
        name is in the tooltip), then the standards share what is left; only a very narrow window scrolls."""
        columns = self.model.columnCount()
        natural = self._natural
        if columns < 3 or len(natural) != columns:
            return
        room = self.table.viewport().width() - 2
        sector = min(natural[1], 140)
        standards = columns - 2
        # What a moderated cell needs to be read whole; the agency names give way to it, down to a minimum.
        wanted = self.table.fontMetrics().horizontalAdvance("Green / Amber") + 14
        name = max(self.MIN_NAME_WIDTH, min(natural[0], 340, room - sector - wanted * standards))
        each = max(self.MIN_STANDARD_WIDTH, (room - name - sector) / standards)
        self.table.setColumnWidth(0, int(name))
        self.table.setColumnWidth(1, int(sector))
        for column in range(2, columns):
            self.table.setColumnWidth(column, int(each))

    #: The narrowest a standard's column gets ("Green / Amber" in the table's font, a little elided).
    MIN_STANDARD_WIDTH = 78
    MIN_NAME_WIDTH = 150

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self.fit_columns)  # once the layout has given the table its new width

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self.fit_columns)

    def _update_shown(self) -> None:
        returned = sum(1 for r in self.model.rows if r.returned)
        self.shown.setText(
            f"{returned} of {self.model.rowCount()} agencies returned Section 11 for {self.period}; "
            f"showing {self.proxy.rowCount()}"
        )

    @Slot()
    def _filter_changed(self) -> None:
        self.proxy.set_filter(self.sector.currentData() or "", not self.all_agencies.isChecked())
        self._update_shown()
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self._target(self.table.currentIndex()) is not None)

    def _target(self, index: QModelIndex) -> tuple[int, str] | None:
        if not index.isValid():
            return None
        row = index.data(ROW_ROLE)
        received_id = self.received.get(row.agency) if row is not None else None
        if received_id is None:
            return None
        standard = self.model.standard_at(self.proxy.mapToSource(index).column())
        return received_id, standard.id if standard is not None else ""

    @Slot(QModelIndex)
    def _activated(self, index: QModelIndex) -> None:
        target = self._target(index)
        if target is not None:
            self.sig_open_return.emit(*target)

    @Slot()
    def open_selected(self) -> None:
        self._activated(self.table.currentIndex())
