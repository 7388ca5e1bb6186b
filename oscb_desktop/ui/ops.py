"""One way to run long work: in the background, with progress (and cancel, where that is safe) on screen, and
the result handed back on the UI thread.

In the spirit of anki's ``CollectionOp``::

    Job(parent, "Exporting", lambda job: signoff.export(ws, sid, path, key=key, progress=job.say))
        .on_success(lambda result: show_exported(parent, result))
        .on_failure(lambda exc: message(parent, "Not exported", str(exc)))
        .start()

``work(job)`` runs on a worker thread. It reports with ``job.progress(done, total, text)`` or ``job.say(text)``
(both safe from any thread) and, if the job was started ``cancellable=True``, calls ``job.check()`` at points
where stopping leaves nothing half-written (between bundles, between pages); ``check`` raises
:class:`Cancelled` once the user has pressed Cancel. ``on_success``/``on_failure``/``on_done`` run on the UI
thread. Without ``on_failure`` a failure is shown in a message box and logged.

Work that has to use Qt objects that hold the GIL while they work (painting onto a printer, say) cannot
leave the UI thread's way by running on another thread. It runs as *steps* instead: ``work`` is a generator
(``ui_steps=True``) that yields after each small piece, and the steps run on the UI thread in slices of a few
milliseconds with the event loop turning between them.

The database: the workers use the workspace's database too. peewee keeps one connection per thread, so a
worker opens its own connection to the same WAL file and the job closes it when the work ends.

Running jobs are kept alive here until they finish, and the application waits for them when it quits, so a
file being written is finished, never cut off.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from oscb_desktop import logs
from oscb_desktop.ui.common import keep_until_closed

T = TypeVar("T")

log = logging.getLogger(__name__)

#: The progress window appears only for work that takes longer than this.
SHOW_AFTER_MS = 300
#: How long a slice of stepped work may keep the event loop waiting.
SLICE_S = 0.015

#: Jobs started and not yet finished (a job must outlive the widget that started it).
_RUNNING: set[Job[Any]] = set()


#: How long a thread may hold the GIL while another waits for it (CPython's default is 5 ms). Every call from Qt
#: into a widget made in Python (paint, layout, events) takes the GIL, so while a worker runs pure-Python code
#: (reportlab, pyHanko) the UI thread waits up to this long at each such call; a window of a thousand widgets
#: then stands still for a large part of a second. Half a millisecond keeps the window moving; the worker
#: loses a few per cent.
SWITCH_INTERVAL_S = 0.0001


def share_the_gil() -> None:
    """Let the UI thread take the GIL back from a busy worker quickly (call once, before jobs run)."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


class Cancelled(Exception):
    """The user cancelled the job; raised by :meth:`Job.check` on the worker thread."""


class _Worker(QThread):
    """Runs ``job.work(job)`` and keeps the outcome; the job is told through ``finished``."""

    def __init__(self, job: Job[Any]) -> None:
        super().__init__()
        self.job = job
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.job.work(self.job)
        except BaseException as exc:  # handed to the UI thread, which decides how to show it
            self.error = exc
        finally:
            _release_thread_connection()


def _release_thread_connection() -> None:
    """Close the worker's database connections, if the store has been loaded at all (a job that never touched a
    workspace does not load it: the first window opens before the store is imported)."""
    if "oscb_desktop.services.workspace" in sys.modules:
        from oscb_desktop.services.workspace import release_thread_connection

        release_thread_connection()


class _ProgressDialog(QProgressDialog):
    """A progress window that can only be closed by its Cancel button (and only when cancelling is safe)."""

    def __init__(self, label: str, cancellable: bool, parent: QWidget | None) -> None:
        super().__init__(label, "Cancel" if cancellable else "", 0, 0, parent)
        self.cancellable = cancellable
        if not cancellable:
            self.setCancelButton(None)  # type: ignore[arg-type]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not self.cancellable:
            event.ignore()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.cancellable:
            event.ignore()
            return
        super().closeEvent(event)


class Job(QObject, Generic[T]):
    """Background work with a progress window; see the module docstring."""

    sig_progress = Signal(int, int, str)
    """Progress from the worker: done, total (0 = unknown) and what is being done."""

    sig_finished = Signal()
    """The job ended (success, failure or cancel) and its callbacks have run."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        work: Callable[[Job[T]], T] | Callable[[Job[T]], Generator[object, None, T]],
        *,
        label: str = "",
        cancellable: bool = False,
        show_progress: bool = True,
        modal: bool = True,
        ui_steps: bool = False,
        show_after_ms: int = SHOW_AFTER_MS,
    ) -> None:
        super().__init__(None)  # owned by _RUNNING while it runs, not by a widget that may close meanwhile
        self.parent_widget = parent
        self.title = title
        self.work = work
        self.label = label or f"{title}…"
        self.cancellable = cancellable
        self.show_progress = show_progress
        self.modal = modal
        #: ``work`` is a generator run in small steps on the UI thread (see the module docstring).
        self.ui_steps = ui_steps
        #: the progress window shows once the work has taken this long (0: at once, as when nothing else shows)
        self.show_after_ms = show_after_ms
        self._steps: Iterator[object] | None = None
        self.result: T | None = None
        self.error: BaseException | None = None
        self.cancelled = False
        self.done = False
        self._cancel = threading.Event()
        self._success: list[Callable[[T], None]] = []
        self._failure: list[Callable[[BaseException], None]] = []
        self._cancelled: list[Callable[[], None]] = []
        self._finally: list[Callable[[], None]] = []
        self._dialog: _ProgressDialog | None = None
        self._worker: _Worker | None = None
        self._started = 0.0
        self.sig_progress.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)

    # Building -------------------------------------------------------------------------------------

    def on_success(self, callback: Callable[[T], None]) -> Job[T]:
        self._success.append(callback)
        return self

    def on_failure(self, callback: Callable[[BaseException], None]) -> Job[T]:
        self._failure.append(callback)
        return self

    def on_cancel(self, callback: Callable[[], None]) -> Job[T]:
        self._cancelled.append(callback)
        return self

    def on_done(self, callback: Callable[[], None]) -> Job[T]:
        """Runs last, whatever the outcome (re-enable buttons, restore a cursor)."""
        self._finally.append(callback)
        return self

    # Running --------------------------------------------------------------------------------------

    def start(self) -> Job[T]:
        _watch_quit()
        if not running():
            # A full garbage collection walks every live object and holds the GIL meanwhile: with the app's
            # modules loaded that is 50-150 ms in which the window cannot repaint. Objects that exist before the
            # job are set aside from collection until the last job ends (they are not garbage the job makes).
            gc.freeze()
        _RUNNING.add(self)
        self._started = time.monotonic()
        if self.show_progress:
            dialog = _ProgressDialog(self.label, self.cancellable, self.parent_widget)
            dialog.setWindowTitle(self.title)
            dialog.setWindowModality(Qt.WindowModality.WindowModal if self.modal else Qt.WindowModality.NonModal)
            dialog.setMinimumDuration(self.show_after_ms)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            dialog.setMinimumWidth(420)
            dialog.canceled.connect(self.cancel)
            dialog.setValue(0)  # starts the minimum-duration timer
            self._dialog = dialog
        if self.ui_steps:
            steps = self.work(self)
            assert isinstance(steps, Iterator), "a stepped job's work is a generator"
            self._steps = steps
            QTimer.singleShot(0, self._step)
        else:
            self._worker = _Worker(self)
            self._worker.finished.connect(self._finished, Qt.ConnectionType.QueuedConnection)
            self._worker.start()
        log.debug("job started: %s", self.title)
        return self

    @Slot()
    def _step(self) -> None:
        """Run steps of a stepped job for one slice, then give the event loop a turn."""
        assert self._steps is not None
        deadline = time.monotonic() + SLICE_S
        try:
            while time.monotonic() < deadline:
                next(self._steps)
        except StopIteration as stop:
            self._complete(stop.value, None)
            return
        except BaseException as exc:  # handed on as a worker's would be
            self._complete(None, exc)
            return
        QTimer.singleShot(0, self._step)

    @Slot()
    def cancel(self) -> None:
        """Ask the work to stop at its next safe point (only for cancellable jobs)."""
        if self.cancellable and not self.done:
            self._cancel.set()
            if self._dialog is not None:
                self._dialog.setLabelText("Stopping after the current step…")

    def wait(self, timeout_ms: int = -1) -> bool:
        """Block until the worker thread ends (tests, quitting). The callbacks still run from the event loop.

        A stepped job is not waited for: its steps need the event loop this would block."""
        if self._worker is None:
            return True
        return self._worker.wait(timeout_ms) if timeout_ms >= 0 else self._worker.wait()

    # Called from the worker ----------------------------------------------------------------------

    def progress(self, done: int, total: int, text: str = "") -> None:
        """Report progress (any thread)."""
        self.sig_progress.emit(done, total, text)

    def say(self, text: str) -> None:
        """Report what is being done, without a count (any thread)."""
        self.sig_progress.emit(0, 0, text)

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the user asked to stop. Call it only where stopping is safe."""
        if self._cancel.is_set():
            raise Cancelled()

    # Back on the UI thread ------------------------------------------------------------------------

    @Slot(int, int, str)
    def _show_progress(self, done: int, total: int, text: str) -> None:
        dialog = self._dialog
        if dialog is None or self.done:
            return
        if text and not self.cancel_requested:
            dialog.setLabelText(text)
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total > 0 else 0)

    @Slot()
    def _finished(self) -> None:
        worker = self._worker
        assert worker is not None
        worker.wait()
        worker.deleteLater()
        self._complete(worker.result, worker.error)

    def _complete(self, result: T | None, error: BaseException | None) -> None:
        """The work has ended: hide the progress window and run the callbacks (UI thread)."""
        self.done = True
        self.result, self.error = result, error
        if self._dialog is not None:
            self._dialog.hide()
            self._dialog.deleteLater()
            self._dialog = None
        elapsed = time.monotonic() - self._started
        try:
            if isinstance(self.error, Cancelled):
                self.cancelled = True
                log.info("job cancelled: %s after %.2f s", self.title, elapsed)
                for cancelled in self._cancelled:
                    cancelled()
            elif self.error is not None:
                log.log(
                    logging.WARNING if _expected(self.error) else logging.ERROR,
                    "job failed: %s after %.2f s",
                    self.title,
                    elapsed,
                    exc_info=self.error,
                )
                if self._failure:
                    for failed in self._failure:
                        failed(self.error)
                else:
                    show_error(self.parent_widget, f"{self.title}: not done", self.error)
            else:
                log.info("job done: %s in %.2f s", self.title, elapsed)
                for succeeded in self._success:
                    succeeded(self.result)  # type: ignore[arg-type]
        finally:
            for last in self._finally:
                last()
            _RUNNING.discard(self)
            if not running():
                gc.unfreeze()
            self.sig_finished.emit()
            self.deleteLater()


def _expected(error: BaseException) -> bool:
    """A problem the user can act on (its message is written for them), as opposed to a bug."""
    ours = isinstance(error, Exception) and type(error).__module__.startswith("oscb_desktop")
    return ours or isinstance(error, OSError)


def show_error(parent: QWidget | None, title: str, error: BaseException) -> QMessageBox:
    """A window-modal message for a failed job: the message for a known problem, a plain apology for a bug."""
    if _expected(error):
        text, informative = str(error) or type(error).__name__, ""
    else:
        text = "Something unexpected stopped this. Nothing that was saved before has been lost."
        informative = f"{type(error).__name__}: {error}\n\n{logs.where()}"
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if informative:
        box.setInformativeText(informative)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    keep_until_closed(box)
    box.open()
    return box


def running() -> list[Job[Any]]:
    """Jobs that have not finished yet (the window asks before quitting while one runs)."""
    return [job for job in _RUNNING if not job.done]


def wait_for_all(timeout_ms: int = 60_000) -> None:
    """Block until every running worker has ended (at quit: nothing is left half-written)."""
    deadline = time.monotonic() + timeout_ms / 1000
    for job in list(_RUNNING):
        remaining = max(0, int((deadline - time.monotonic()) * 1000))
        job.wait(remaining)


def _watch_quit() -> None:
    app = QCoreApplication.instance()
    if app is not None and not app.property("oscb_waits_for_jobs"):
        app.setProperty("oscb_waits_for_jobs", True)
        app.aboutToQuit.connect(wait_for_all)
