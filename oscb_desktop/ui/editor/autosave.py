"""Drives :class:`oscb_desktop.services.autosave.Autosaver` from a Qt timer and reports its state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from oscb_desktop.services.autosave import FLUSH_DELAY_S, Autosaver

RETRY_MS = 3000


class AutosaveController(QObject):
    sig_state_changed = Signal(str, str)
    """Autosave state ("saving", "saved", "error") and a sentence for the user."""

    sig_saved = Signal(int)
    """Pending changes were written; the return's new percent complete."""

    def __init__(self, autosaver: Autosaver, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.autosaver = autosaver
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._on_timer)
        self.state = "saved"

    def change(self, item_id: str, value: Any) -> None:
        self.autosaver.change(item_id, value)
        if self.state != "saving":
            self.state = "saving"
            self.sig_state_changed.emit("saving", "Saving…")
        # Not restarted by later changes: the first unsaved change is written within FLUSH_DELAY_S.
        if not self.timer.isActive():
            self.timer.start(int(FLUSH_DELAY_S * 1000))

    @property
    def pending(self) -> bool:
        return self.autosaver.pending

    @Slot()
    def _on_timer(self) -> None:
        self.flush()

    def flush(self) -> bool:
        """Write now. Returns False (and retries later) if the write failed; the changes stay in memory."""
        self.timer.stop()
        if not self.autosaver.pending:
            return True
        try:
            percent = self.autosaver.flush()
        except Exception as exc:
            self.state = "error"
            self.sig_state_changed.emit("error", f"Not saved yet: {exc} Retrying…")
            self.timer.start(RETRY_MS)
            return False
        self.state = "saved"
        self.sig_state_changed.emit("saved", f"All changes saved at {datetime.now():%H:%M:%S}")
        if percent is not None:
            self.sig_saved.emit(percent)
        if self.autosaver.pending:
            self.timer.start(int(FLUSH_DELAY_S * 1000))
        return True
