"""Drives :class:`oscb_desktop.services.autosave.Autosaver` from a Qt timer and reports its state."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from oscb_desktop.services import returns
from oscb_desktop.services.autosave import FLUSH_DELAY_S, Autosaver, SaveError

log = logging.getLogger(__name__)

RETRY_MS = 3000


class AutosaveController(QObject):
    sig_state_changed = Signal(str, str)
    """Autosave state ("saving", "saved", "error") and a sentence for the user."""

    sig_saved = Signal(int)
    """Pending changes were written; the return's new percent complete."""

    sig_refused = Signal(dict)
    """The answers the store refuses (item id → the reason); empty once there are none."""

    def __init__(self, autosaver: Autosaver, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.autosaver = autosaver
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._on_timer)
        # While saving fails, what is typed reaches the recovery journal this soon (no database involved).
        self.journal_timer = QTimer(self)
        self.journal_timer.setSingleShot(True)
        self.journal_timer.setInterval(int(FLUSH_DELAY_S * 1000))
        self.journal_timer.timeout.connect(self.autosaver.journal_now)
        self.state = "saved"
        #: Why the last changes are not saved yet (for the user), or "".
        self.problem = ""
        if autosaver.pending:
            self.timer.start(int(FLUSH_DELAY_S * 1000))  # taken over with changes still unsaved

    def change(self, item_id: str, value: Any) -> None:
        self.autosaver.change(item_id, value)
        if self.state == "error":
            self.journal_timer.start()
        elif self.state != "saving":
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
        # The "saved" mark waits only for the commit; the percent complete is stored once the mark is shown.
        if self.flush(settle=False):
            QTimer.singleShot(0, self.settle)

    @Slot()
    def settle(self) -> None:
        """Store the percent complete after the saves so far (see :meth:`Autosaver.settle`)."""
        percent = self.autosaver.settle()
        if percent is not None:
            self.sig_saved.emit(percent)

    def flush(self, *, settle: bool = True) -> bool:
        """Write now (and, with ``settle``, store the percent complete). False (and a retry later) while
        anything is left unsaved; the changes stay in memory and, if the database cannot be written, in the
        recovery journal."""
        self.timer.stop()
        if not self.autosaver.pending:
            if settle:
                self.settle()
            return True
        try:
            self.autosaver.save()
        except SaveError as exc:
            self._failed(str(exc), " Kept in a recovery file; retrying…" if exc.journaled else " Retrying…")
            return False
        except returns.ReturnError as exc:
            self._failed(str(exc), " Retrying…")
            return False
        except Exception as exc:  # a bug: the text is in the journal; say so and keep trying
            log.exception("autosave failed")
            self._failed(f"Something went wrong while saving ({type(exc).__name__}).", " Retrying…")
            return False
        self.journal_timer.stop()
        refused = self.autosaver.refused
        self.sig_refused.emit(refused)
        if settle:
            self.settle()
        if refused:
            self.state = "error"
            self.problem = " ".join(dict.fromkeys(refused.values()))
            which = "One answer" if len(refused) == 1 else f"{len(refused)} answers"
            self.sig_state_changed.emit("error", f"Not saved: {which} cannot be stored as it is (see the item).")
        else:
            self.state = "saved"
            self.problem = ""
            self.sig_state_changed.emit("saved", f"All changes saved at {datetime.now():%H:%M:%S}")
        if self.autosaver.waiting:  # changed during the write
            self.timer.start(int(FLUSH_DELAY_S * 1000))
        return not self.autosaver.pending

    def _failed(self, reason: str, then: str) -> None:
        self.state = "error"
        self.problem = reason
        self.sig_state_changed.emit("error", f"Not saved yet: {reason}{then}")
        self.timer.start(RETRY_MS)

    def stop(self) -> None:
        """Stop the timers (the autosaver is handed on, or its changes discarded)."""
        self.settle()
        self.timer.stop()
        self.journal_timer.stop()
