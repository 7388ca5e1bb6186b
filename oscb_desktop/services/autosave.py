"""The autosave path: changes collect here and are written in one transaction per flush.

Plain Python so the crash test and the CLI use exactly what the GUI uses; the GUI only adds a
timer that calls :meth:`Autosaver.flush` at most :data:`FLUSH_DELAY_S` after the first unsaved change.

Nothing typed is dropped on the way:

- a value the store refuses (too long, an item the form no longer has) is kept, with its reason, while every
  other change is saved (:attr:`Autosaver.refused`);
- when the database cannot be written (full disk, read-only folder, another program holding the lock), every
  unsaved change goes to the recovery journal beside the workspace (:mod:`.journal`), which the next start
  replays; the journal is cleared for the items once they are saved;
- an editor left while its changes cannot be saved hands its :class:`Autosaver` to a :class:`SaveQueue`,
  which keeps trying.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from oscb_desktop.fsutil import WriteError
from oscb_desktop.services import journal, returns
from oscb_desktop.services.workspace import Workspace

log = logging.getLogger(__name__)

#: Time from the first unsaved change to its write. Well under the one second we promise.
FLUSH_DELAY_S = 0.4
#: How long a retry waits for another program's write lock, once a save has failed on it (the first try waits
#: the database's own busy timeout, five seconds): the window stays responsive while the lock lasts.
RETRY_BUSY_TIMEOUT_MS = 250
#: What may keep :meth:`Autosaver.settle` from storing the percent complete (tried again on the next save).
SETTLE_ERRORS: tuple[type[BaseException], ...] = (returns.ReturnError, *journal.WRITE_ERRORS)


class SaveError(Exception):
    """The database could not be written; the message says why, for the user. The changes stay pending.

    ``journaled`` says whether they are safe in the recovery journal meanwhile (the message says so only when
    they are not).
    """

    def __init__(self, message: str, *, journaled: bool) -> None:
        super().__init__(message)
        self.journaled = journaled


class Autosaver:
    def __init__(
        self, ws: Workspace, submission_id: str, clock: Callable[[], float] = time.monotonic, *, resume: bool = True
    ) -> None:
        """``resume``: take up what the journal still holds for this return (an earlier run could not save it)."""
        self.ws = ws
        self.submission_id = submission_id
        self._clock = clock
        self._pending: dict[str, Any] = {}
        #: Refused by the store: item id → (value, reason). Tried again only once the item changes.
        self._refused: dict[str, tuple[Any, str]] = {}
        #: What the journal file holds now (values compared by identity), so it is rewritten only on a change.
        self._journaled: dict[str, Any] = {}
        self._since: float | None = None
        #: The last try found another program holding the write lock.
        self._locked = False
        self.last_saved_at: float | None = None
        self.last_percent: int | None = None
        #: Why the journal could not be written, while it cannot.
        self.journal_error: str | None = None
        #: Saved since the percent complete was last stored (:meth:`settle`).
        self._unsettled = False
        if resume:
            self._resume()

    def _resume(self) -> None:
        try:
            found = journal.unsaved_for(self.ws, self.submission_id)
        except journal.WRITE_ERRORS as exc:
            log.warning("journal of %s not read: %s", self.submission_id, exc)
            return
        if found:
            self._pending.update(found)
            self._journaled = dict(self._pending)
            self._since = self._clock()

    def change(self, item_id: str, value: Any) -> None:
        if not self._pending:
            self._since = self._clock()
        self._refused.pop(item_id, None)
        self._pending[item_id] = value

    @property
    def pending(self) -> bool:
        """Anything not stored yet: changes waiting for their write, and values the store refused."""
        return bool(self._pending or self._refused)

    @property
    def waiting(self) -> bool:
        """Changes waiting for their write (refused values are not: they wait for the user to change them)."""
        return bool(self._pending)

    @property
    def refused(self) -> dict[str, str]:
        """The values the store refused: item id → the reason, for the user."""
        return {item_id: reason for item_id, (_value, reason) in self._refused.items()}

    def pending_value(self, item_id: str, default: Any = None) -> Any:
        if item_id in self._pending:
            return self._pending[item_id]
        if item_id in self._refused:
            return self._refused[item_id][0]
        return default

    def unsaved(self) -> dict[str, Any]:
        """Every value not stored yet, by item id."""
        return {**{k: v for k, (v, _r) in self._refused.items()}, **self._pending}

    def due(self) -> bool:
        return self._since is not None and bool(self._pending) and self._clock() - self._since >= FLUSH_DELAY_S

    def flush(self) -> int | None:
        """Write what is pending and bring the percent complete up to date (:meth:`save`, then :meth:`settle`);
        return the new percent complete, or None if nothing was pending."""
        if not self._pending:
            return None
        self.save()
        return self.settle()

    def save(self) -> bool:
        """Write what is pending, in one transaction holding only the answers and their audit entries; False if
        nothing was pending. The percent complete is left to :meth:`settle`, so the "saved" mark waits for
        nothing but the commit.

        Values the store refuses stay in :attr:`refused` while the rest is written. If the database cannot be
        written, everything unsaved goes to the journal and :class:`SaveError` says why; a signed return
        raises :class:`~oscb_desktop.services.returns.ReturnLockedError`. Either way the changes stay pending
        (nothing is lost in memory), so the caller can tell the user and try again.
        """
        if not self._pending:
            return False
        batch = dict(self._pending)
        try:
            with self._patience():
                result = returns.save_accepted(self.ws, self.submission_id, batch, percent=False)
        except returns.ReturnError:
            self.journal_now()
            raise
        except journal.WRITE_ERRORS as exc:
            self._locked = journal.is_busy(exc)
            journaled = self.journal_now()
            reason = journal.explain_write_error(exc, self.ws.folder)
            if not journaled:
                reason += f" Your changes could not be kept in a recovery file either: {self.journal_error}"
            raise SaveError(reason, journaled=journaled) from exc
        except Exception:
            self.journal_now()  # a bug: keep the text, and let the caller log it
            raise
        self._locked = False
        self._unsettled = True
        # Only forget what was written: changes made during the write stay pending.
        for key, value in batch.items():
            if self._pending.get(key) is value:
                del self._pending[key]
                if key in result.refused:
                    self._refused[key] = (value, result.refused[key])
        self._since = self._clock() if self._pending else None
        self.last_saved_at = self._clock()
        if self._journaled or self._refused:
            self.journal_now()
        return True

    def settle(self) -> int | None:
        """Store the percent complete after the saves since the last call; return it (None if nothing was saved
        since). A failure is logged and tried again next time: the answers themselves are already saved."""
        if not self._unsettled:
            return None
        try:
            percent = returns.refresh_percent(self.ws, self.submission_id)
        except SETTLE_ERRORS as exc:
            log.warning("percent complete of %s not stored: %s", self.submission_id, exc)
            return None
        self._unsettled = False
        self.last_percent = percent
        return percent

    @contextmanager
    def _patience(self) -> Iterator[None]:
        """While the last try found the database locked by another program, wait for it only briefly."""
        if not self._locked:
            yield
            return
        db = self.ws.db
        before = db.execute_sql("PRAGMA busy_timeout").fetchone()[0]
        db.execute_sql(f"PRAGMA busy_timeout = {min(before, RETRY_BUSY_TIMEOUT_MS)}")
        try:
            yield
        finally:
            db.execute_sql(f"PRAGMA busy_timeout = {before}")

    def journal_now(self) -> bool:
        """Make the journal hold exactly what is unsaved (no database involved). False if it cannot be written."""
        unsaved = self.unsaved()
        if unsaved.keys() == self._journaled.keys() and all(unsaved[k] is self._journaled[k] for k in unsaved):
            return self.journal_error is None
        try:
            journal.write(self.ws.folder, self.submission_id, unsaved, self.refused)
        except WriteError as exc:
            self.journal_error = str(exc)
            log.warning("recovery journal of %s not written: %s", self.submission_id, exc)
            return False
        self._journaled = unsaved
        self.journal_error = None
        return True

    def discard(self) -> None:
        """Forget every unsaved change, and its journal entries: the user chose to throw them away."""
        self._pending.clear()
        self._refused.clear()
        self._since = None
        try:
            journal.write(self.ws.folder, self.submission_id, {})
            self._journaled = {}
        except WriteError as exc:
            log.warning("recovery journal of %s not cleared: %s", self.submission_id, exc)


@dataclass
class RetryOutcome:
    """What one :meth:`SaveQueue.retry` did: the returns now saved, and why the others are not (by return id)."""

    saved: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


class SaveQueue:
    """The autosavers of editors that were left while their changes could not be saved: kept trying, per workspace.

    An editor opened again on the same return takes its autosaver back (:meth:`take`), so what is typed there
    continues from what is still pending.
    """

    def __init__(self) -> None:
        self._savers: dict[str, Autosaver] = {}

    def park(self, saver: Autosaver) -> None:
        """Keep trying to save ``saver``'s changes (a saver with nothing unsaved is not kept)."""
        if saver.pending:
            saver.journal_now()
            self._savers[saver.submission_id] = saver

    def take(self, submission_id: str) -> Autosaver | None:
        return self._savers.pop(submission_id, None)

    def submission_ids(self) -> list[str]:
        return list(self._savers)

    def savers(self) -> list[Autosaver]:
        return list(self._savers.values())

    @property
    def pending(self) -> bool:
        return any(s.pending for s in self._savers.values())

    def retry(self) -> RetryOutcome:
        """Try every parked saver once; those with nothing left unsaved leave the queue."""
        outcome = RetryOutcome()
        for sub_id, saver in list(self._savers.items()):
            try:
                saver.flush()
            except (SaveError, returns.ReturnError) as exc:
                outcome.failed[sub_id] = str(exc)
                continue
            if saver.refused:
                outcome.failed[sub_id] = " ".join(saver.refused.values())
                continue
            del self._savers[sub_id]
            outcome.saved.append(sub_id)
        return outcome

    def discard(self, submission_id: str) -> None:
        saver = self._savers.pop(submission_id, None)
        if saver is not None:
            saver.discard()
