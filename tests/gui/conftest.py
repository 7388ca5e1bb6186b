"""Fixtures for the GUI tests: a watch on the event loop, to prove long work does not freeze the window, and what
the system's viewer was asked to open."""

from __future__ import annotations

import importlib
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from helpers.engines import open_bu_copy
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import ops


class EventLoopWatch:
    """Records the longest gap between ticks of a 10 ms timer: how long the window could not repaint."""

    TICK_MS = 10

    def __init__(self) -> None:
        self.longest_ms = 0
        self.ticks = 0
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.longest_ms = 0
        self.ticks = 0
        self._clock.start()
        self._timer.start()

    def stop(self) -> int:
        if self._timer.isActive():
            self._timer.stop()
            self._tick()
        return self.longest_ms

    def pause(self) -> None:
        """Stop counting (work the test does not measure, such as a job's callbacks, runs now)."""
        if self._timer.isActive():
            self._tick()
            self._timer.stop()

    def resume(self) -> None:
        self._clock.restart()
        self._timer.start()

    def _tick(self) -> None:
        gap = self._clock.restart()
        self.ticks += 1
        self.longest_ms = max(self.longest_ms, gap)


@pytest.fixture(autouse=True, scope="session")
def _gil_shared_as_in_the_app() -> None:
    """The app shortens the GIL switch interval at start (ops.share_the_gil); so do the GUI tests."""
    ops.share_the_gil()


#: What the app loads on first use (signing, the PDFs, verifying, collating: oscb_desktop.lazy).
LOADED_ON_FIRST_USE = (
    "oscb_desktop.signing.pdf",
    "oscb_desktop.signing.pdf_data",
    "oscb_desktop.report.submission",
    "oscb_desktop.report.board",
    "oscb_desktop.report.collation_xlsx",
    "oscb_desktop.bundle.verify",
    "oscb_desktop.bundle.writer",
    "oscb_desktop.collate",
    "oscb_desktop.demo",
    "jsonschema",
)


@pytest.fixture(autouse=True, scope="session")
def _modules_loaded_once() -> None:
    """Loaded before the tests, once: the tests that time the event loop during work measure the work, not the
    first load of its modules (which an installed app does from compiled bytecode, on the worker, in a few
    hundred milliseconds that the UI shares; on a machine that compiles every module on every load, as
    PYTHONDONTWRITEBYTECODE does, compiling one large module holds the GIL in one piece)."""
    for name in LOADED_ON_FIRST_USE:
        importlib.import_module(name)


@pytest.fixture(autouse=True)
def _no_windows_left_behind(qapp) -> Iterator[None]:
    """Every window a test made is deleted after it, so no test inherits another's widgets (a closed window is
    only hidden; thousands of leftover widgets from an editor test once stalled a later test's event loop)."""
    yield
    ops.wait_for_all()  # a window closed while work runs would ask, modally, whether to wait for it
    QApplication.processEvents()  # the ended jobs' results reach the UI thread, so none counts as running
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def loop_watch(qapp) -> Iterator[EventLoopWatch]:
    watch = EventLoopWatch()
    yield watch
    watch.stop()


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """What the system's viewer was asked to open (nothing is really opened in a test)."""
    paths: list[Path] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: paths.append(Path(url.toLocalFile())) or True)
    return paths


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    """Windows closed at teardown (pytest-qt closes every widget a test registered, before fixtures end) never ask
    about unsaved changes: the question is modal, nobody would answer it, and the run would wait forever. A test
    that checks the question closes its window itself, before teardown."""
    from oscb_desktop.ui.agency.workspace import AgencyWorkspace

    original = AgencyWorkspace.confirm_quit
    AgencyWorkspace.confirm_quit = lambda _self, _parent=None: True  # type: ignore[method-assign, assignment]
    try:
        return (yield)
    finally:
        AgencyWorkspace.confirm_quit = original  # type: ignore[method-assign]


@pytest.fixture
def bu_ws(
    request: pytest.FixtureRequest, engine: str, bu_template: Path, tmp_path: Path, shipped_forms: FormRegistry
) -> Iterator[Workspace]:
    """A copy of the module's demo Business Unit workspace (its ``bu_template`` fixture), on each engine in turn: on
    PostgreSQL the template is moved to the server once and each test gets a copy (evidence in the database)."""
    ws = open_bu_copy(request, engine, bu_template, tmp_path / "bu", shipped_forms)
    ws.bind()
    try:
        yield ws
    finally:
        ws.close()
