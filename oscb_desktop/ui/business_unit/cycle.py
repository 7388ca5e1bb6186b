"""The cycle: every registered agency × form of the period, what has come in, and what is still missing."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.forms.known import SELF_ASSESSMENT
from oscb_desktop.services import registry, review
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.business_unit.common import labelled, long_date, sector_combo, setup_table
from oscb_desktop.ui.business_unit.models import CycleLine, CycleModel
from oscb_desktop.ui.table_model import OVERDUE_COLOUR, ROW_ROLE, SORT_ROLE

OVERDUE = "overdue"


class CycleFilter(QSortFilterProxyModel):
    """Rows of one sector and one status ("" for all; ``overdue`` for any overdue row)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sector = ""
        self.status = ""
        self.setSortRole(SORT_ROLE)

    def set_filter(self, sector: str, status: str) -> None:
        self.beginFilterChange()
        self.sector, self.status = sector, status
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        line: CycleLine = self.sourceModel().index(source_row, 0, source_parent).data(ROW_ROLE)
        if self.sector and line.row.sector != self.sector:
            return False
        if self.status == OVERDUE:
            return line.row.overdue
        return not self.status or line.row.status == self.status


class CyclePage(QWidget):
    sig_open_return = Signal(int)
    """Open a received return in the viewer (received id)."""

    sig_message = Signal(str)
    """A line for the window's status bar."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.period = ""
        self.counts = QLabel()
        self.counts.setObjectName("cycleCounts")
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.counts.setWordWrap(True)
        self.counts.setAccessibleName("Returns received so far")

        self.sector = sector_combo("Show agencies of the sector", ws.profile)
        self.status = QComboBox()
        self.status.setAccessibleName("Show returns with the status")
        self.status.addItem("All statuses", "")
        for key, label in review.CYCLE_STATUSES.items():
            self.status.addItem(label, key)
        self.status.addItem("Overdue", OVERDUE)
        self.sector.currentIndexChanged.connect(self._filter_changed)
        self.status.currentIndexChanged.connect(self._filter_changed)
        self.shown = QLabel()
        self.shown.setObjectName("muted")
        self.chase = QPushButton("Copy chase list")
        self.chase.setToolTip(
            "Copy the agencies that have not returned a form for this period, with their contacts, to paste "
            "into an email or a spreadsheet"
        )
        self.chase.clicked.connect(self.copy_chase_list)
        self.open_button = QPushButton("Open return")
        self.open_button.clicked.connect(self.open_selected)

        self.model = CycleModel(ws.profile, self)
        self.proxy = CycleFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        setup_table(self.table, "Returns of the period, by agency and form")
        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)

        filters = QHBoxLayout()
        filters.addWidget(labelled("&Sector:", self.sector))
        filters.addWidget(self.sector)
        filters.addSpacing(12)
        filters.addWidget(labelled("St&atus:", self.status))
        filters.addWidget(self.status)
        filters.addSpacing(12)
        filters.addWidget(self.shown)
        filters.addStretch(1)
        filters.addWidget(self.chase)
        filters.addWidget(self.open_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self.setFocusProxy(self.table)

    def set_period(self, period: str) -> None:
        self.period = period
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        if not self.period:
            self.model.set_rows([])
            self.counts.setText("No reporting period yet: install a form definition or import a return.")
            return
        # Section 11 first, as the board report puts it.
        forms = {
            f.id: f for f in sorted(review.forms_for(self.ws, self.period), key=lambda f: f.kind != SELF_ASSESSMENT)
        }
        signed_by = {
            r.id: f"{r.signatory_name}, {r.signatory_role}" for r in review.list_received(self.ws, period=self.period)
        }
        lines = [
            CycleLine(
                row=row,
                form_title=forms[row.form_id].short_title if row.form_id in forms else row.form_id,
                signed_by=signed_by.get(row.received_id, "") if row.received_id else "",
                deadline=forms[row.form_id].deadline if row.form_id in forms else None,
            )
            for row in review.cycle(self.ws, self.period)
        ]
        self.model.profile = self.ws.profile
        self.model.set_rows(lines)
        self.counts.setText(self._counts_html(lines, forms))
        self._update_shown()
        self._update_buttons()

    def _counts_html(self, lines: list[CycleLine], forms: dict) -> str:
        agencies = len({line.row.agency_id for line in lines})
        parts = []
        for form_id, form in forms.items():
            mine = [line.row for line in lines if line.row.form_id == form_id]
            by_status = Counter(r.status for r in mine)
            returned = len(mine) - by_status["not_received"]
            overdue = sum(1 for r in mine if r.overdue)
            detail = [
                f"{by_status['accepted']} accepted",
                f"{by_status['has_issues']} with issues",
                f"{by_status['received']} to review",
            ]
            deadline = f"deadline {long_date(form.deadline)}" if form.deadline else "no deadline"
            late = (
                f"; <span style='color:{OVERDUE_COLOUR}'><b>{overdue} overdue</b></span>"
                if overdue
                else "; none overdue"
            )
            parts.append(
                f"<b style='font-size:13pt'>{returned} of {agencies}</b> agencies returned the "
                f"<b>{form.title}</b> for {self.period} ({', '.join(detail)}) — {deadline}{late}."
            )
        if not parts:
            return f"No forms are installed for {self.period}."
        return "<br>".join(parts)

    def _update_shown(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        self.shown.setText(f"Showing {shown} of {total}" if shown != total else f"{total} rows")

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.selected_received_id() is not None)

    @Slot()
    def _filter_changed(self) -> None:
        self.proxy.set_filter(self.sector.currentData() or "", self.status.currentData() or "")
        self._update_shown()
        self._update_buttons()

    def selected_received_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        line: CycleLine = rows[0].data(ROW_ROLE)
        return line.row.received_id

    @Slot()
    def open_selected(self) -> None:
        received_id = self.selected_received_id()
        if received_id is not None:
            self.sig_open_return.emit(received_id)

    @Slot(QModelIndex)
    def _activated(self, index: QModelIndex) -> None:
        line: CycleLine = index.data(ROW_ROLE)
        if line is not None and line.row.received_id is not None:
            self.sig_open_return.emit(line.row.received_id)

    def chase_list(self) -> str:
        """Tab-separated: agency, contact, email, the forms not received (one line per agency)."""
        missing: dict[int, list[str]] = {}
        for line in self.model.rows:
            if line.row.status == "not_received":
                missing.setdefault(line.row.agency_id, []).append(line.form_title)
        contacts = {a.id: a for a in registry.list_agencies(self.ws)}
        out = ["Agency\tContact\tEmail\tNot yet received"]
        for agency_id, titles in missing.items():
            a = contacts.get(agency_id)
            if a is not None:
                out.append(f"{a.name}\t{a.contact_name}\t{a.contact_email}\t{', '.join(titles)}")
        return "\n".join(out)

    @Slot()
    def copy_chase_list(self) -> None:
        text = self.chase_list()
        QGuiApplication.clipboard().setText(text)
        count = text.count("\n")
        self.sig_message.emit(f"Copied {count} agencies that have not returned everything for {self.period}.")
