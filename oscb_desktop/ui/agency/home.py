"""Home of the agency workspace: whose returns are shown, the returns by period and form, and
"Start the 2026/27 return"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop import dates
from oscb_desktop.forms import FormDefinition
from oscb_desktop.services import agencies, returns
from oscb_desktop.services.returns import ReturnSummary
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.agency.profile import ProfileDialog
from oscb_desktop.ui.table_model import OVERDUE_COLOUR, ROW_ROLE, SORT_ROLE, TableModel

_Index = QModelIndex | QPersistentModelIndex


class ReturnsTableModel(TableModel):
    """Returns of one agency: period, form, version, status, completion, deadline, last change."""

    HEADERS = ("Period", "Form", "Version", "Status", "Complete", "Deadline", "Last saved")
    SUMMARY_ROLE = ROW_ROLE

    def cell(self, r: ReturnSummary, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            status = r.status_label + (" — overdue" if r.overdue else "")
            return (
                r.period,
                r.form_title,
                f"v{r.version}",
                status,
                f"{r.percent_complete}%",
                dates.day_short(r.deadline),
                dates.day_short(r.updated_at),
            )[col]
        if role == SORT_ROLE:
            return (
                r.period,
                r.form_title,
                r.version,
                r.status_label,
                r.percent_complete,
                r.deadline.isoformat() if r.deadline else "",
                r.updated_at,
            )[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == 3 and r.overdue:
            return QColor(OVERDUE_COLOUR)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class HomePage(QWidget):
    sig_open_return = Signal(str)
    """Open a return in the editor (submission id)."""

    sig_profiles_changed = Signal()
    """A profile was added or edited, or another one chosen."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.heading = QLabel()
        self.heading.setObjectName("homeHeading")
        self.profile_choice = QComboBox()
        self.profile_choice.setAccessibleName("Whose returns are shown")
        self.profile_choice.activated.connect(self._profile_chosen)
        self.edit_profile = QPushButton("Edit profile…")
        self.new_profile = QPushButton("New profile…")
        self.new_profile.setToolTip("Add another agency or service whose returns you complete")
        self.edit_profile.clicked.connect(self.edit_current_profile)
        self.new_profile.clicked.connect(self.add_profile)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(QLabel("Showing:"))
        top.addWidget(self.profile_choice)
        top.addWidget(self.edit_profile)
        top.addWidget(self.new_profile)

        self.form_errors = QLabel()
        self.form_errors.setObjectName("warningBanner")
        self.form_errors.setWordWrap(True)
        self.form_errors.setVisible(False)

        self.start_row = QHBoxLayout()
        self.start_buttons: list[QPushButton] = []

        self.model = ReturnsTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Returns")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setAlternatingRowColors(True)
        self.table.activated.connect(self._open_index)
        self.open_button = QPushButton("Open return")
        self.open_button.clicked.connect(self.open_selected)
        self.empty = QLabel()
        self.empty.setObjectName("muted")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.form_errors)
        layout.addLayout(self.start_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.open_button)
        layout.addLayout(bottom)
        self.setFocusProxy(self.table)
        self.refresh()

    @property
    def current_period(self) -> str | None:
        periods = self.ws.forms.periods()
        return periods[-1] if periods else None

    def show_form_errors(self, errors: list[Exception]) -> None:
        if not errors:
            self.form_errors.setVisible(False)
            return
        lines = "<br>".join(f"• {str(e).replace('<', '&lt;')}" for e in errors)
        self.form_errors.setText(
            f"<b>{len(errors)} form definition(s) could not be loaded and are left out.</b> "
            f"Ask whoever supplied them for a corrected file.<br>{lines}"
        )
        self.form_errors.setVisible(True)

    @Slot()
    def refresh(self) -> None:
        agency = agencies.current_agency(self.ws)
        self.profile_choice.clear()
        for a in agencies.list_agencies(self.ws):
            self.profile_choice.addItem(a.name, a.id)
        if agency is None:
            self.heading.setText("<h2>No agency profile yet</h2>")
            self.model.set_rows([])
            return
        self.profile_choice.setCurrentIndex(max(0, self.profile_choice.findData(agency.id)))
        sector = self.ws.profile.sector_label(agency.sector) if agency.sector else ""
        self.heading.setText(
            f"<h2 style='margin:0'>Returns of {agency.name}</h2><span>{sector}"
            + (f" · safeguarding lead {agency.lead_name}" if agency.lead_name else "")
            + "</span>"
        )
        rows = returns.list_returns(self.ws, agency.id)
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.empty.setText("" if rows else "No returns yet: start one with the button above.")
        self.empty.setVisible(not rows)
        if rows and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self._refresh_start_buttons(agency.id)

    def _refresh_start_buttons(self, agency_id: int) -> None:
        for b in self.start_buttons:
            b.hide()
            b.deleteLater()
        self.start_buttons = []
        while self.start_row.count():
            self.start_row.takeAt(0)
        period = self.current_period
        if period is None:
            return
        for form in self.ws.forms.for_period(period):
            if returns.current_return(self.ws, agency_id, form.id, period) is not None:
                continue
            button = QPushButton(f"Start the {period} {form.short_title} return")
            button.setObjectName("primary")
            button.clicked.connect(lambda _c=False, f=form: self.start_return(f))
            self.start_row.addWidget(button)
            self.start_buttons.append(button)
        self.start_row.addStretch(1)

    def start_return(self, form: FormDefinition, carry_forward: bool | None = None) -> str | None:
        """Start a return; ask about carrying last period forward when there is something to carry."""
        agency = agencies.current_agency(self.ws)
        if agency is None:
            return None
        previous = returns.previous_return(self.ws, agency.id, form.id, form.period)
        if carry_forward is None:
            carry_forward = False
            if previous is not None:
                box = QMessageBox(self)
                box.setWindowTitle("Carry forward last period's answers?")
                box.setText(
                    f"{agency.name} has a {previous.period} {form.short_title} return. Carry its answers, "
                    "evidence and open actions forward into the new return?"
                )
                box.setInformativeText(
                    "Each carried answer is marked so you can review it, change what is out of date, "
                    "and confirm the rest."
                )
                carry = box.addButton("Carry forward", QMessageBox.ButtonRole.AcceptRole)
                box.addButton("Start empty", QMessageBox.ButtonRole.DestructiveRole)
                cancel = box.addButton(QMessageBox.StandardButton.Cancel)
                box.setDefaultButton(carry)
                box.exec()
                if box.clickedButton() is cancel:
                    return None
                carry_forward = box.clickedButton() is carry
        try:
            sub = returns.start_return(self.ws, agency.id, form.id, form.period, carry_forward=carry_forward)
        except returns.ReturnError as exc:
            QMessageBox.warning(self, "Return not started", str(exc))
            return None
        self.refresh()
        self.sig_open_return.emit(sub.id)
        return str(sub.id)

    def selected(self) -> ReturnSummary | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        summary: ReturnSummary = self.proxy.data(rows[0], ReturnsTableModel.SUMMARY_ROLE)
        return summary

    @Slot()
    def open_selected(self) -> None:
        summary = self.selected()
        if summary is not None:
            self.sig_open_return.emit(summary.id)

    @Slot(QModelIndex)
    def _open_index(self, index: QModelIndex) -> None:
        summary = self.proxy.data(index, ReturnsTableModel.SUMMARY_ROLE)
        if summary is not None:
            self.sig_open_return.emit(summary.id)

    @Slot(int)
    def _profile_chosen(self, index: int) -> None:
        agency_id = self.profile_choice.itemData(index)
        if agency_id is not None:
            agencies.set_current_agency(self.ws, agency_id)
            self.refresh()
            self.sig_profiles_changed.emit()

    @Slot()
    def edit_current_profile(self) -> None:
        agency = agencies.current_agency(self.ws)
        if agency is not None and ProfileDialog(self.ws, agency, self).exec():
            self.refresh()
            self.sig_profiles_changed.emit()

    @Slot()
    def add_profile(self) -> None:
        dialog = ProfileDialog(self.ws, None, self)
        if dialog.exec() and dialog.saved_id is not None:
            agencies.set_current_agency(self.ws, dialog.saved_id)
            self.refresh()
            self.sig_profiles_changed.emit()
