"""File ▸ Join a partnership…: choose a partnership's pack, check it, show what joining does and the Business
Unit's fingerprint to compare, and join only when the person says it matched.

Checking the pack (its signature, every member, every form) runs as a background job; so does joining. Nothing is
trusted silently: the first time, the dialog shows the fingerprint with the plain instruction to compare it, and
Cancel is the default. A newer pack from the key trusted before only needs a yes; the same pack again is said so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from oscb_desktop.services import partnerships
from oscb_desktop.services.partnerships import JoinOutcome, JoinPreview, JoinResult, PackRefusedError
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import file_dialogs
from oscb_desktop.ui.common import FingerprintView, fit_height, message
from oscb_desktop.ui.ops import Job, show_error

PACK_FILTER = "Partnership packs (*.oscbpack)"


def join_partnership(
    parent: QWidget, ws: Workspace, on_joined: Callable[[JoinResult], None], path: Path | None = None
) -> Job[JoinPreview] | None:
    """The whole join, from "which file?" to "joined"; returns at once (its dialogs are window-modal)."""
    path = path or file_dialogs.ask_open_file(parent, "Join a partnership", PACK_FILTER)
    if path is None:
        return None

    def work(_job: Job[JoinPreview]) -> JoinPreview:
        return partnerships.preview(ws, path)

    def checked(found: JoinPreview) -> None:
        if found.outcome is JoinOutcome.UNCHANGED:
            message(parent, "Nothing to change", found.describe())
            return
        dialog = JoinDialog(ws, path, found, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: on_joined(dialog.joined) if dialog.joined is not None else None)
        dialog.open()

    job = Job(parent, "Checking the partnership pack", work, label="Checking the pack's signature and forms…")
    return job.on_success(checked).on_failure(lambda exc: refused(parent, exc)).start()


def refused(parent: QWidget | None, error: BaseException) -> None:
    if isinstance(error, PackRefusedError | OSError):
        message(
            parent,
            "Not joined",
            str(error),
            informative="Nothing was changed in this workspace.",
            icon=QMessageBox.Icon.Warning,
        )
    else:
        show_error(parent, "Not joined", error)


class JoinDialog(QDialog):
    """What joining (or updating) does, the fingerprint to compare the first time, and Join / Cancel."""

    def __init__(self, ws: Workspace, path: Path, found: JoinPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.path = path
        self.found = found
        #: What joining did, once it is done (the dialog is then accepted).
        self.joined: JoinResult | None = None
        self.job: Job[JoinResult] | None = None
        first = found.needs_trust
        self.setWindowTitle("Join a partnership" if first else "Update a partnership")
        what = QLabel(found.describe())
        what.setWordWrap(True)
        what.setMinimumWidth(520)
        what.setTextFormat(Qt.TextFormat.PlainText)
        what.setAccessibleName("What joining does")
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        self.fingerprint = FingerprintView()
        if first:
            compare = QLabel(
                f"Before you join, compare this fingerprint of the Business Unit's key with the one {found.name} "
                "published (on its website or in a letter, or ask the Business Unit to read it to you on the "
                "phone). Join only if every group is the same: a pack with another fingerprint is not from "
                "your partnership."
            )
            compare.setWordWrap(True)
            compare.setTextFormat(Qt.TextFormat.PlainText)
            self.fingerprint.set_fingerprint(found.fingerprint)
            self.fingerprint.text.setAccessibleName("The Business Unit's fingerprint (SHA-256)")
            layout.addWidget(compare)
            layout.addWidget(self.fingerprint)
        else:
            self.fingerprint.hide()
            same = QLabel("The pack is signed by the Business Unit key you trusted when you joined.")
            same.setObjectName("muted")
            same.setWordWrap(True)
            layout.addWidget(same)
        self.feedback = QLabel()
        self.feedback.setObjectName("problem")
        self.feedback.setWordWrap(True)
        self.feedback.setVisible(False)
        self.feedback.setAccessibleName("Message")
        layout.addWidget(self.feedback)
        buttons = QDialogButtonBox()
        self.join_button: QPushButton = buttons.addButton(
            "&Join" if first else "&Update", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        # The first time, Enter does not trust a key: the person presses Join once they have compared.
        if first:
            self.join_button.setAutoDefault(False)  # focus on it does not make it the default either
            self.cancel_button.setDefault(True)
            self.cancel_button.setFocus()
        else:
            self.join_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)

    @Slot()
    def accept(self) -> None:
        """Join in the background, trusting exactly the key that was shown (a file changed since is refused)."""
        if self.job is not None:
            return
        ws, path = self.ws, self.path
        trust = self.found.fingerprint if self.found.needs_trust else None

        def work(_job: Job[JoinResult]) -> JoinResult:
            return partnerships.join(ws, path, trust=trust)

        job = Job(self, "Joining the partnership", work, label="Joining…")
        job.on_success(self._joined).on_failure(self._not_joined).on_done(self._job_ended)
        self.job = job
        self.setEnabled(False)
        job.start()

    def _joined(self, result: JoinResult) -> None:
        self.joined = result
        super().accept()

    def _not_joined(self, error: BaseException) -> None:
        if isinstance(error, PackRefusedError | OSError):
            self.feedback.setText(f"⚠ {error}")
            self.feedback.setVisible(True)
            fit_height(self)
        else:
            show_error(self, "Not joined", error)

    def _job_ended(self) -> None:
        self.job = None
        self.setEnabled(True)

    def reject(self) -> None:
        if self.job is None:
            super().reject()
