"""At start the app stores what the recovery journal holds from an earlier run and says so once the window is up."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from oscb_desktop.services import journal, returns
from oscb_desktop.services.agencies import create_agency
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import app, ops


def recovery_box() -> QMessageBox | None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.isVisible() and w.windowTitle() == "Unsaved changes from last time":
            return w
    return None


def test_the_app_recovers_the_journal_after_its_window_opens(qtbot, qapp, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with Workspace.open(folder) as ws:
        ws.bind()
        agency = create_agency(ws, "Oxford City Council", sector="district_council")
        sub_id = returns.start_return(ws, agency.id, "section11", "2026/27").id
        journal.write(folder, sub_id, {"about.notes": "Typed before the power cut"})
    launcher = app.Launcher(qapp, app.build_parser().parse_args(["--data-dir", str(folder)]))
    launcher.start()
    try:
        qtbot.waitUntil(lambda: launcher.window is not None, timeout=20_000)  # the workspace opens on a worker
        assert launcher.ws is not None
        qtbot.waitUntil(lambda: recovery_box() is not None, timeout=10_000)
        box = recovery_box()
        assert box is not None and box.parentWidget().window() is launcher.window  # window-modal on it
        assert "Recovered 1 answer to the Section 11 2026/27 return of Oxford City Council" in box.text()
        assert "A.3" in box.text()
        assert returns.load_answers(launcher.ws, sub_id)["about.notes"] == "Typed before the power cut"
        box.accept()
    finally:
        qtbot.waitUntil(lambda: not ops.running())
        launcher.close()


def test_nothing_to_recover_says_nothing(qtbot, qapp, tmp_path: Path) -> None:
    launcher = app.Launcher(qapp, app.build_parser().parse_args(["--data-dir", str(tmp_path / "ws")]))
    launcher.start()
    try:
        qtbot.waitUntil(lambda: launcher.window is not None, timeout=20_000)  # the workspace opens on a worker
        qtbot.waitUntil(lambda: not ops.running())
        QApplication.processEvents()
        assert recovery_box() is None
    finally:
        launcher.close()
