"""The ``oscb-desktop`` entry point: --screenshot, --demo, a too-new workspace, broken form files."""

from __future__ import annotations

import ast
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.workspaces import flipped
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QProgressDialog

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services import agencies, backups, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import CURRENT_VERSION, WorkspaceReadOnlyError
from oscb_desktop.ui import app, ops, restore
from oscb_desktop.ui.main_window import MainWindow


def test_screenshot_of_a_new_workspace_shows_the_welcome_page(qapp, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    assert app.main(["--data-dir", str(tmp_path / "ws"), "--screenshot", str(shot)]) == 0
    image = QImage(str(shot))
    assert image.width() >= 1000 and image.height() >= 700
    assert (tmp_path / "ws" / "workspace.db").is_file()


def test_demo_opens_on_demo_data(qapp, tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    folder = tmp_path / "demo-ws"
    code = app.main(["--demo", "--demo-agencies", "3", "--data-dir", str(folder), "--screenshot", str(shot)])
    assert code == 0 and shot.is_file()
    with Workspace.open(folder) as ws:
        ws.bind()
        assert len(returns.list_returns(ws)) >= 6


def test_the_demo_shows_its_progress_window_at_once(qapp, tmp_path: Path) -> None:
    """Issue 13, item 18: a window with progress at once, not seconds of nothing while the demo is made."""
    seen: list[str] = []

    def look() -> None:  # the event loop's first turns: the progress window must be up already
        windows = QApplication.topLevelWidgets()
        seen.extend(w.labelText() for w in windows if isinstance(w, QProgressDialog) and w.isVisible())

    QTimer.singleShot(50, look)
    shot = tmp_path / "demo.png"
    code = app.main(["--demo", "--demo-agencies", "1", "--data-dir", str(tmp_path / "ws"), "--screenshot", str(shot)])
    assert code == 0 and shot.is_file()
    assert seen == ["Preparing the demo agencies' returns…"]


def loaded(imports: str, candidates: list[str]) -> list[str]:
    """Which of ``candidates`` a fresh Python has loaded after ``imports``."""
    probe = f"import sys; {imports}; print([m for m in {candidates!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return list(ast.literal_eval(out.stdout.strip()))


def test_the_window_is_on_screen_before_the_store_forms_or_modes_load() -> None:
    """What the start imports before it can show its window is all the user waits through: the store (peewee),
    the forms (yaml, jsonschema), signing, the demo and the modes' modules load behind it, on a worker
    (bench/bench_startup.py measures it)."""
    later = [
        "peewee",
        "yaml",
        "jsonschema",
        "platformdirs",
        "oscb_desktop.store",
        "oscb_desktop.forms",
        "oscb_desktop.services",
        "oscb_desktop.signing",
        "oscb_desktop.demo",
        "oscb_desktop.ui.agency",
        "oscb_desktop.ui.business_unit",
        "pyhanko",
        "reportlab",
        "cryptography",
    ]
    assert loaded("import oscb_desktop.ui.app, oscb_desktop.ui.main_window", later) == []


def test_the_modes_load_no_pdf_signing_or_document_libraries() -> None:
    """An agency's window fills without pyHanko, reportlab, asn1crypto, the spreadsheet and Word libraries or
    the JSON Schema checker (with its forms from the cache); they load when a return is signed, printed,
    exported or verified."""
    never = ["pyhanko", "aiohttp", "reportlab", "fontTools", "asn1crypto", "openpyxl", "docx", "jsonschema"]
    never += ["oscb_desktop.demo", "oscb_desktop.collate.collation", "oscb_desktop.bundle.verify"]
    imports = "import oscb_desktop.ui.agency, oscb_desktop.ui.business_unit, oscb_desktop.services.registry"
    assert loaded(imports, never) == []


def test_a_workspace_from_a_newer_version_is_refused_and_left_alone(qapp, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "ws"
    Workspace.open(folder).close()
    db = folder / "workspace.db"
    con = sqlite3.connect(db)
    con.execute("UPDATE schema_version SET version = ?", (CURRENT_VERSION + 1,))
    con.commit()
    con.close()
    before = db.read_bytes()
    assert app.main(["--data-dir", str(folder), "--screenshot", str(tmp_path / "x.png")]) == 2
    assert "newer version" in capsys.readouterr().err
    assert db.read_bytes() == before


def test_broken_form_definitions_are_listed_and_the_rest_still_load(qtbot, tmp_path: Path, workspace) -> None:
    forms = tmp_path / "forms"
    forms.mkdir()
    good = FormRegistry.load().get("impact", "2026.1").source
    (forms / "impact.yaml").write_text(Path(good).read_text(encoding="utf-8"), encoding="utf-8")
    (forms / "broken.yaml").write_text("format: 1\nid: broken\nversion: '1'\ntitle: x\nperiod: 2026/27\n")
    registry = FormRegistry.load(forms)
    assert [f.id for f in registry] == ["impact"]
    window = MainWindow(workspace, registry.errors)
    qtbot.addWidget(window)
    banner = window.agency.home.form_errors
    assert not banner.isHidden()
    assert "broken.yaml" in banner.text() and "sections" in banner.text()


# Start-up on a damaged, busy or unwritable workspace; restoring a backup (issue 17 items 1, 4, 5, 6, 9) ----------

CHILD = Path(__file__).resolve().parents[1] / "helpers" / "workspace_child.py"


def small_workspace(folder: Path) -> tuple[str, Path]:
    """A workspace with one agency and a return with one answer, and a backup of it; (return id, backup)."""
    with Workspace.open(folder) as ws:
        agency = agencies.create_agency(ws, "Backed Up Trust", lead_name="Sam Lead")
        sub = returns.start_return(ws, agency.id, "section11", "2026/27", carry_forward=False)
        returns.save_answers(ws, sub.id, {"about.completed_by": "In the backup"})
        made = backups.backup_now(ws)
        returns.save_answers(ws, sub.id, {"about.completed_by": "After the backup"})
    return sub.id, made.path


@pytest.fixture
def launch(qapp, qtbot) -> Iterator[Callable[..., app.Launcher]]:
    """Start the app's launcher on a folder (as ``oscb-desktop --data-dir FOLDER``); closed after the test, once
    its background jobs (the day's backup) have finished."""
    started: list[app.Launcher] = []

    def start(folder: Path) -> app.Launcher:
        launcher = app.Launcher(qapp, app.build_parser().parse_args(["--data-dir", str(folder)]))
        started.append(launcher)
        launcher.start()
        # The window is on screen at once; the workspace opens behind it, then fills it or asks what to do.
        assert launcher.frame is not None and launcher.frame.isVisible()
        qtbot.waitUntil(lambda: bool(launcher.window or launcher.dialog or launcher.exit_code), timeout=20000)
        return launcher

    yield start
    qtbot.waitUntil(lambda: not ops.running(), timeout=20000)
    for launcher in started:
        launcher.close()


def press(box: QMessageBox, starts_with: str) -> None:
    (button,) = [b for b in box.buttons() if b.text().startswith(starts_with)]
    button.click()


def answer_in(folder: Path, sub_id: str) -> object:
    con = sqlite3.connect(f"{(folder / 'workspace.db').as_uri()}?mode=ro", uri=True)
    try:
        row = con.execute(
            "SELECT value FROM answer WHERE submission_id = ? AND item_id = 'about.completed_by'", (sub_id,)
        ).fetchone()
    finally:
        con.close()
    return json.loads(row[0]) if row else None


def test_a_damaged_workspace_offers_its_newest_backup_and_restores_it(launch, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    sub_id, _made = small_workspace(folder)
    flipped(folder / "workspace.db")
    damaged = (folder / "workspace.db").read_bytes()
    launcher = launch(folder)
    box = launcher.dialog
    assert isinstance(box, QMessageBox) and box.isVisible() and launcher.window is None
    assert str(folder / "workspace.db") in box.text() and "not opened" in box.text()
    assert "newest good backup" in box.informativeText()
    press(box, "Restore the backup of")
    qtbot.waitUntil(lambda: launcher.window is not None, timeout=20000)
    assert answer_in(folder, sub_id) == "In the backup"
    (aside,) = folder.glob("workspace.db.set-aside-*")
    assert aside.read_bytes() == damaged, "the damaged file is kept"
    assert "Restored the backup" in launcher.window.statusBar().currentMessage()


def test_an_emptied_database_is_not_a_new_workspace(launch, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    small_workspace(folder)
    shutil.rmtree(folder / "backups")
    (folder / "workspace.db").write_bytes(b"")
    launcher = launch(folder)
    box = launcher.dialog
    assert isinstance(box, QMessageBox) and "empty" in box.text()
    assert "no backup" in box.informativeText()
    assert [b.text() for b in box.buttons()] == ["Quit"], "no welcome page, no new workspace"
    press(box, "Quit")
    qtbot.waitUntil(lambda: launcher.exit_code == 2)
    assert launcher.window is None and (folder / "workspace.db").read_bytes() == b""


def test_a_lost_journal_is_said_and_the_user_may_carry_on(launch, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    small_workspace(folder)
    writer = subprocess.Popen(
        [sys.executable, str(CHILD), "write-then-hang", str(folder)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "SAVED 5"
    finally:
        writer.kill()
        writer.communicate(timeout=30)
    (folder / "workspace.db-wal").unlink()
    launcher = launch(folder)
    box = launcher.dialog
    assert isinstance(box, QMessageBox) and "workspace.db-wal is missing" in box.text()
    assert "may be lost" in box.text()
    press(box, "Carry on with what is saved")
    qtbot.waitUntil(lambda: launcher.window is not None, timeout=20000)
    assert list(folder.glob("workspace.db-shm.set-aside-*"))


def test_a_workspace_open_elsewhere_can_be_opened_read_only(launch, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    sub_id, _made = small_workspace(folder)
    holder = subprocess.Popen(
        [sys.executable, str(CHILD), "hold", str(folder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    launcher = None
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "READY"
        launcher = launch(folder)
        box = launcher.dialog
        assert isinstance(box, QMessageBox) and box.windowTitle() == "Workspace already open"
        assert str(holder.pid) in box.text() and "since" in box.text()
        press(box, "Open read-only")
        qtbot.waitUntil(lambda: launcher is not None and launcher.window is not None)
        window, ws = launcher.window, launcher.ws
        assert window is not None and ws is not None and ws.read_only
        assert window.windowTitle().endswith("(read-only)")
        with pytest.raises(WorkspaceReadOnlyError):
            returns.save_answers(ws, sub_id, {"about.completed_by": "Not saved"})
        assert answer_in(folder, sub_id) == "After the backup"
    finally:
        holder.kill()
        holder.communicate(timeout=30)


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs a folder nobody may write to (/sys)")
def test_a_folder_that_cannot_be_written_gets_a_plain_dialog(launch, qtbot) -> None:
    launcher = launch(Path("/sys/oscb-desktop-test-workspace"))
    box = launcher.dialog
    assert isinstance(box, QMessageBox) and box.windowTitle() == "The workspace folder cannot be written"
    assert "not allowed to write" in box.text()
    box.close()
    qtbot.waitUntil(lambda: launcher.exit_code == 2)


def menu_action(window: MainWindow, text: str) -> QAction:
    found = [
        a for menu in window.findChildren(QMenu) if menu.menuAction().isVisible()
        for a in menu.actions() if a.text() == text
    ]  # fmt: skip
    assert len(found) == 1, [a.text() for m in window.findChildren(QMenu) for a in m.actions()]
    return found[0]


def test_restore_from_backup_in_the_file_menu(launch, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    sub_id, made = small_workspace(folder)
    launcher = launch(folder)
    qtbot.waitUntil(lambda: launcher.window is not None)
    qtbot.waitUntil(lambda: not ops.running())  # the day's backup was made already: nothing to do
    assert launcher.window is not None
    menu_action(launcher.window, "Restore from &backup…").trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, restore.BackupsDialog) and w.isVisible())
    assert dialog.chosen() is not None and dialog.chosen().path == made
    dialog.accept()
    confirm = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    assert "set aside" in confirm.informativeText()
    press(confirm, "Restore")
    qtbot.waitUntil(lambda: launcher.window is not None and launcher.ws is not None, timeout=20000)
    assert answer_in(folder, sub_id) == "In the backup"
    assert len(list(folder.glob("workspace.db.set-aside-*"))) == 1
    # The Business Unit's side has the same action.
    launcher.window.business_unit.activate()
    menu_action(launcher.window, "Restore from &backup…").trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, restore.BackupsDialog) and w.isVisible())
    dialog.reject()
