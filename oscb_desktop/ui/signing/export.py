"""Export a signed return as a ``.oscb`` bundle: where to save it, the passphrase (unless the key is still
unlocked from sign-off), a progress dialog, and where the file went.

The bundle is built on the UI thread (it reads the workspace database, which belongs to that thread, and
takes a fraction of a second); the window keeps painting between stages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QSizePolicy,
    QSpacerItem,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.bundle import BundleError
from oscb_desktop.fsutil import WriteError
from oscb_desktop.services import identities, returns, signoff
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.signing import IdentityError, SigningError, UnlockedKey
from oscb_desktop.store import Submission
from oscb_desktop.store.models import SigningIdentity as IdentityRow
from oscb_desktop.ui.signing.common import documents_folder, fit_height, message, pump
from oscb_desktop.ui.signing.identity_dialog import password_field

BUNDLE_FILTER = "OSCB bundles (*.oscb)"

#: Folder of the last export in this session (the app keeps no settings file).
_last_folder: Path | None = None


def describe(ws: Workspace, sub: Submission) -> str:
    """``the Section 11 2026/27 return (version 1)``."""
    return f"the {returns.form_of(ws, sub).short_title} {sub.period} return (version {sub.version})"


class PassphraseDialog(QDialog):
    """The passphrase of one signing identity, checked before the dialog closes; ``key`` is then unlocked.

    A wrong passphrase is said inline, the field is cleared and the user tries again.
    """

    def __init__(self, row: IdentityRow, purpose: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.key: UnlockedKey | None = None
        identity = identities.to_identity(row)
        self.setWindowTitle("Passphrase")
        text = QLabel(
            f"{purpose}\n\nEnter the passphrase of the signing key of {identity.subject_name} "
            f"(fingerprint {' '.join(identity.fingerprint_display.split()[:4])} …)."
        )
        text.setWordWrap(True)
        text.setMinimumWidth(460)
        self.passphrase = password_field("Passphrase of the signing key")
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
        try:
            self.key = identities.unlock(self.row, self.passphrase.text())
        except IdentityError as exc:  # WrongPassphraseError among them: say so, and try again
            self._error(str(exc))
            return
        super().accept()

    def _error(self, text: str) -> None:
        self.feedback.setText(f"⚠ {text}")
        self.feedback.setVisible(True)
        fit_height(self)
        self.passphrase.clear()
        self.passphrase.setFocus()


def choose_bundle_path(parent: QWidget | None, sub: Submission) -> Path | None:
    """Ask where to save the bundle (last folder of this session, else Documents); ``.oscb`` added if missing."""
    global _last_folder
    suggested = (_last_folder or documents_folder()) / f"{signoff.file_stem(sub)}.oscb"
    chosen, _filter = QFileDialog.getSaveFileName(parent, "Export signed bundle", str(suggested), BUNDLE_FILTER)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != ".oscb":
        path = path.with_name(path.name + ".oscb")
        # The file dialog only asked about replacing the name without ".oscb".
        if path.exists():
            answer = QMessageBox.question(
                parent,
                "Replace file?",
                f"{path.name} already exists in {path.parent}. Do you want to replace it?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
    _last_folder = path.parent
    return path


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
        dialog = PassphraseDialog(row, f"Export {describe(ws, sub)} as a signed bundle to {path.name}.", parent)
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
) -> signoff.ExportResult | None:
    """Build the bundle with a progress dialog, then say where it went; errors are shown, nothing is written."""
    progress = QProgressDialog("Exporting the signed bundle…", "", 0, 0, parent)
    progress.setWindowTitle("Exporting")
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)
    progress.setAutoClose(False)

    def say(text: str) -> None:
        progress.setLabelText(text)
        progress.setValue(0)
        pump()

    try:
        result = signoff.export(ws, submission_id, path, key=key, progress=say)
    except (returns.ReturnError, BundleError, WriteError, SigningError, OSError) as exc:
        progress.close()
        progress.deleteLater()
        message(
            parent,
            "Not exported",
            f"The bundle was not exported. {exc}",
            informative="No file was written.",
            icon=QMessageBox.Icon.Warning,
        )
        return None
    progress.close()
    progress.deleteLater()
    show_exported(parent, result)
    if on_done is not None:
        on_done(result)
    return result


def show_exported(parent: QWidget | None, result: signoff.ExportResult) -> QMessageBox:
    """Where the bundle went (full path), with "Show in folder"."""
    box = QMessageBox(
        QMessageBox.Icon.Information, "Bundle exported", f"The signed bundle was saved as\n{result.path}", parent=parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    size = f"{result.size / 1024:,.0f} KB" if result.size >= 1024 else f"{result.size} bytes"
    box.setInformativeText(f"{size}. Send this file to the Business Unit by email or on a memory stick.")
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
