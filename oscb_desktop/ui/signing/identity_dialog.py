"""The agency's signing identity: see the current one (with its fingerprint and certificate), create a new
one, or import the organisation's certificate from a .p12/.pfx file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cryptography.x509.oid import NameOID
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop import dates
from oscb_desktop.fsutil import WriteError
from oscb_desktop.services import agencies, identities
from oscb_desktop.services.values import AgencyInfo, IdentityInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import (
    MAX_PASSPHRASE_LENGTH,
    MIN_PASSPHRASE_LENGTH,
    PASSPHRASE_TOO_LONG,
    IdentityError,
    SigningIdentity,
)
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.common import FingerprintView, ask, fit_height, safe_file_name

PASSPHRASE_HINT = (
    f"At least {MIN_PASSPHRASE_LENGTH} characters. You need it each time you sign off or export a return.\n"
    "It cannot be recovered: if it is lost, create a new identity."
)

IMPORT_HINT = (
    "The file's password opens it this once; from then on the new passphrase locks the key.\n"
    f"At least {MIN_PASSPHRASE_LENGTH} characters. You need it each time you sign off or export a return.\n"
    "It cannot be recovered: if it is lost, import the file again with a new passphrase."
)


def certificate_title(identity: SigningIdentity) -> str:
    """The role written into the certificate (X.520 title), or "" if it has none."""
    values = identity.certificate.subject.get_attributes_for_oid(NameOID.TITLE)
    value = values[0].value if values else ""
    return value.decode() if isinstance(value, bytes) else value


def certificate_email(identity: SigningIdentity) -> str:
    values = identity.certificate.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)
    value = values[0].value if values else ""
    return value.decode() if isinstance(value, bytes) else value


class PassphraseField(QLineEdit):
    """A passphrase, shown as dots, held to the one rule of the app: at most ``MAX_PASSPHRASE_LENGTH`` characters.

    Qt would cut a longer paste silently (at ``maxLength``), leaving a passphrase the user never chose. Instead
    the field takes one character over the limit, so that a longer paste is seen, then puts back what it held
    and says why (``sig_refused``, with the rule in words).
    """

    sig_refused = Signal(str)

    def __init__(self, accessible_name: str) -> None:
        super().__init__()
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setAccessibleName(accessible_name)
        self.setMaxLength(MAX_PASSPHRASE_LENGTH + 1)
        self._kept = ""
        self.textChanged.connect(self._changed)

    @Slot(str)
    def _changed(self, text: str) -> None:
        if len(text) <= MAX_PASSPHRASE_LENGTH:
            self._kept = text
            return
        self.setText(self._kept)  # back within the rule (this calls _changed again, with the kept text)
        self.sig_refused.emit(f"{PASSPHRASE_TOO_LONG}; the text pasted was longer, so it was not used.")


def password_field(accessible_name: str) -> PassphraseField:
    return PassphraseField(accessible_name)


def hint(text: str) -> QLabel:
    """Muted help text, broken into lines by hand (wrapped labels squeeze in tab pages)."""
    label = QLabel(text)
    label.setObjectName("muted")
    return label


def right_aligned(button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(button)
    return row


class IdentityDialog(QDialog):
    """Show, create, import and save the certificate of one agency's signing identity."""

    sig_identity_changed = Signal()
    """A new identity was created or imported; it is now the one the agency signs with."""

    def __init__(self, ws: Workspace, agency_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.agency: AgencyInfo = agencies.get_agency(ws, agency_id)
        self.row: IdentityInfo | None = None
        self.setWindowTitle(f"Signing identity — {self.agency.name}")

        intro = QLabel(
            "Returns are signed off with the agency's <b>signing identity</b>: a key kept on this computer, "
            "locked by a passphrase, and a certificate that names the person who signs and the agency. "
            "Send the certificate to the Business Unit so that it can check your signed returns."
        )
        intro.setWordWrap(True)
        intro.setMinimumWidth(660)

        # The current identity.
        self.current_box = QGroupBox("Current signing identity")
        self.none_label = QLabel(
            "None yet. Create one below, or import your organisation's certificate if it gave you one."
        )
        self.none_label.setWordWrap(True)
        self.person = QLabel()
        self.agency_name = QLabel()
        self.valid_until = QLabel()
        self.origin = QLabel()
        for label in (self.person, self.agency_name, self.valid_until, self.origin):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint = FingerprintView()
        self.save_certificate = QPushButton("Save certificate…")
        self.save_certificate.setAutoDefault(False)
        self.save_certificate.setToolTip("Save the certificate as a .pem file to send to the Business Unit")
        self.save_certificate.clicked.connect(self.save_certificate_file)
        self.details = QWidget()
        details = QFormLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        details.addRow("Person:", self.person)
        details.addRow("Agency:", self.agency_name)
        details.addRow("Valid until:", self.valid_until)
        details.addRow("Origin:", self.origin)
        details.addRow("Fingerprint (SHA-256):", self.fingerprint)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_certificate)
        save_row.addWidget(hint("A .pem file, to send to the Business Unit by email."), 1)
        details.addRow("", save_row)
        current = QVBoxLayout(self.current_box)
        current.addWidget(self.none_label)
        current.addWidget(self.details)

        # A new identity: created here or imported.
        self.new_box = QGroupBox()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("How to get a new identity")
        self.tabs.addTab(self._create_page(), "&Create a new identity")
        self.tabs.addTab(self._import_page(), "&Import from a .p12 or .pfx file")
        self.tabs.currentChanged.connect(self._tab_changed)
        new = QVBoxLayout(self.new_box)
        new.addWidget(self.tabs)

        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setVisible(False)
        self.feedback.setAccessibleName("Message")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        for button in buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.current_box)
        layout.addWidget(self.new_box)
        layout.addWidget(self.feedback)
        layout.addWidget(buttons)
        self._tab_changed(0)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    # Pages ------------------------------------------------------------------------------------------

    def _create_page(self) -> QWidget:
        page = QWidget()
        self.name = QLineEdit()
        self.name.setPlaceholderText("The person who signs returns off, e.g. Jane Smith")
        self.role = QLineEdit()
        self.role.setPlaceholderText("e.g. Director of Children's Services")
        self.email = QLineEdit()
        self.email.setPlaceholderText("Optional")
        self.passphrase = password_field("New passphrase")
        self.confirm = password_field("Confirm the new passphrase")
        self.passphrase.sig_refused.connect(self._refused)
        self.confirm.sig_refused.connect(self._refused)
        for field, accessible in (
            (self.name, "Signatory's name"),
            (self.role, "Signatory's role"),
            (self.email, "Signatory's email (optional)"),
        ):
            field.setAccessibleName(accessible)
            field.setMaxLength(64)
        self.create_button = QPushButton("Create identity")
        self.create_button.setObjectName("primary")
        self.create_button.clicked.connect(self.create_identity)
        form = QFormLayout(page)
        form.addRow("Signatory's &name:", self.name)
        form.addRow("&Role:", self.role)
        form.addRow("&Email:", self.email)
        form.addRow("&Passphrase:", self.passphrase)
        form.addRow("Con&firm passphrase:", self.confirm)
        form.addRow("", hint(PASSPHRASE_HINT))
        form.addRow(right_aligned(self.create_button))
        return page

    def _import_page(self) -> QWidget:
        page = QWidget()
        self.p12_path = QLineEdit()
        self.p12_path.setAccessibleName("Certificate file (.p12 or .pfx)")
        self.p12_path.setPlaceholderText("The .p12 or .pfx file from your organisation")
        self.choose_file = QPushButton("Choose…")
        self.choose_file.setAutoDefault(False)
        self.choose_file.setAccessibleName("Choose the certificate file")
        self.choose_file.clicked.connect(self._choose_p12)
        file_row = QHBoxLayout()
        file_row.addWidget(self.p12_path, 1)
        file_row.addWidget(self.choose_file)
        self.p12_password = password_field("The certificate file's password")
        self.import_passphrase = password_field("New passphrase for the imported key")
        self.import_confirm = password_field("Confirm the new passphrase for the imported key")
        for secret in (self.p12_password, self.import_passphrase, self.import_confirm):
            secret.sig_refused.connect(self._refused)
        self.import_button = QPushButton("Import identity")
        self.import_button.setObjectName("primary")
        self.import_button.clicked.connect(self.import_identity)
        form = QFormLayout(page)
        file_label = QLabel("Certificate fi&le:")
        file_label.setBuddy(self.p12_path)
        form.addRow(file_label, file_row)
        form.addRow("File's pass&word:", self.p12_password)
        form.addRow("New &passphrase:", self.import_passphrase)
        form.addRow("Con&firm passphrase:", self.import_confirm)
        form.addRow("", hint(IMPORT_HINT))
        form.addRow(right_aligned(self.import_button))
        return page

    @Slot(int)
    def _tab_changed(self, index: int) -> None:
        # Enter in a field presses the button of the page it is on.
        self.create_button.setDefault(index == 0)
        self.import_button.setDefault(index == 1)

    # Showing the current identity ------------------------------------------------------------------

    def refresh(self) -> None:
        self.row = identities.current(self.ws, self.agency.id)
        has = self.row is not None
        self.none_label.setVisible(not has)
        self.details.setVisible(has)
        self.new_box.setTitle("Replace it with a new identity" if has else "Set up a signing identity")
        if self.row is None:
            return
        identity = identities.to_identity(self.row)
        role = certificate_title(identity)
        email = certificate_email(identity)
        self.person.setText(identity.subject_name + (f", {role}" if role else "") + (f" ({email})" if email else ""))
        self.agency_name.setText(identity.organisation or "(not named in the certificate)")
        expires = identity.not_valid_after
        expired = expires < datetime.now(UTC)
        self.valid_until.setText(
            dates.local_day(expires) + (" — expired: create or import a new identity" if expired else "")
        )
        self.origin.setText(
            f"Created in this app on {dates.local_day(self.row.created_at)}"
            if self.row.origin == "created"
            else f"Imported from your organisation's certificate file on {dates.local_day(self.row.created_at)}"
        )
        self.fingerprint.set_fingerprint(self.row.fingerprint)

    @Slot(str)
    def _refused(self, text: str) -> None:
        self._say(text, problem=True)

    def _say(self, text: str, *, problem: bool) -> None:
        self.feedback.setObjectName("problem" if problem else "success")
        self.feedback.setText(("⚠ " if problem else "✓ ") + text)
        self.feedback.style().unpolish(self.feedback)
        self.feedback.style().polish(self.feedback)
        self.feedback.setVisible(True)
        fit_height(self)

    # Create and import ------------------------------------------------------------------------------

    def _passphrases_match(self, first: QLineEdit, second: QLineEdit) -> bool:
        if first.text() == second.text():
            return True
        self._say("The two passphrases are not the same. Type them again.", problem=True)
        first.clear()
        second.clear()
        first.setFocus()
        return False

    def _confirm_replace(self, then: Callable[[], None]) -> None:
        """Ask before a new identity retires the current one; ``then`` runs if the user agrees."""
        if self.row is None:
            then()
            return
        old = identities.to_identity(self.row)
        ask(
            self,
            "Replace the signing identity?",
            f"{self.agency.name} signs with the identity of {old.subject_name} "
            f"(fingerprint {' '.join(old.fingerprint_display.split()[:4])} …). "
            "The new identity replaces it for every sign-off from now on.",
            "Returns already signed with the old identity stay as they are and can still be exported. "
            "Send the new certificate to the Business Unit.",
            "Replace identity",
            then,
        )

    @Slot()
    def create_identity(self) -> None:
        if self._passphrases_match(self.passphrase, self.confirm):
            self._confirm_replace(self._create)

    def _create(self) -> None:
        try:
            identities.create(
                self.ws,
                self.agency.id,
                person_name=self.name.text(),
                role=self.role.text(),
                email=self.email.text() or None,
                passphrase=self.passphrase.text(),
            )
        except IdentityError as exc:
            self._say(str(exc), problem=True)
            return
        self.passphrase.clear()
        self.confirm.clear()
        self._done("Signing identity created.")

    @Slot()
    def _choose_p12(self) -> None:
        chosen = file_dialogs.ask_open_file(
            self, "Choose the certificate file", "Certificate files (*.p12 *.pfx);;All files (*)"
        )
        if chosen is not None:
            self.p12_path.setText(str(chosen))
            self.p12_password.setFocus()

    @Slot()
    def import_identity(self) -> None:
        if not self.p12_path.text().strip():
            self._say("Choose the .p12 or .pfx file that holds your organisation's certificate.", problem=True)
            self.p12_path.setFocus()
            return
        if self._passphrases_match(self.import_passphrase, self.import_confirm):
            self._confirm_replace(self._import)

    def _import(self) -> None:
        path = Path(self.p12_path.text().strip())
        try:
            data = identities.read_pkcs12_file(path)
            identities.import_pkcs12(
                self.ws,
                self.agency.id,
                data,
                p12_password=self.p12_password.text(),
                passphrase=self.import_passphrase.text(),
            )
        except IdentityError as exc:
            self._say(str(exc), problem=True)
            return
        for field in (self.p12_password, self.import_passphrase, self.import_confirm):
            field.clear()
        self._done("Your organisation's certificate was imported.")

    def _done(self, what: str) -> None:
        self.refresh()
        self._say(
            f"{what} Save the certificate and send it to the Business Unit, so that it can check your returns.",
            problem=False,
        )
        self.save_certificate.setFocus()
        self.sig_identity_changed.emit()

    # Certificate ------------------------------------------------------------------------------------

    @Slot()
    def save_certificate_file(self) -> None:
        if self.row is None:
            return
        name = f"{safe_file_name(self.agency.name)}_signing-certificate"
        path = file_dialogs.ask_save_path(self, "Save certificate", name, ".pem", "Certificates (*.pem)")
        if path is None:
            return
        try:
            identities.save_certificate(self.row, path)
        except WriteError as exc:
            self._say(str(exc), problem=True)
            return
        self._say(f"Certificate saved as {path}.", problem=False)
