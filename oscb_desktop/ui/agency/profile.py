"""The agency profile: on first run as a welcome page, later as a dialog (new or edit)."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.bundle.trust import normalise_agency_name
from oscb_desktop.partnership import Partnership
from oscb_desktop.services import agencies, registry
from oscb_desktop.services.values import AgencyInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.common import ask, html


class ProfileForm(QWidget):
    """Name (the partnership's agencies offered, any name allowed), sector, services, safeguarding lead."""

    def __init__(self, profile: Partnership, agency: AgencyInfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: The partnership whose members and sectors are offered (the workspace's, ``ws.profile``).
        self.profile = p = profile
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name.addItem("")
        for name, sector in p.agencies:
            self.name.addItem(name, sector)
        completer = QCompleter([n for n, _ in p.agencies], self.name)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.name.setCompleter(completer)
        name_edit = self.name.lineEdit()
        assert name_edit is not None  # an editable combo box has one
        name_edit.setPlaceholderText("Choose your agency or type its name")
        self.name.currentIndexChanged.connect(self._name_chosen)
        name_edit.editingFinished.connect(self._name_typed)
        self.sector = QComboBox()
        # No sector is chosen for the user: a member's name brings its own, any other name needs a choice.
        self.sector.addItem("Choose the sector…", None)
        for sid, label in p.sectors.items():
            self.sector.addItem(label, sid)
        self.services = QPlainTextEdit()
        self.services.setTabChangesFocus(True)
        self.services.setPlaceholderText("e.g. Children's social care, early help, adult social care")
        self.services.setFixedHeight(70)
        self.lead_name = QLineEdit()
        self.lead_email = QLineEdit()
        self.lead_email.setPlaceholderText("name@agency.org.uk")
        self.lead_phone = QLineEdit()
        form = QFormLayout(self)
        form.addRow("Agency &name", self.name)
        form.addRow("&Sector", self.sector)
        form.addRow("Services &covered", self.services)
        form.addRow("Safeguarding &lead", self.lead_name)
        form.addRow("Lead's &email", self.lead_email)
        form.addRow("Lead's &phone", self.lead_phone)
        for widget, name in (
            (self.name, "Agency name"),
            (self.sector, "Sector"),
            (self.services, "Services covered"),
            (self.lead_name, "Safeguarding lead's name"),
            (self.lead_email, "Safeguarding lead's email"),
            (self.lead_phone, "Safeguarding lead's phone"),
        ):
            widget.setAccessibleName(name)
        if agency is not None:
            self.name.setCurrentText(agency.name)
            self.sector.setCurrentIndex(max(0, self.sector.findData(agency.sector)))
            self.services.setPlainText(agency.services)
            self.lead_name.setText(agency.lead_name)
            self.lead_email.setText(agency.lead_email)
            self.lead_phone.setText(agency.lead_phone)

    @Slot(int)
    def _name_chosen(self, index: int) -> None:
        sector = self.name.itemData(index)
        if sector:
            self.sector.setCurrentIndex(max(0, self.sector.findData(sector)))

    @Slot()
    def _name_typed(self) -> None:
        """A member's name typed in full (in any case or spacing) is that member: its exact name and sector."""
        member = self.member(self.name.currentText())
        if member is not None:
            self.name.setCurrentIndex(self.name.findText(member[0]))

    def member(self, name: str) -> tuple[str, str] | None:
        """The partnership member with this name (compared ignoring case and spacing), or None."""
        key = normalise_agency_name(name)
        return next((m for m in self.profile.agencies if normalise_agency_name(m[0]) == key), None)

    def problem(self) -> str:
        """What stops the profile being saved as it is, or "" (the name not being a member is asked apart)."""
        values = self.values()
        if not values["name"]:
            return "Enter your agency's name, or choose it from the partnership's members."
        if not values["sector"]:
            return "Choose your agency's sector: the Business Unit groups the returns by sector."
        return ""

    def confirm_name(self, parent: QWidget, on_confirmed: Callable[[], None]) -> None:
        """Run ``on_confirmed`` at once for a partnership member; for any other name, ask first."""
        name = self.values()["name"]
        if self.member(name) is not None:
            on_confirmed()
            return
        names = [n for n, _ in self.profile.agencies]
        key = normalise_agency_name(name)
        near = [n for n in names if key and key in normalise_agency_name(n)]
        near += [n for n in difflib.get_close_matches(name, names, n=3, cutoff=0.6) if n not in near]
        near = near[:3]
        hint = f" Did you mean {' or '.join(near)}?" if near else ""
        ask(
            parent,
            "Not a member of the partnership",
            f"“{name}” is not one of {self.profile.name}'s member agencies. Create a profile with this name anyway?",
            "The Business Unit registers each agency under the name its returns carry, so a name that differs from "
            f"the partnership's list makes a new agency on its register.{hint}",
            "Create it anyway",
            on_confirmed,
            icon=QMessageBox.Icon.Warning,
        )

    def values(self) -> dict[str, str]:
        return {
            "name": self.name.currentText().strip(),
            "sector": self.sector.currentData() or "",
            "services": self.services.toPlainText().strip(),
            "lead_name": self.lead_name.text().strip(),
            "lead_email": self.lead_email.text().strip(),
            "lead_phone": self.lead_phone.text().strip(),
        }


class WelcomePage(QWidget):
    """First run: set up the agency profile."""

    sig_profile_created = Signal(int)
    """A profile was created (agency id)."""

    sig_business_unit_chosen = Signal()
    """The workspace became the Business Unit's (the window switches to its workspace)."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        title = QLabel(f"<h1>Welcome to OSCB Desktop</h1><p>{html(ws.profile.name)}</p>")
        intro = QLabel(
            "Set up your agency's profile to start its Section 11 self-assessment and annual impact "
            "assessment. Everything you type is saved on this computer as you go; nothing is sent "
            "anywhere until you sign the return off and send it."
        )
        intro.setWordWrap(True)
        self.form = ProfileForm(ws.profile)
        self.error = QLabel()
        self.error.setObjectName("problem")
        self.error.setVisible(False)
        self.create_button = QPushButton("Create profile")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.submit)
        # This page is not a dialog, so Enter does not press the default button by itself: say so here.
        for line in (self.form.lead_name, self.form.lead_email, self.form.lead_phone):
            line.returnPressed.connect(self.submit)
        name_line = self.form.name.lineEdit()
        assert name_line is not None
        name_line.returnPressed.connect(self._enter_in_name)
        self._submit_queued = False
        self.business_unit = QPushButton("I work in the partnership's Business Unit…")
        self.business_unit.setFlat(True)
        self.business_unit.setCursor(Qt.CursorShape.PointingHandCursor)
        # Styled here, not in app.qss: one link-like button, on this page only.
        self.business_unit.setStyleSheet(
            "QPushButton { color: #1d4ed8; text-decoration: underline; border: none; padding: 2px 0; }"
            "QPushButton:focus { border: 1px dotted #1d4ed8; }"
        )
        self.business_unit.setToolTip(
            "Use this workspace to import, check and collate the returns that agencies send to the Business Unit"
        )
        self.business_unit.clicked.connect(self.ask_business_unit)
        self.question: QMessageBox | None = None
        box = QWidget()
        box.setMaximumWidth(720)
        col = QVBoxLayout(box)
        col.addWidget(title)
        col.addWidget(intro)
        col.addWidget(self.form)
        col.addWidget(self.error)
        col.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignRight)
        col.addSpacing(24)
        other = QLabel("Not filling in returns for an agency?")
        other.setObjectName("muted")
        col.addWidget(other)
        col.addWidget(self.business_unit, 0, Qt.AlignmentFlag.AlignLeft)
        col.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        self.setFocusProxy(self.form.name)

    @Slot()
    def _enter_in_name(self) -> None:
        completer = self.form.name.completer()
        popup = completer.popup() if completer is not None else None
        if popup is not None and popup.isVisible():
            return  # Enter picks the completion first
        # The combo box hands an unused Enter back to its line edit, which reports it a second time: submit once,
        # after the key press has been dealt with.
        if not self._submit_queued:
            self._submit_queued = True
            QTimer.singleShot(0, self._queued_submit)

    @Slot()
    def _queued_submit(self) -> None:
        self._submit_queued = False
        self.form._name_typed()
        self.submit()

    @Slot()
    def submit(self) -> None:
        problem = self.form.problem()
        if problem:
            self._show(problem)
            return
        self.form.confirm_name(self, self._create)

    def _create(self) -> None:
        try:
            agency = agencies.create_agency(self.ws, **self.form.values())
        except agencies.ProfileError as exc:
            self._show(str(exc))
            return
        self.error.setVisible(False)
        self.sig_profile_created.emit(agency.id)

    def _show(self, problem: str) -> None:
        self.error.setText(f"⚠ {problem}")
        self.error.setVisible(True)

    @Slot()
    def ask_business_unit(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Use this workspace for the Business Unit?",
            "This workspace will hold the returns that the partnership's agencies send you: you import their "
            "signed bundles, review and moderate them, and write the board report.",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setInformativeText(
            "An agency's own returns cannot be kept in it. To fill in a return for an agency, start the app "
            "with another workspace folder."
        )
        accept = box.addButton("Use it for the Business Unit", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def finished(_result: int) -> None:
            self.question = None
            if box.clickedButton() is accept:
                self.become_business_unit()

        box.finished.connect(finished)
        self.question = box
        box.open()

    def become_business_unit(self) -> None:
        registry.become_business_unit(self.ws)
        self.sig_business_unit_chosen.emit()


class ProfileDialog(QDialog):
    """New or edit profile."""

    def __init__(self, ws: Workspace, agency: AgencyInfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.agency = agency
        self.setWindowTitle("Edit agency profile" if agency else "New agency or service profile")
        self.form = ProfileForm(ws.profile, agency)
        self.error = QLabel()
        self.error.setObjectName("problem")
        self.error.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.saved_id: int | None = None

    def accept(self) -> None:
        problem = self.form.problem()
        if problem:
            self.error.setText(f"⚠ {problem}")
            self.error.setVisible(True)
            return
        if self.agency is None:
            self.form.confirm_name(self, self._save)
        else:
            self._save()

    def _save(self) -> None:
        try:
            if self.agency is None:
                self.saved_id = agencies.create_agency(self.ws, **self.form.values()).id
            else:
                self.saved_id = agencies.update_agency(self.ws, self.agency.id, **self.form.values()).id
        except agencies.ProfileError as exc:
            self.error.setText(f"⚠ {exc}")
            self.error.setVisible(True)
            return
        super().accept()
