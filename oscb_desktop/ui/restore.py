"""Putting a backup back from the GUI: offered at start when the database is damaged (or its journal lost), and
from File ▸ Restore from backup… in both modes.

The work is :mod:`oscb_desktop.services.backups`'s; this module asks. Restoring replaces the database the
window has open, so the window cannot do it itself: the app's launcher installs a handler
(:func:`set_handler`) that closes the window and the workspace, restores, and opens them again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from oscb_desktop.services import backups
from oscb_desktop.services.backups import BackupInfo
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import DB_FILENAME, WalMissingError, WorkspaceDamagedError
from oscb_desktop.ui.common import ask, keep_until_closed, message

#: Closes the window and the workspace, restores the given backup, reopens (see app.Launcher).
_handler: Callable[[Path], None] | None = None


def set_handler(handler: Callable[[Path], None] | None) -> None:
    global _handler
    _handler = handler


def describe(b: BackupInfo) -> str:
    check = "checked, sound" if b.ok else f"DAMAGED ({b.integrity})"
    return f"{b.describe()} — {check} — {b.size_text}"


# At start: the database is damaged --------------------------------------------------------------------------


def offer_at_start(
    exc: WorkspaceDamagedError,
    *,
    restore: Callable[[Path], None],
    keep: Callable[[], None],
    quit_app: Callable[[], None],
) -> QMessageBox:
    """A dialog (it does not block) with the ways out of a damaged workspace: restore its newest good backup,
    after a lost journal carry on with what is saved, or quit. The damaged file is never deleted."""
    lost_wal = isinstance(exc, WalMissingError)
    title = "Part of the workspace is missing" if lost_wal else "The workspace is damaged"
    box = QMessageBox(QMessageBox.Icon.Critical, title, exc.summary, QMessageBox.StandardButton.NoButton)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(exc.advice(command=False))
    box.setObjectName("damagedWorkspace")
    choices: dict[object, Callable[[], None]] = {}
    if exc.backup is not None:
        backup = exc.backup.path
        button = box.addButton(f"Restore the backup of {exc.backup.describe()}", QMessageBox.ButtonRole.AcceptRole)
        choices[button] = lambda: restore(backup)
    if lost_wal:
        choices[box.addButton("Carry on with what is saved", QMessageBox.ButtonRole.ActionRole)] = keep
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    choices[quit_button] = quit_app
    box.setEscapeButton(quit_button)
    box.setDefaultButton(quit_button)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(lambda _r: choices.get(box.clickedButton(), quit_app)())
    keep_until_closed(box)
    box.open()
    return box


# From the menu ------------------------------------------------------------------------------------------------


class BackupsDialog(QDialog):
    """The kept backups, newest first; a sound one can be chosen."""

    def __init__(self, ws: Workspace, found: list[BackupInfo], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.found = found
        intro = QLabel(
            f"Backups of the workspace in {ws.folder}, newest first. Restoring puts the chosen backup in the "
            f"place of {DB_FILENAME}; the database in use now is set aside (renamed, not deleted). Anything "
            "saved after the backup was made will not be in the restored workspace."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.list = QListWidget()
        self.list.setAccessibleName("Backups")
        for b in found:
            item = QListWidgetItem(describe(b))
            item.setData(Qt.ItemDataRole.UserRole, str(b.path))
            item.setToolTip(str(b.path))
            if not b.ok:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsSelectable)
            self.list.addItem(item)
        first_good = next((n for n, b in enumerate(found) if b.ok), None)
        if first_good is not None:
            self.list.setCurrentRow(first_good)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = self.buttons.addButton("Restore…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(first_good is not None)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addWidget(self.buttons)
        self.resize(640, 360)

    def chosen(self) -> BackupInfo | None:
        row = self.list.currentRow()
        return self.found[row] if 0 <= row < len(self.found) and self.found[row].ok else None


def choose_and_restore(parent: QWidget, ws: Workspace) -> QDialog | None:
    """File ▸ Restore from backup…: choose a backup, confirm, and hand it to the launcher's handler."""
    if ws.read_only:
        message(
            parent,
            "Open read-only",
            "This workspace is open read-only because it is open somewhere else. Restore it there, or close it "
            "there and open it here again.",
        )
        return None
    found = backups.list_backups(ws.folder)
    if not found:
        message(
            parent,
            "No backups yet",
            "This workspace has no backups yet. One is made the first time it is opened each day, and before "
            "every sign-off and every import.",
        )
        return None
    dialog = BackupsDialog(ws, found, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    @Slot(int)
    def finished(result: int) -> None:
        chosen = dialog.chosen()
        if result == QDialog.DialogCode.Accepted and chosen is not None:
            _confirm(parent, ws, chosen)

    dialog.finished.connect(finished)
    dialog.open()
    return dialog


def _confirm(parent: QWidget, ws: Workspace, chosen: BackupInfo) -> None:
    if _handler is None:
        message(
            parent,
            "Restore from backup",
            f"Close OSCB Desktop, then restore the backup with: oscb --data-dir {ws.folder} workspace restore "
            f"{chosen.path}",
        )
        return
    handler = _handler
    ask(
        parent,
        "Restore from backup",
        f"Restore the backup made {chosen.describe()}?",
        f"The database in use now is set aside as {DB_FILENAME}.set-aside-… in {ws.folder} (not deleted). "
        "Anything saved after the backup was made will not be in the restored workspace. The window closes and "
        "opens again on the restored workspace.",
        "Restore",
        lambda: handler(chosen.path),
        icon=QMessageBox.Icon.Warning,
    )
