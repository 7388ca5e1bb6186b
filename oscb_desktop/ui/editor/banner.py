"""The banner over a signed return in the editor: who signed it and when; export it, or reopen it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from oscb_desktop import dates
from oscb_desktop.services.values import ReturnInfo, ReturnStatus
from oscb_desktop.ui.common import html


class LockedBanner(QFrame):
    """Who signed this version and when; export it, or reopen it as a new version (``newer``: the version that
    reopened it, if any)."""

    def __init__(self, sub: ReturnInfo, newer: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        who = html(sub.signatory_name or "the signatory") + (
            f", {html(sub.signatory_role)}" if sub.signatory_role else ""
        )
        signed = f"on {dates.local_moment(sub.signed_at)} by {who}" if sub.signed_at else f"by {who}"
        if sub.status == ReturnStatus.SUPERSEDED:
            text = (
                f"<b>Version {sub.version} was signed off</b> {signed}. It has been reopened"
                + (f" as version {newer}" if newer is not None else "")
                + " and stays as it was signed: it cannot be changed."
            )
        else:
            text = (
                f"<b>Signed off</b> {signed}. This version cannot be changed; to change anything, "
                "reopen it as a new version."
            )
        self.setObjectName("lockedBanner")
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.export_button = QPushButton("Export signed bundle…")
        self.export_button.setToolTip("Save the signed return as a .oscb file for the Business Unit (Ctrl+E)")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(self.text, 1)
        row.addWidget(self.export_button)
        self.reopen_button: QPushButton | None = None
        if sub.status == ReturnStatus.SIGNED:
            self.reopen_button = QPushButton("Reopen as a new version…")
            self.reopen_button.setToolTip(f"Start version {sub.version + 1} from these answers")
            row.addWidget(self.reopen_button)
