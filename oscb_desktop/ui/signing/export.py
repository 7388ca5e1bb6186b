"""Export a signed return as a ``.oscb`` bundle: where to save it, the passphrase (unless the key is still
unlocked from sign-off), a progress window, and where the file went.

Unlocking the key (600,000 rounds of PBKDF2) and building the bundle run as background jobs
(:mod:`oscb_desktop.ui.ops`), so the window keeps painting.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.services import identities, partnerships, returns, signoff
from oscb_desktop.services.values import IdentityInfo, ReturnInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import IdentityError, UnlockedKey
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.common import fit_height, message
from oscb_desktop.ui.ops import Job
from oscb_desktop.ui.signing.identity_dialog import password_field

#: The save dialog's filter: the name chosen ends in .oscb; an encrypted bundle gets .p7m after it.
BUNDLE_FILTER = "OSCB bundles (*.oscb)"


def describe(ws: Workspace, sub: ReturnInfo) -> str:
    """``the Section 11 2026/27 return (version 1)``."""
    return f"the {returns.form_of(ws, sub).short_title} {sub.period} return (version {sub.version})"


class PassphraseDialog(QDialog):
    """The passphrase of one signing identity, checked before the dialog closes; ``key`` is then unlocked.

    A wrong passphrase is said inline, the field is cleared and the user tries again.
    """

    def __init__(
        self,
        row: IdentityInfo | None,
        purpose: str,
        parent: QWidget | None = None,
        *,
        ws: Workspace | None = None,
        unlock: Callable[[str], UnlockedKey] | None = None,
        whose: str = "",
    ) -> None:
        """``row``: an agency's identity; or, for another key (the Business Unit's), ``unlock`` (passphrase ->
        key, run in the background) and ``whose`` (whose key it is, for the text)."""
        super().__init__(parent)
        self.row = row
        #: The workspace the key is stored in: given, a key stored the old way is re-protected on unlock.
        self.ws = ws
        self.unlock = unlock
        self.key: UnlockedKey | None = None
        self.job: Job[UnlockedKey] | None = None
        if row is not None:
            identity = identities.to_identity(row)
            whose = f"{identity.subject_name} (fingerprint {' '.join(identity.fingerprint_display.split()[:4])} …)"
        self.setWindowTitle("Passphrase")
        text = QLabel(f"{purpose}\n\nEnter the passphrase of the signing key of {whose}.")
        text.setWordWrap(True)
        text.setMinimumWidth(460)
        self.passphrase = password_field("Passphrase of the signing key")
        self.passphrase.sig_refused.connect(self._refused)
        self.feedback = QLabel()
        self.feedback.setObjectName("problem")
        self.feedback.setWordWrap(True)
        self.feedback.setVisible(False)
        self.feedback.setAccessibleName("Message")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Continue")
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

    @Slot()
    def accept(self) -> None:
        """Unlock the key in the background; the dialog closes (accepted) once it is unlocked."""
        if self.job is not None:
            return
        row, passphrase, ws, unlock = self.row, self.passphrase.text(), self.ws, self.unlock

        def work(_job: Job[UnlockedKey]) -> UnlockedKey:
            if unlock is not None:
                return unlock(passphrase)
            assert row is not None
            if ws is None:
                return identities.unlock(row, passphrase)
            return identities.unlock_and_upgrade(ws, row, passphrase)

        job = Job(self, "Unlocking the signing key", work)
        job.on_success(self._unlocked).on_failure(self._not_unlocked).on_done(self._job_ended)
        self.job = job
        self.setEnabled(False)
        job.start()

    def _unlocked(self, key: UnlockedKey) -> None:
        self.key = key
        super().accept()

    def _not_unlocked(self, error: BaseException) -> None:
        if isinstance(error, IdentityError):  # WrongPassphraseError among them: say so, and try again
            self._error(str(error))
        else:
            self._error(f"The key could not be unlocked. {error}")

    def _job_ended(self) -> None:
        self.job = None
        self.setEnabled(True)
        if self.isVisible():
            self.passphrase.setFocus()

    def reject(self) -> None:
        if self.job is None:
            super().reject()

    @Slot(str)
    def _refused(self, text: str) -> None:
        """A paste over the passphrase limit: say so, keeping what was typed."""
        self.feedback.setText(f"⚠ {text}")
        self.feedback.setVisible(True)
        fit_height(self)

    def _error(self, text: str) -> None:
        self.feedback.setText(f"⚠ {text}")
        self.feedback.setVisible(True)
        fit_height(self)
        self.passphrase.clear()
        self.passphrase.setFocus()


def encryption_note(ws: Workspace, sub: ReturnInfo) -> str:
    """Whether the bundle will be encrypted, in a sentence for the export dialog."""
    if partnerships.encryption_certificates(ws, sub.partnership_id):
        name = partnerships.profile_for(ws, sub.partnership_id).name
        return f"It will be encrypted so that only the Business Unit of {name} can open it (file name ….oscb.p7m)."
    return "It will not be encrypted: the return's partnership has no Business Unit key (join its pack first)."


def choose_bundle_path(parent: QWidget | None, sub: ReturnInfo) -> Path | None:
    """Ask where to save the bundle (last folder of this session, else Documents); ``.oscb`` added if missing."""
    return file_dialogs.ask_save_path(parent, "Export signed bundle", signoff.file_stem(sub), ".oscb", BUNDLE_FILTER)


def export_bundle(
    parent: QWidget,
    ws: Workspace,
    submission_id: str,
    *,
    key: UnlockedKey | None = None,
    on_done: Callable[[signoff.ExportResult], None] | None = None,
) -> None:
    """The whole export, from "where?" to "it is here"; returns at once (its dialogs are window-modal)."""
    try:
        sub = returns.get_submission(ws, submission_id)
    except returns.ReturnError as exc:
        message(parent, "Not exported", str(exc), icon=QMessageBox.Icon.Warning)
        return
    if not sub.locked:
        message(
            parent,
            "Not exported",
            "Only a signed return can be exported as a bundle. Sign it off first (Return ▸ Sign off…).",
            icon=QMessageBox.Icon.Warning,
        )
        return
    path = choose_bundle_path(parent, sub)
    if path is None:
        return
    row = identities.for_fingerprint(ws, sub.agency.id, sub.signer_fingerprint or "")
    if key is None and row is not None:
        purpose = f"Export {describe(ws, sub)} as a signed bundle to {path.name}. {encryption_note(ws, sub)}"
        dialog = PassphraseDialog(row, purpose, parent, ws=ws)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: write_bundle(parent, ws, sub.id, path, dialog.key, on_done))
        dialog.open()
        return
    # Without the identity that signed it, the service refuses (before needing a key) in its own words.
    write_bundle(parent, ws, sub.id, path, key, on_done)


def write_bundle(
    parent: QWidget,
    ws: Workspace,
    submission_id: str,
    path: Path,
    key: UnlockedKey | None,
    on_done: Callable[[signoff.ExportResult], None] | None = None,
) -> Job[signoff.ExportResult]:
    """Build the bundle in the background with a progress window, then say where it went; errors are shown,
    and nothing is written."""

    def work(job: Job[signoff.ExportResult]) -> signoff.ExportResult:
        return signoff.export(ws, submission_id, path, key=key, progress=job.say)

    def failed(exc: BaseException) -> None:
        message(
            parent,
            "Not exported",
            f"The bundle was not exported. {exc}",
            informative="No file was written.",
            icon=QMessageBox.Icon.Warning,
        )

    def exported(result: signoff.ExportResult) -> None:
        show_exported(parent, result)
        if on_done is not None:
            on_done(result)

    job = Job(parent, "Exporting", work, label="Exporting the signed bundle…")
    return job.on_success(exported).on_failure(failed).start()


def show_exported(parent: QWidget | None, result: signoff.ExportResult) -> QMessageBox:
    """Where the bundle went (full path), with "Show in folder"."""
    what = "encrypted signed bundle" if result.encrypted else "signed bundle"
    box = QMessageBox(
        QMessageBox.Icon.Information, "Bundle exported", f"The {what} was saved as\n{result.path}", parent=parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    size = f"{result.size / 1024:,.0f} KB" if result.size >= 1024 else f"{result.size} bytes"
    detail = f"{size}. Send this file to the Business Unit by email or on a memory stick."
    if result.encrypted:
        detail += (
            " Only the Business Unit can open it; your own plain copy is kept in the workspace "
            f"({result.kept_copy.name if result.kept_copy else 'sent/'})."
        )
    box.setInformativeText(detail)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    grid = box.layout()
    if isinstance(grid, QGridLayout):  # QMessageBox sizes itself to its text; a full path reads better wide
        grid.addItem(
            QSpacerItem(480, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Minimum),
            grid.rowCount(),
            0,
            1,
            grid.columnCount(),
        )
    show = box.addButton("Show in folder", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    folder = result.path.parent

    def clicked(button: object) -> None:
        if button is show:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    box.buttonClicked.connect(clicked)
    box.open()
    return box
