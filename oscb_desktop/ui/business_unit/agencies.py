"""The register: the partnership's agencies, their contacts, and the certificates trusted to sign their returns."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.services import registry
from oscb_desktop.services.values import RegisteredAgencyInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.business_unit.common import setup_table, sorting_proxy
from oscb_desktop.ui.business_unit.importing import FingerprintDialog, fingerprint_lines, subject_text
from oscb_desktop.ui.business_unit.models import AgenciesModel, AgencyLine, CertificateLine, CertificatesModel
from oscb_desktop.ui.common import ask, message
from oscb_desktop.ui.table_model import ROW_ROLE


class AgencyDialog(QDialog):
    """Add an agency to the register, or change its sector and contact."""

    def __init__(
        self, ws: Workspace, agency: RegisteredAgencyInfo | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.agency = agency
        self.setWindowTitle(f"Contact for {agency.name}" if agency else "Add an agency to the register")
        self.name = QLineEdit(agency.name if agency else "")
        self.name.setAccessibleName("Agency name")
        self.name.setReadOnly(agency is not None)
        self.sector = QComboBox()
        self.sector.setAccessibleName("Sector")
        self.sector.addItem("—", "")
        for sid, label in ws.profile.sectors.items():
            self.sector.addItem(label, sid)
        self.contact_name = QLineEdit(agency.contact_name if agency else "")
        self.contact_name.setAccessibleName("Contact's name")
        self.contact_email = QLineEdit(agency.contact_email if agency else "")
        self.contact_email.setAccessibleName("Contact's email")
        self.contact_email.setPlaceholderText("name@agency.org.uk")
        if agency is not None:
            self.sector.setCurrentIndex(max(0, self.sector.findData(agency.sector)))
        form = QFormLayout()
        form.addRow("Agency &name", self.name)
        form.addRow("&Sector", self.sector)
        form.addRow("&Contact", self.contact_name)
        form.addRow("Contact's &email", self.contact_email)
        self.error = QLabel()
        self.error.setObjectName("problem")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.saved: RegisteredAgencyInfo | None = None

    def accept(self) -> None:
        email = self.contact_email.text().strip()
        try:
            if email and ("@" not in email or " " in email):
                raise registry.RegisterError(f"{email!r} does not look like an email address.")
            if self.agency is None:
                self.saved = registry.add_agency(
                    self.ws,
                    self.name.text(),
                    sector=self.sector.currentData() or "",
                    contact_name=self.contact_name.text(),
                    contact_email=email,
                )
            else:
                self.saved = registry.update_agency(
                    self.ws,
                    self.agency.id,
                    sector=self.sector.currentData() or "",
                    contact_name=self.contact_name.text(),
                    contact_email=email,
                )
        except registry.RegisterError as exc:
            self.error.setText(f"⚠ {exc}")
            self.error.setVisible(True)
            return
        super().accept()


class AgenciesPage(QWidget):
    sig_changed = Signal()
    """The register changed (an agency, a contact or a certificate)."""

    sig_message = Signal(str)
    """A line for the window's status bar."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        #: The dialog or question on screen, if any (window-modal, not blocking).
        self.dialog: QDialog | QMessageBox | None = None
        intro = QLabel(
            "Agencies on the register and the certificates you trust to sign their returns. A bundle is "
            "imported only if it is signed with a certificate trusted for the agency it names."
        )
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        self.model = AgenciesModel(ws.profile, self)
        self.proxy = sorting_proxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        setup_table(self.table, "Agencies on the register")
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._agency_selected())
        self.table.activated.connect(lambda _i: self.edit_contact())

        self.add_button = QPushButton("Add agency…")
        self.edit_button = QPushButton("Edit contact…")
        self.pem_button = QPushButton("Register certificate from .pem…")
        self.add_button.clicked.connect(self.add_agency)
        self.edit_button.clicked.connect(self.edit_contact)
        self.pem_button.clicked.connect(lambda: self.register_pem())
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.pem_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.cert_heading = QLabel()
        self.certs = CertificatesModel(self)
        self.cert_table = QTableView()
        self.cert_table.setModel(self.certs)
        setup_table(self.cert_table, "Certificates of the selected agency", sortable=False)
        self.cert_table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        header = self.cert_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.revoke_button = QPushButton("Revoke certificate…")
        self.revoke_button.setToolTip("Refuse every bundle signed with the selected certificate from now on")
        self.revoke_button.clicked.connect(self.revoke_selected)
        cert_box = QWidget()
        cert_layout = QVBoxLayout(cert_box)
        cert_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.cert_heading, 1)
        row.addWidget(self.revoke_button)
        cert_layout.addLayout(row)
        cert_layout.addWidget(self.cert_table, 1)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(cert_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self.setFocusProxy(self.table)
        self._update_buttons()

    @Slot()
    def refresh(self) -> None:
        selected = self.selected_agency_id()
        lines = []
        for a in registry.list_agencies(self.ws):
            certs = registry.certificates(self.ws, a.id)
            latest = certs[-1] if certs else None
            lines.append(
                AgencyLine(
                    id=a.id,
                    name=a.name,
                    sector=a.sector,
                    contact_name=a.contact_name,
                    contact_email=a.contact_email,
                    certificates=len(certs),
                    revoked=sum(1 for c in certs if c.revoked_at),
                    latest_fingerprint=latest.fingerprint if latest else "",
                    registered_at=latest.registered_at if latest else None,
                    revoked_at=latest.revoked_at if latest else None,
                )
            )
        self.model.profile = self.ws.profile
        self.model.set_rows(lines)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        if selected is not None:
            self.select_agency(selected)
        self._agency_selected()

    def select_agency(self, agency_id: int) -> None:
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(ROW_ROLE).id == agency_id:
                self.table.selectRow(r)
                return

    def selected_agency_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ROW_ROLE).id if rows else None

    def selected_certificate(self) -> CertificateLine | None:
        rows = self.cert_table.selectionModel().selectedRows()
        return self.certs.rows[rows[0].row()] if rows else None

    def _agency_selected(self) -> None:
        agency_id = self.selected_agency_id()
        if agency_id is None:
            self.certs.set_rows([])
            self.cert_heading.setText("<b>Certificates</b> — select an agency above")
            self._update_buttons()
            return
        agency = registry.get_agency(self.ws, agency_id)
        certs = [
            CertificateLine(
                id=c.id,
                fingerprint=c.fingerprint,
                subject=subject_text(c.certificate_pem, c.subject),
                source=c.source,
                registered_at=c.registered_at,
                registered_by=c.registered_by,
                revoked_at=c.revoked_at,
                revoked_by=c.revoked_by,
            )
            for c in reversed(registry.certificates(self.ws, agency_id))
        ]
        self.certs.set_rows(certs)
        self.cert_heading.setText(
            f"<b>Certificates of {agency.name}</b>"
            + ("" if certs else " — none yet: register one from a .pem file, or confirm it at first import")
        )
        active = [n for n, c in enumerate(certs) if not c.revoked_at]
        if len(active) == 1:
            self.cert_table.selectRow(active[0])
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.edit_button.setEnabled(self.selected_agency_id() is not None)
        cert = self.selected_certificate()
        self.revoke_button.setEnabled(cert is not None and not cert.revoked_at)

    # Actions ------------------------------------------------------------------------------------------

    def _show(self, dialog: QDialog | QMessageBox) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.open()

    @Slot()
    def add_agency(self) -> None:
        dialog = AgencyDialog(self.ws, None, self)
        dialog.accepted.connect(
            lambda: self._saved(dialog.saved, f"Added {dialog.name.text().strip()} to the register.")
        )
        self._show(dialog)

    @Slot()
    def edit_contact(self) -> None:
        agency_id = self.selected_agency_id()
        if agency_id is None:
            return
        dialog = AgencyDialog(self.ws, registry.get_agency(self.ws, agency_id), self)
        dialog.accepted.connect(lambda: self._saved(dialog.saved, "Contact saved."))
        self._show(dialog)

    def _saved(self, agency: RegisteredAgencyInfo | None, text: str) -> None:
        self.refresh()
        if agency is not None:
            self.select_agency(agency.id)
        self.sig_changed.emit()
        self.sig_message.emit(text)

    def register_pem(self, path: str | Path | None = None) -> None:
        """Read a certificate, show its fingerprint to compare, and register it for the agency chosen."""
        if path is None:
            chosen = file_dialogs.ask_open_file(
                self, "Register a certificate", "Certificates (*.pem *.crt *.cer);;All files (*)"
            )
            if chosen is None:
                return
            path = chosen
        path = Path(path)
        try:
            cert = registry.read_certificate_file(path)
        except registry.RegisterError as exc:
            message(self, "Certificate not registered", str(exc), icon=QMessageBox.Icon.Warning)
            return
        agency = QComboBox()
        agency.setEditable(True)
        agency.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        agency.setAccessibleName("Agency the certificate belongs to")
        names = [a.name for a in registry.list_agencies(self.ws)]
        agency.addItems(names)
        known = registry.find_agency(self.ws, cert.organisation) if cert.organisation else None
        selected = self.selected_agency_id()
        if known is not None:
            agency.setCurrentText(known.name)
        elif cert.organisation:
            agency.setCurrentText(cert.organisation)
        elif selected is not None:
            agency.setCurrentText(registry.get_agency(self.ws, selected).name)
        else:
            agency.setCurrentIndex(-1)
        row = QWidget()
        row_layout = QFormLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addRow("Trust it for:", agency)
        dialog = FingerprintDialog(
            "Register this certificate?",
            "Register a signing certificate",
            [
                ("File", path.name),
                ("Certificate of", subject_text(cert.pem, cert.subject)),
                ("Organisation it names", cert.organisation or "none"),
            ],
            cert.fingerprint,
            accept_text="Register certificate",
            reject_text="Cancel",
            note="Bundles signed with it will then be imported for that agency without asking.",
            extra=row,
            parent=self,
        )
        dialog.agency_choice = agency  # type: ignore[attr-defined]
        dialog.accepted.connect(lambda: self._register(path, agency.currentText().strip()))
        self._show(dialog)

    def _register(self, path: Path, agency_name: str) -> None:
        if not agency_name:
            message(self, "Certificate not registered", "Choose the agency the certificate belongs to.",
                    icon=QMessageBox.Icon.Warning)  # fmt: skip
            return
        try:
            row = registry.register_pem(self.ws, path, agency_name)
        except registry.RegisterError as exc:
            message(self, "Certificate not registered", str(exc), icon=QMessageBox.Icon.Warning)
            return
        self._saved(registry.get_agency(self.ws, row.agency_id), f"Certificate registered for {row.agency_name}.")

    @Slot()
    def revoke_selected(self) -> None:
        cert = self.selected_certificate()
        agency_id = self.selected_agency_id()
        if cert is None or cert.revoked_at or agency_id is None:
            return
        agency = registry.get_agency(self.ws, agency_id)
        box = ask(
            self,
            "Revoke this certificate?",
            f"Revoke the certificate of {agency.name} with the fingerprint\n\n{fingerprint_lines(cert.fingerprint)}",
            "From now on every bundle signed with it is refused, for every agency. Returns already imported stay "
            "as they are. Revoking cannot be undone: the agency will need a new signing identity.",
            "Revoke certificate",
            lambda: self._revoke(cert.id),
            icon=QMessageBox.Icon.Warning,
        )
        self.dialog = box
        box.finished.connect(lambda _r: setattr(self, "dialog", None))

    def _revoke(self, certificate_id: int) -> None:
        try:
            row = registry.revoke(self.ws, certificate_id)
        except registry.RegisterError as exc:
            message(self, "Not revoked", str(exc), icon=QMessageBox.Icon.Warning)
            return
        self._saved(registry.get_agency(self.ws, row.agency_id), f"Certificate of {row.agency_name} revoked.")
