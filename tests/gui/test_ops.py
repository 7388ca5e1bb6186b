"""The long-work module: work on a worker thread, progress and cancel on screen, results on the UI thread."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from oscb_desktop.services import agencies
from oscb_desktop.store.models import database_proxy
from oscb_desktop.ui import ops


def _busy_python(seconds: float) -> int:
    """Pure-Python work that holds the GIL as much as it can (the worst case for the UI thread)."""
    import time

    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += sum(i * i for i in range(200))
    return n


def test_the_work_runs_off_the_ui_thread_and_the_result_comes_back_on_it(qtbot, loop_watch) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: dict[str, object] = {}

    def work(job: ops.Job[int]) -> int:
        seen["work_thread"] = threading.current_thread()
        for step in range(5):
            job.progress(step, 5, f"Step {step + 1} of 5")
            _busy_python(0.1)
        return 42

    def success(value: int) -> None:
        seen["value"] = value
        seen["success_thread"] = threading.current_thread()

    loop_watch.start()
    job = ops.Job(parent, "Counting", work).on_success(success)
    with qtbot.waitSignal(job.sig_finished, timeout=10_000):
        job.start()
    gap = loop_watch.stop()
    assert seen["value"] == 42
    assert seen["work_thread"] is not threading.main_thread()
    assert seen["success_thread"] is threading.main_thread()
    assert gap < 150, f"the event loop stood still for {gap} ms"
    assert loop_watch.ticks > 20
    assert ops.running() == []


def test_progress_reaches_the_dialog(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    release = threading.Event()

    def work(job: ops.Job[None]) -> None:
        job.progress(2, 7, "Checking bundle 3 of 7")
        release.wait(5)

    job = ops.Job(parent, "Importing", work)
    job.start()
    dialog = parent.findChild(QProgressDialog)
    assert dialog is not None and dialog.windowTitle() == "Importing"
    qtbot.waitUntil(lambda: dialog.labelText() == "Checking bundle 3 of 7", timeout=5000)
    assert (dialog.value(), dialog.maximum()) == (2, 7)
    with qtbot.waitSignal(job.sig_finished, timeout=5000):
        release.set()
    assert not dialog.isVisible() or not dialog.isVisibleTo(parent)


def test_a_failure_goes_to_the_failure_callback_on_the_ui_thread(qtbot) -> None:
    failures: list[BaseException] = []
    done: list[str] = []

    def work(_job: ops.Job[None]) -> None:
        raise ValueError("the disk said no")

    job = ops.Job(None, "Failing", work, show_progress=False)
    job.on_success(lambda _v: done.append("success")).on_failure(failures.append).on_done(lambda: done.append("done"))
    with qtbot.waitSignal(job.sig_finished, timeout=5000):
        job.start()
    assert [str(f) for f in failures] == ["the disk said no"]
    assert done == ["done"]


def test_a_failure_without_a_callback_is_shown(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    from oscb_desktop.fsutil import WriteError

    def work(_job: ops.Job[None]) -> None:
        raise WriteError("The disk is full, so report.pdf could not be saved. Free some space and try again.")

    job = ops.Job(parent, "Saving", work, show_progress=False)
    with qtbot.waitSignal(job.sig_finished, timeout=5000):
        job.start()
    boxes = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.windowTitle() == "Saving: not done"]
    assert boxes and "The disk is full" in boxes[0].text()
    for box in boxes:
        box.close()


def test_cancel_stops_at_the_next_safe_point(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    steps: list[int] = []
    started = threading.Event()
    cancelled: list[bool] = []

    def work(job: ops.Job[None]) -> None:
        for step in range(1000):
            job.check()
            steps.append(step)
            started.set()
            _busy_python(0.01)

    job = ops.Job(parent, "Long", work, cancellable=True).on_cancel(lambda: cancelled.append(True))
    job.on_success(lambda _v: pytest.fail("a cancelled job does not succeed"))
    with qtbot.waitSignal(job.sig_finished, timeout=10_000):
        job.start()
        assert started.wait(5)
        job.cancel()
    assert cancelled == [True] and job.cancelled
    assert 0 < len(steps) < 1000


def test_a_job_that_is_not_cancellable_ignores_cancel(qtbot) -> None:
    result: list[int] = []
    job = ops.Job(None, "Sign", lambda j: (j.check(), 7)[1], show_progress=False).on_success(result.append)
    job.cancel()
    with qtbot.waitSignal(job.sig_finished, timeout=5000):
        job.start()
    assert result == [7]


def test_the_worker_uses_its_own_database_connection_and_closes_it(qtbot, workspace) -> None:
    agencies.create_agency(workspace, "Oxford City Council", sector="district", lead_name="A", lead_email=None)
    db = database_proxy.obj
    ui_connection = db.connection()
    seen: dict[str, object] = {}

    def work(_job: ops.Job[int]) -> int:
        seen["connection"] = db.connection()
        return len(agencies.list_agencies(workspace))

    result: list[int] = []
    job = ops.Job(None, "Query", work, show_progress=False).on_success(result.append)
    with qtbot.waitSignal(job.sig_finished, timeout=5000):
        job.start()
    assert result == [1]
    assert seen["connection"] is not ui_connection
    assert db.connection() is ui_connection  # the UI thread's connection is untouched
    with pytest.raises(sqlite3.ProgrammingError):  # and the worker's was closed when its work ended
        seen["connection"].execute("SELECT 1")  # type: ignore[attr-defined]
