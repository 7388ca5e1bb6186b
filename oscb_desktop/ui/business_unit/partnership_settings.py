"""Business Unit ▸ Partnership settings…: the partnership's profile, the Business Unit's fingerprint, the forms in
use with their periods and deadlines, and publishing the signed pack.

The profile is saved with Save (Enter); a change to the forms (added, removed, a deadline) is kept at once, as the
message under the list says. Publishing unlocks the key and writes the pack in a background job.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop import datafiles, dates
from oscb_desktop.forms import FormDefinition, FormDefinitionError
from oscb_desktop.forms.loader import load_text
from oscb_desktop.services import partnership_admin, partnerships
from oscb_desktop.services.partnership_admin import PartnershipAdminError, PublishResult
from oscb_desktop.services.values import PartnershipFormInfo, PartnershipInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import IdentityError
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.business_unit.partnership_setup import line, problem_label, say
from oscb_desktop.ui.common import FingerprintView, ask, fit_height, message
from oscb_desktop.ui.ops import Job, show_error
from oscb_desktop.ui.signing.identity_dialog import hint, password_field

PACK_FILTER = "Partnership packs (*.oscbpack)"
FORM_FILTER = "Form definitions (*.yaml *.yml)"


def button(text: str, accessible_name: str = "") -> QPushButton:
    """A push button that Enter does not press (Enter saves the dialog)."""
    b = QPushButton(text)
    b.setAutoDefault(False)
    if accessible_name:
        b.setAccessibleName(accessible_name)
    return b


def deadline_edit(accessible_name: str, value: date | None) -> tuple[QDateEdit, QCheckBox]:
    """A date picker and a "No deadline" box beside it."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMM yyyy")
    edit.setAccessibleName(accessible_name)
    none = QCheckBox("No deadline")
    none.setAccessibleName("No deadline")
    none.toggled.connect(lambda checked: edit.setEnabled(not checked))
    set_deadline(edit, none, value)
    return edit, none


def set_deadline(edit: QDateEdit, none: QCheckBox, value: date | None) -> None:
    if value is not None:
        edit.setDate(QDate(value.year, value.month, value.day))
    none.setChecked(value is None)


def chosen_deadline(edit: QDateEdit, none: QCheckBox) -> date | None:
    if none.isChecked():
        return None
    d = edit.date()
    return date(d.year(), d.month(), d.day())


class SettingsDialog(QDialog):
    """The partnership of this Business Unit workspace: profile, fingerprint, forms, publishing."""

    FORM_HEADERS = ("Form", "Id", "Version", "Period", "Deadline")

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        info = partnerships.own(ws)
        if info is None:
            raise PartnershipAdminError("This workspace has no partnership of its own yet: set one up first.")
        self.info: PartnershipInfo = info
        self.setWindowTitle(f"Partnership settings — {info.short_name}")
        self.setMinimumWidth(640)

        self.name = line("Partnership name")
        self.short_name = line("Short name")
        self.short_name.setMaxLength(20)
        self.contact_name = line("Contact's name")
        self.contact_email = line("Contact's email")
        self.contact_phone = line("Contact's phone")
        profile = QGroupBox("Profile")
        form = QFormLayout(profile)
        form.addRow("&Name:", self.name)
        form.addRow("&Short name:", self.short_name)
        form.addRow("&Contact:", self.contact_name)
        form.addRow("&Email:", self.contact_email)
        form.addRow("&Phone:", self.contact_phone)

        self.fingerprint = FingerprintView()
        self.fingerprint.text.setAccessibleName("The Business Unit's fingerprint (SHA-256)")
        key = QGroupBox("The Business Unit's signing key")
        key_layout = QVBoxLayout(key)
        key_layout.addWidget(self.fingerprint)
        key_layout.addWidget(
            hint(
                "Agencies compare this fingerprint with the pack they join: publish it where they can check it\n"
                "(your website, a letter, or read out on the phone)."
            )
        )

        self.forms = QTableWidget(0, len(self.FORM_HEADERS))
        self.forms.setHorizontalHeaderLabels(self.FORM_HEADERS)
        self.forms.setAccessibleName("Forms in use")
        self.forms.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.forms.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.forms.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.forms.verticalHeader().setVisible(False)
        self.forms.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.forms.itemSelectionChanged.connect(self._form_selected)
        self.deadline, self.no_deadline = deadline_edit("Deadline of the selected form", None)
        self.set_deadline_button = button("Set &deadline", "Set the deadline of the selected form")
        self.set_deadline_button.clicked.connect(self.save_deadline)
        self.add_form_button = button("&Add form…", "Add a form definition")
        self.add_form_button.clicked.connect(self.add_form)
        self.remove_form_button = button("&Remove form", "Remove the selected form")
        self.remove_form_button.clicked.connect(self.remove_form)
        deadline_row = QHBoxLayout()
        deadline_row.addWidget(QLabel("Deadline:"))
        deadline_row.addWidget(self.deadline)
        deadline_row.addWidget(self.no_deadline)
        deadline_row.addWidget(self.set_deadline_button)
        deadline_row.addStretch(1)
        deadline_row.addWidget(self.add_form_button)
        deadline_row.addWidget(self.remove_form_button)
        self.forms_note = QLabel()
        self.forms_note.setObjectName("muted")
        self.forms_note.setWordWrap(True)
        self.forms_note.setAccessibleName("What changed in the forms")
        forms_box = QGroupBox("Forms in use")
        forms_layout = QVBoxLayout(forms_box)
        forms_layout.addWidget(self.forms)
        forms_layout.addLayout(deadline_row)
        forms_layout.addWidget(self.forms_note)

        self.feedback = problem_label()
        self.publish_button = button("P&ublish pack…", "Publish the partnership pack")
        self.publish_button.clicked.connect(self.publish)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.publish_button, QDialogButtonBox.ButtonRole.ActionRole)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(profile)
        layout.addWidget(key)
        layout.addWidget(forms_box, 1)
        layout.addWidget(self.feedback)
        layout.addWidget(self.buttons)
        self._show_profile(info)
        self.refresh_forms()
        self.name.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def _show_profile(self, info: PartnershipInfo) -> None:
        self.name.setText(info.name)
        self.short_name.setText(info.short_name)
        self.contact_name.setText(info.contact_name)
        self.contact_email.setText(info.contact_email)
        self.contact_phone.setText(info.contact_phone)
        self.fingerprint.set_fingerprint(info.signer_fingerprint or "")

    # Forms --------------------------------------------------------------------------------------

    def form_rows(self) -> list[PartnershipFormInfo]:
        return [f for f in self.info.forms if f.active]

    def refresh_forms(self, select: tuple[str, str] | None = None) -> None:
        info = partnerships.own(self.ws)
        assert info is not None
        self.info = info
        rows = self.form_rows()
        self.forms.setRowCount(len(rows))
        for r, f in enumerate(rows):
            definition = self.ws.forms.forms.get((f.form_id, f.version))
            title = definition.short_title if definition is not None else f.form_id
            for c, text in enumerate((title, f.form_id, f.version, f.period, dates.day_short(f.deadline) or "none")):
                self.forms.setItem(r, c, QTableWidgetItem(text))
        self.forms.resizeColumnsToContents()
        self.forms.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        keys = [(f.form_id, f.version) for f in rows]
        if rows:
            self.forms.selectRow(keys.index(select) if select in keys else 0)
        self._form_selected()

    def selected_form(self) -> PartnershipFormInfo | None:
        rows = self.forms.selectionModel().selectedRows()
        forms = self.form_rows()
        return forms[rows[0].row()] if rows and rows[0].row() < len(forms) else None

    @Slot()
    def _form_selected(self) -> None:
        f = self.selected_form()
        for w in (self.deadline, self.no_deadline, self.set_deadline_button, self.remove_form_button):
            w.setEnabled(f is not None)
        if f is not None:
            set_deadline(self.deadline, self.no_deadline, f.deadline)
            self.deadline.setEnabled(f.deadline is not None)

    def _note(self, text: str) -> None:
        self.forms_note.setText(text)
        fit_height(self)

    @Slot()
    def save_deadline(self) -> None:
        f = self.selected_form()
        if f is None:
            return
        deadline = chosen_deadline(self.deadline, self.no_deadline)
        try:
            partnership_admin.set_deadline(self.ws, f.form_id, f.version, deadline)
        except PartnershipAdminError as exc:
            message(self, "Deadline not changed", str(exc), icon=QMessageBox.Icon.Warning)
            return
        self.refresh_forms((f.form_id, f.version))
        due = dates.day_long(deadline) if deadline else "no deadline"
        self._note(f"{f.form_id} {f.version} ({f.period}): {due}. Publish the pack to send the change.")

    @Slot()
    def add_form(self) -> AddFormDialog | None:
        path = file_dialogs.ask_open_file(self, "Add a form definition", FORM_FILTER)
        if path is None:
            return None
        dialog = AddFormDialog(self.ws, path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._form_added(dialog.result_text, dialog.key))
        dialog.open()
        return dialog

    def _form_added(self, text: str, key: tuple[str, str] | None) -> None:
        self.refresh_forms(key)
        self._note(text)

    @Slot()
    def remove_form(self) -> None:
        f = self.selected_form()
        if f is None:
            return
        ask(
            self,
            "Remove the form?",
            f"Remove {f.form_id} {f.version} ({f.period}) from {self.info.name}?",
            "The next pack you publish no longer offers it to the agencies. A form that returns were started or "
            "received on cannot be removed.",
            "Remove form",
            lambda: self._remove(f),
        )

    def _remove(self, f: PartnershipFormInfo) -> None:
        try:
            partnership_admin.remove_form(self.ws, f.form_id, f.version)
        except PartnershipAdminError as exc:
            message(self, "Form not removed", str(exc), icon=QMessageBox.Icon.Warning)
            return
        self.refresh_forms()
        self._note(f"{f.form_id} {f.version} removed. Publish the pack to send the change.")

    # Profile and publishing ---------------------------------------------------------------------

    def _profile_values(self) -> dict[str, str]:
        return {
            "name": self.name.text(),
            "short_name": self.short_name.text(),
            "contact_name": self.contact_name.text(),
            "contact_email": self.contact_email.text(),
            "contact_phone": self.contact_phone.text(),
        }

    def save_profile(self) -> bool:
        """Store the profile as typed; False (and the reason shown) if it was refused."""
        values = self._profile_values()
        if values == {k: getattr(self.info, k) for k in values}:
            return True
        try:
            self.info = partnership_admin.update_profile(self.ws, **values)
        except PartnershipAdminError as exc:
            say(self, self.feedback, str(exc))
            return False
        return True

    @Slot()
    def accept(self) -> None:
        if self.save_profile():
            super().accept()

    @Slot()
    def publish(self) -> PublishDialog | None:
        """The profile as typed is saved first: the pack carries what the dialog shows."""
        if not self.save_profile():
            return None
        stem = f"{self.info.short_name} partnership pack {self.info.pack_version + 1}"
        path = file_dialogs.ask_save_path(self, "Publish the partnership pack", stem, ".oscbpack", PACK_FILTER)
        if path is None:
            return None
        dialog = PublishDialog(self.ws, self.info, path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._published(dialog.published))
        dialog.open()
        return dialog

    def _published(self, result: PublishResult | None) -> None:
        if result is None:
            return
        self.refresh_forms()
        message(
            self,
            "Pack published",
            f"Version {result.pack_version} of the pack of {self.info.name} was written to\n{result.path}",
            informative=f"{result.forms} form(s), {result.members} member agencies. Send this file to the member "
            "agencies (File ▸ Join a partnership… in their app), with the fingerprint they compare it with.",
        )


class AddFormDialog(QDialog):
    """A form definition file chosen for the partnership: what it is, its period, and its deadline."""

    def __init__(self, ws: Workspace, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.path = path
        self.result_text = ""
        self.key: tuple[str, str] | None = None
        self.setWindowTitle("Add a form")
        self.form: FormDefinition | None = None
        problem = ""
        try:  # a form file is small; reading it here keeps the period on screen at once
            self.form = load_text(datafiles.read_text(path), source=str(path))
        except (FormDefinitionError, datafiles.DataFileError) as exc:
            problem = f"The form was not added: {exc}"
        what = QLabel()
        what.setWordWrap(True)
        what.setMinimumWidth(460)
        what.setTextFormat(Qt.TextFormat.PlainText)
        self.deadline, self.no_deadline = deadline_edit("Deadline", self.form.deadline if self.form else None)
        self.feedback = problem_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Add form")
        self.ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Period:", QLabel(self.form.period if self.form else "—"))
        row = QHBoxLayout()
        row.addWidget(self.deadline)
        row.addWidget(self.no_deadline)
        row.addStretch(1)
        form.addRow("&Deadline:", row)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addLayout(form)
        layout.addWidget(self.feedback)
        layout.addWidget(buttons)
        if self.form is not None:
            what.setText(f"{self.form.title} ({self.form.id} {self.form.version}), from {path.name}.")
            self.deadline.setFocus()
        else:
            what.setText(path.name)
            self._say(problem)
            self.ok.setEnabled(False)
            for w in (self.deadline, self.no_deadline):
                w.setEnabled(False)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    def _say(self, text: str) -> None:
        say(self, self.feedback, text)

    @Slot()
    def accept(self) -> None:
        if self.form is None:
            return
        deadline = chosen_deadline(self.deadline, self.no_deadline)
        try:
            self.result_text = partnership_admin.add_form(
                self.ws, self.path, period=self.form.period, deadline=deadline
            )
        except PartnershipAdminError as exc:
            self._say(str(exc))
            return
        self.key = self.form.key
        super().accept()


class PublishDialog(QDialog):
    """The passphrase of the Business Unit's key; the pack is then signed and written in the background.

    A wrong passphrase is said inline and the user tries again; nothing is written until it is right.
    """

    def __init__(self, ws: Workspace, info: PartnershipInfo, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.path = path
        self.published: PublishResult | None = None
        self.job: Job[PublishResult] | None = None
        self.setWindowTitle("Publish the partnership pack")
        text = QLabel(
            f"Publish version {info.pack_version + 1} of the pack of {info.name} to {path.name}.\n\n"
            "Enter the passphrase of the Business Unit's signing key."
        )
        text.setWordWrap(True)
        text.setMinimumWidth(460)
        self.passphrase = password_field("Passphrase of the Business Unit's signing key")
        self.feedback = problem_label()
        self.passphrase.sig_refused.connect(self._say)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Publish")
        ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Passphrase:", self.passphrase)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.feedback)
        layout.addWidget(buttons)
        self.passphrase.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    @Slot(str)
    def _say(self, text: str) -> None:
        say(self, self.feedback, text)

    @Slot()
    def accept(self) -> None:
        if self.job is not None:
            return
        ws, path, passphrase = self.ws, self.path, self.passphrase.text()

        def work(_job: Job[PublishResult]) -> PublishResult:
            return partnership_admin.publish(ws, path, passphrase=passphrase)

        job = Job(self, "Publishing the partnership pack", work, label="Signing and writing the pack…")
        job.on_success(self._published).on_failure(self._not_published).on_done(self._job_ended)
        self.job = job
        self.setEnabled(False)
        job.start()

    def _published(self, result: PublishResult) -> None:
        self.published = result
        super().accept()

    def _not_published(self, error: BaseException) -> None:
        if not isinstance(error, PartnershipAdminError | IdentityError | OSError):
            show_error(self, "Pack not published", error)  # a bug: logged, and said plainly
            return
        self._say(str(error))
        if isinstance(error, IdentityError):  # a wrong passphrase among them: type it again
            self.passphrase.clear()

    def _job_ended(self) -> None:
        self.job = None
        self.setEnabled(True)
        if self.isVisible():
            self.passphrase.setFocus()

    def reject(self) -> None:
        if self.job is None:
            super().reject()
