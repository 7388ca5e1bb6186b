"""Business Unit ▸ Partnership settings… in a workspace that has no partnership of its own yet: set one up.

The Business Unit's signing key is made here (its passphrase typed twice, never stored). Making the key and
storing the partnership run as a background job (:mod:`oscb_desktop.ui.ops`): the key's encryption takes a
moment, and the window keeps painting.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.services import partnership_admin
from oscb_desktop.services.values import PartnershipInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.common import fit_height
from oscb_desktop.ui.ops import Job
from oscb_desktop.ui.signing.identity_dialog import PASSPHRASE_HINT, hint, password_field

MEMBERS_FILTER = "Member lists (*.yaml *.yml)"


def line(accessible_name: str, placeholder: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setAccessibleName(accessible_name)
    field.setPlaceholderText(placeholder)
    return field


def say(dialog: QWidget, label: QLabel, text: str) -> None:
    """Show ``text`` as the dialog's problem, growing the dialog so the wrapped text is not squeezed."""
    label.setText(f"⚠ {text}")
    label.setVisible(True)
    fit_height(dialog)


def problem_label() -> QLabel:
    """Where a dialog says, in the service's words, why it did not do what was asked."""
    label = QLabel()
    label.setObjectName("problem")
    label.setWordWrap(True)
    label.setVisible(False)
    label.setAccessibleName("Message")
    return label


class SetupDialog(QDialog):
    """Set up a new partnership: its name and contact, the Business Unit's signing key, and its members."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        #: The partnership, once it is set up (the dialog is then accepted).
        self.info: PartnershipInfo | None = None
        self.job: Job[PartnershipInfo] | None = None
        self.setWindowTitle("Set up a partnership")
        intro = QLabel(
            "This workspace becomes the Business Unit of a new partnership. Its forms start as those shipped "
            "with the app; add next year's and set deadlines afterwards, then publish the partnership's pack "
            "for its member agencies."
        )
        intro.setWordWrap(True)
        intro.setMinimumWidth(520)
        self.name = line("Partnership name", "e.g. Buckinghamshire Safeguarding Children Partnership")
        self.short_name = line("Short name", "e.g. BSCP")
        self.short_name.setMaxLength(20)
        self.contact_name = line("Contact's name", "the officer agencies write to")
        self.contact_email = line("Contact's email", "name@partnership.org.uk")
        self.contact_phone = line("Contact's phone")
        self.passphrase = password_field("Passphrase of the Business Unit's signing key")
        self.confirm = password_field("Passphrase again")
        self.members = line("Member agencies file (optional)", "none: add agencies on the register later")
        self.members.setReadOnly(True)
        self.choose_members = QPushButton("C&hoose…")
        self.choose_members.setAutoDefault(False)
        self.choose_members.setAccessibleName("Choose the member agencies file")
        self.choose_members.clicked.connect(self._choose_members)
        members_row = QHBoxLayout()
        members_row.addWidget(self.members, 1)
        members_row.addWidget(self.choose_members)

        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&Short name:", self.short_name)
        form.addRow("&Contact:", self.contact_name)
        form.addRow("&Email:", self.contact_email)
        form.addRow("&Phone:", self.contact_phone)
        form.addRow("&Passphrase:", self.passphrase)
        form.addRow("&Again:", self.confirm)
        form.addRow("", hint(PASSPHRASE_HINT.replace("sign off or export a return", "publish the pack")))
        form.addRow("&Members:", members_row)
        form.addRow("", hint("A YAML list such as '- {name: Thames Valley Police, sector: police}'."))

        self.feedback = problem_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Set &up")
        ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for field in (self.passphrase, self.confirm):
            field.sig_refused.connect(self._say)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.feedback)
        layout.addWidget(self.buttons)
        self.name.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    @Slot()
    def _choose_members(self) -> None:
        path = file_dialogs.ask_open_file(self, "Member agencies of the partnership", MEMBERS_FILTER)
        if path is not None:
            self.members.setText(str(path))

    @Slot(str)
    def _say(self, text: str) -> None:
        say(self, self.feedback, text)

    @Slot()
    def accept(self) -> None:
        """Check what can be checked here, then make the key and the partnership in the background."""
        if self.job is not None:
            return
        if self.passphrase.text() != self.confirm.text():
            self._say("The two passphrases are not the same. Type them again.")
            self.passphrase.clear()
            self.confirm.clear()
            self.passphrase.setFocus()
            return
        sectors, members = None, None
        if self.members.text():
            try:
                sectors, members = partnership_admin.read_members_file(Path(self.members.text()))
            except partnership_admin.PartnershipAdminError as exc:
                self._say(str(exc))
                return
        ws, values = self.ws, self._values()

        def work(_job: Job[PartnershipInfo]) -> PartnershipInfo:
            return partnership_admin.init(ws, members=members, sectors=sectors, **values)

        job = Job(self, "Setting up the partnership", work, label="Making the Business Unit's signing key…")
        job.on_success(self._set_up).on_failure(lambda exc: self._say(str(exc))).on_done(self._job_ended)
        self.job = job
        self.setEnabled(False)
        job.start()

    def _values(self) -> dict[str, str]:
        return {
            "name": self.name.text(),
            "short_name": self.short_name.text(),
            "contact_name": self.contact_name.text(),
            "contact_email": self.contact_email.text(),
            "contact_phone": self.contact_phone.text(),
            "passphrase": self.passphrase.text(),
        }

    def _set_up(self, info: PartnershipInfo) -> None:
        self.info = info
        self.passphrase.clear()
        self.confirm.clear()
        super().accept()

    def _job_ended(self) -> None:
        self.job = None
        self.setEnabled(True)

    def reject(self) -> None:
        if self.job is None:  # the key is being made: it finishes first
            super().reject()
