"""Year on year: one agency's level for each standard in every period it returned Section 11."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from oscb_desktop.forms.known import SELF_ASSESSMENT
from oscb_desktop.services import review
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.business_unit.common import CollationError, Collations, labelled, setup_table, sorting_proxy
from oscb_desktop.ui.business_unit.matrix import RatingDelegate
from oscb_desktop.ui.business_unit.models import StandardHistory, YearOnYearModel


class YearOnYearPage(QWidget):
    def __init__(self, ws: Workspace, collations: Collations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.collations = collations
        self.agency = QComboBox()
        self.agency.setAccessibleName("Agency")
        self.agency.setMinimumContentsLength(40)
        self.agency.currentIndexChanged.connect(lambda _i: self.show_agency())
        self.explain = QLabel(
            "The agency's own level for each standard in each period (after a slash, the moderated level where "
            "there is one). Change compares the latest period with the agency's previous return: standards are "
            "matched by their id across form versions."
        )
        self.explain.setWordWrap(True)
        self.explain.setObjectName("muted")
        self.problem = QLabel()
        self.problem.setObjectName("warningBanner")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        self.model = YearOnYearModel(self)
        self.proxy = sorting_proxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        setup_table(self.table, "Ratings of the agency by standard and period")
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectItems)
        self.table.setItemDelegate(RatingDelegate(self.table))
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)

        top = QHBoxLayout()
        top.addWidget(labelled("&Agency:", self.agency))
        top.addWidget(self.agency)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.explain)
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 1)
        self.setFocusProxy(self.agency)

    @Slot()
    def refresh(self) -> None:
        chosen = self.agency.currentText()
        self_assessments = set(self.ws.forms.ids_of_kind(SELF_ASSESSMENT))
        names = sorted(
            {r.agency.name for r in review.list_received(self.ws) if r.form_id in self_assessments}, key=str.casefold
        )
        self.agency.blockSignals(True)
        self.agency.clear()
        self.agency.addItems(names)
        if chosen in names:
            self.agency.setCurrentText(chosen)
        self.agency.blockSignals(False)
        self.show_agency()

    def choose(self, agency: str) -> None:
        self.agency.setCurrentText(agency)

    @Slot()
    def show_agency(self) -> None:
        name = self.agency.currentText()
        if not name:
            self.model.set_history([], [])
            return
        periods = sorted(review.periods(self.ws))  # oldest first, as people read a row
        try:
            collations = {p: self.collations(p) for p in periods}
        except CollationError as exc:
            self.problem.setText(str(exc))
            self.problem.setVisible(True)
            self.model.set_history([], [])
            return
        self.problem.setVisible(False)
        periods = [p for p in periods if collations[p].standards]
        standards: dict[str, tuple[str, str]] = {}
        for period in reversed(periods):  # the newest form's codes and titles win
            for s in collations[period].standards:
                standards.setdefault(s.id, (s.code, s.title))
        rows = []
        for standard_id, (code, title) in standards.items():
            cells = []
            for period in periods:
                row = next((r for r in collations[period].matrix if r.agency == name), None)
                cells.append(row.cell(standard_id) if row is not None and row.returned else None)
            rows.append(StandardHistory(standard_id, code, title, tuple(cells)))
        self.model.set_history(periods, rows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        for column in range(1, self.model.columnCount()):
            self.table.setColumnWidth(column, max(self.table.columnWidth(column), 130))
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
