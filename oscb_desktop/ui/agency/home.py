"""Home of the agency workspace: whose returns are shown, the returns by period and form, and
"Start the 2026/27 return".

Once the workspace has joined partnerships, the returns are grouped by the partnership each is addressed to (a
heading row with its name, pack version and contact), and each partnership has its own "Start" buttons for the
forms of its pack. Starting a return for one partnership offers the answers of the agency's return of the same
period for another ("answer once"), each copied answer marked for review like carry-forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont
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
from oscb_desktop.services import agencies, feedback_received, partnerships, returns
from oscb_desktop.services.returns import ReturnSummary
from oscb_desktop.services.values import PartnershipInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.agency.profile import ProfileDialog
from oscb_desktop.ui.common import keep_until_closed
from oscb_desktop.ui.table_model import OVERDUE_COLOUR, ROW_ROLE, SORT_ROLE, TableModel

_Index = QModelIndex | QPersistentModelIndex


#: A partnership's heading row among the returns.
HEADING_TEXT = "#1f2937"
HEADING_BACKGROUND = "#e5e7eb"


@dataclass(frozen=True)
class GroupHeading:
    """A row naming the partnership the returns under it are addressed to."""

    text: str


def heading_text(p: PartnershipInfo | None, count: int) -> str:
    if p is None:
        return "Returns not addressed to a partnership"
    contact = f" · contact: {p.contact}" if p.contact else ""
    empty = " · no returns yet" if count == 0 else ""
    return f"{p.name} ({p.short_name}) · pack version {p.pack_version}{contact}{empty}"


class ReturnsTableModel(TableModel):
    """Returns of one agency: period, form, version, status, completion, deadline, last change; in a workspace
    that joined partnerships, under a heading row per partnership."""

    HEADERS = ("Period", "Form", "Version", "Status", "Complete", "Deadline", "Last saved")
    SUMMARY_ROLE = ROW_ROLE
    #: The returns the partnership's feedback was received on (marked in the Status column).
    with_feedback: frozenset[str] = frozenset()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and isinstance(self.rows[index.row()], GroupHeading):
            heading = self.rows[index.row()]
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return heading.text
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ForegroundRole:  # not the faded text of a disabled row: it is a heading
                return QColor(HEADING_TEXT)
            if role == Qt.ItemDataRole.BackgroundRole:
                return QColor(HEADING_BACKGROUND)
            if role == Qt.ItemDataRole.SizeHintRole:  # it spans the row: the Period column keeps its own width
                return QSize(1, 1)
            return None
        return super().data(index, role)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if index.isValid() and isinstance(self.rows[index.row()], GroupHeading):
            return Qt.ItemFlag.NoItemFlags  # not selectable, skipped by the arrow keys
        return super().flags(index)

    def cell(self, r: ReturnSummary, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            status = r.status_label + (" — overdue" if r.overdue else "")
            status += " · feedback received" if r.id in self.with_feedback else ""
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
        #: Start buttons per partnership (short name: label and buttons), once partnerships were joined.
        self.partnership_starts = QVBoxLayout()
        self.partnership_labels: list[QLabel] = []
        self.grouped = False

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
        layout.addLayout(self.partnership_starts)
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
        self.model.with_feedback = frozenset(feedback_received.returns_with_feedback(self.ws))
        joined = [p for p in partnerships.list_partnerships(self.ws) if not p.own]
        self._set_grouped(bool(joined))
        self.model.set_rows(self._grouped_rows(rows, joined) if joined else rows)
        self.table.clearSpans()
        for r in range(self.proxy.rowCount()):
            if self.proxy.data(self.proxy.index(r, 0), ReturnsTableModel.SUMMARY_ROLE) is None:
                self.table.setSpan(r, 0, 1, self.proxy.columnCount())
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.empty.setText("" if rows else "No returns yet: start one with the button above.")
        self.empty.setVisible(not rows)
        if rows and not self.table.selectionModel().hasSelection():
            self.table.selectRow(self._first_return_row())
        self._refresh_start_buttons(agency.id)
        self._refresh_partnership_starts(agency.id, joined)

    def _set_grouped(self, grouped: bool) -> None:
        """Grouped rows keep their order (a click on a column would scatter the groups)."""
        if grouped == self.grouped:
            return
        self.grouped = grouped
        self.table.setSortingEnabled(not grouped)
        if grouped:
            self.proxy.sort(-1)

    def _grouped_rows(self, rows: list[ReturnSummary], joined: list[PartnershipInfo]) -> list[object]:
        by_partnership: dict[str | None, list[ReturnSummary]] = {}
        for r in rows:  # the summary does not say; the return does
            by_partnership.setdefault(returns.get_submission(self.ws, r.id).partnership_id, []).append(r)
        out: list[object] = []
        for p in joined:
            mine = by_partnership.pop(p.id, [])
            out += [GroupHeading(heading_text(p, len(mine))), *mine]
        rest = [r for group in by_partnership.values() for r in group]
        if rest:
            out += [GroupHeading(heading_text(None, len(rest))), *rest]
        return out

    def _first_return_row(self) -> int:
        for r in range(self.proxy.rowCount()):
            if self.proxy.data(self.proxy.index(r, 0), ReturnsTableModel.SUMMARY_ROLE) is not None:
                return r
        return 0

    def _refresh_start_buttons(self, agency_id: int) -> None:
        for b in self.start_buttons:
            b.hide()
            b.deleteLater()
        self.start_buttons = []
        while self.start_row.count():
            self.start_row.takeAt(0)
        period = self.current_period
        if period is None or self.grouped:  # in partnerships, each partnership offers its own forms
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

    def _refresh_partnership_starts(self, agency_id: int, joined: list[PartnershipInfo]) -> None:
        """A row per joined partnership: its short name and a Start button per form of its newest period."""
        for label in self.partnership_labels:
            label.hide()
            label.deleteLater()
        self.partnership_labels = []
        while self.partnership_starts.count():
            item = self.partnership_starts.takeAt(0)
            row = item.layout() if item is not None else None
            while row is not None and row.count():
                row.takeAt(0)
        for p in joined:
            offered = returns.offered_forms(self.ws, None, p.id)
            if not offered:
                continue
            period = max(f.period for f in offered)
            to_start = [
                f
                for f in offered
                if f.period == period and returns.current_return(self.ws, agency_id, f.id, period, p.id) is None
            ]
            if not to_start:
                continue
            row = QHBoxLayout()
            label = QLabel(f"<b>{p.short_name}:</b>")
            label.setToolTip(p.name)
            row.addWidget(label)
            self.partnership_labels.append(label)
            for form in to_start:
                button = QPushButton(f"Start the {period} {form.short_title} return")
                button.setObjectName("primary")
                button.setAccessibleName(f"Start the {period} {form.short_title} return for {p.name}")
                button.clicked.connect(lambda _c=False, f=form, info=p: self.start_partnership_return(info, f))
                row.addWidget(button)
                self.start_buttons.append(button)
            row.addStretch(1)
            self.partnership_starts.addLayout(row)

    def start_partnership_return(self, p: PartnershipInfo, form: FormDefinition) -> QMessageBox | None:
        """Start a return addressed to ``p``; first offer the answers of the same period's return for another
        partnership, when there is one (Yes: copy them; No: carry last period forward as usual)."""
        agency = agencies.current_agency(self.ws)
        if agency is None:
            return None
        sources = returns.copy_sources(self.ws, agency.id, form, p.id)
        if not sources:
            self.start_return(form, partnership_id=p.id)
            return None
        source = sources[0]
        other = partnerships.get(self.ws, source.partnership_id) if source.partnership_id else None
        short = other.short_name if other is not None else "other"
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Answer once?",
            f"Copy the answers of your {short} return?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(
            f"{agency.name} has a {source.period} return for {short}. Each copied answer, evidence file and open "
            f"action is marked for you to review for {p.short_name}. No: start from last period's return instead."
        )
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            choice = box.standardButton(box.clickedButton())
            if choice == QMessageBox.StandardButton.Yes:
                self.start_return(form, partnership_id=p.id, copy_from=source.id)
            elif choice == QMessageBox.StandardButton.No:
                self.start_return(form, partnership_id=p.id)

        box.finished.connect(answered)
        keep_until_closed(box)
        box.open()
        return box

    def start_return(
        self,
        form: FormDefinition,
        carry_forward: bool | None = None,
        *,
        partnership_id: str | None = None,
        copy_from: str | None = None,
    ) -> str | None:
        """Start a return; ask about carrying last period forward when there is something to carry (unless the
        answers are copied from another partnership's return, ``copy_from``)."""
        agency = agencies.current_agency(self.ws)
        if agency is None:
            return None
        previous = returns.previous_return(self.ws, agency.id, form.id, form.period)
        if copy_from is not None:
            carry_forward = False
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
            sub = returns.start_return(
                self.ws,
                agency.id,
                form.id,
                form.period,
                carry_forward=carry_forward,
                partnership_id=partnership_id,
                copy_from=copy_from,
            )
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
