"""The autosave path: changes collect here and are written in one transaction per flush.

Plain Python so the crash test and the CLI use exactly what the GUI uses; the GUI only adds a
timer that calls :meth:`Autosaver.flush` at most :data:`FLUSH_DELAY_S` after the first unsaved change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from oscb_desktop.services import returns
from oscb_desktop.services.workspace import Workspace

#: Time from the first unsaved change to its write. Well under the one second we promise.
FLUSH_DELAY_S = 0.4


class Autosaver:
    def __init__(self, ws: Workspace, submission_id: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.ws = ws
        self.submission_id = submission_id
        self._clock = clock
        self._pending: dict[str, Any] = {}
        self._since: float | None = None
        self.last_saved_at: float | None = None
        self.last_percent: int | None = None

    def change(self, item_id: str, value: Any) -> None:
        if not self._pending:
            self._since = self._clock()
        self._pending[item_id] = value

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def pending_value(self, item_id: str, default: Any = None) -> Any:
        return self._pending.get(item_id, default)

    def due(self) -> bool:
        return self._since is not None and bool(self._pending) and self._clock() - self._since >= FLUSH_DELAY_S

    def flush(self) -> int | None:
        """Write what is pending; return the new percent complete, or None if nothing was pending.

        On failure the changes stay pending (nothing is lost in memory) and the error propagates,
        so the caller can tell the user and try again.
        """
        if not self._pending:
            return None
        batch = dict(self._pending)
        percent = returns.save_answers(self.ws, self.submission_id, batch)
        # Only forget what was written: changes made during the write stay pending.
        for key, value in batch.items():
            if self._pending.get(key) is value:
                del self._pending[key]
        self._since = self._clock() if self._pending else None
        self.last_saved_at = self._clock()
        self.last_percent = percent
        return percent
