"""Opening files with the app: a second start on the same workspace (a real process, as a double-click runs it)
hands its file to the window already open, which opens it — a pack goes to joining — and the second start ends;
a bundle opened in an agency's workspace shows its signed PDF read-only; each kind of file goes where it belongs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers.answers import complete_answers
from helpers.partnership_kit import agency_id, bu_key, fingerprint, sign_and_export
from helpers.partnership_kit import agency_ws as agency_ws
from helpers.partnership_kit import bu_a as bu_a
from helpers.partnership_kit import pack_a as pack_a
from PySide6.QtPrintSupport import QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QMessageBox

from oscb_desktop.services import partnerships, returns
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import ops
from oscb_desktop.ui.agency.join import JoinDialog
from oscb_desktop.ui.instance import InstanceServer, server_name
from oscb_desktop.ui.main_window import MainWindow
from oscb_desktop.ui.open_files import ENCRYPTED, FEEDBACK, PACK, kind_of, open_files

ROOT = Path(__file__).resolve().parents[2]


def visible(kind: type) -> list:  # type: ignore[type-arg]
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_kinds() -> None:
    assert kind_of(Path("x.OSCB.p7m")) == ENCRYPTED and kind_of(Path("p.oscbpack")) == PACK
    assert kind_of(Path("f.oscbfeedback")) == FEEDBACK and kind_of(Path("notes.txt")) is None


def test_a_second_start_hands_its_file_to_the_open_window(
    qtbot,
    agency_ws: Workspace,
    pack_a: Path,
) -> None:
    window = MainWindow(agency_ws)
    qtbot.addWidget(window)
    window.show()
    server = InstanceServer(agency_ws.folder, window)
    assert server.listening and server_name(agency_ws.folder) == server_name(agency_ws.folder / ".")
    server.sig_files.connect(lambda paths: open_files(window, agency_ws, paths))

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    second = subprocess.Popen(
        [sys.executable, "-c", "import sys; from oscb_desktop.ui.app import main; sys.exit(main())",
         "--data-dir", str(agency_ws.folder), str(pack_a)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    qtbot.waitUntil(lambda: second.poll() is not None, timeout=60_000)
    _out, err = second.communicate()
    assert second.returncode == 0, err
    qtbot.waitUntil(lambda: bool(visible(JoinDialog)), timeout=30_000)  # the first window opened the pack
    [dialog] = visible(JoinDialog)
    dialog.reject()
    assert partnerships.list_partnerships(agency_ws) == [], "nothing trusted without the person's answer"


def test_a_bundle_opens_read_only_in_an_agency_workspace_and_encrypted_ones_are_explained(
    qtbot,
    agency_ws: Workspace,
    bu_a: Workspace,
    pack_a: Path,
    tmp_path: Path,
) -> None:
    joined = partnerships.join(agency_ws, pack_a, trust=fingerprint(bu_a)).partnership
    sub = returns.start_return(agency_ws, agency_id(agency_ws), "section11", "2026/27", partnership_id=joined.id)
    returns.save_answers(agency_ws, sub.id, complete_answers(returns.form_of(agency_ws, sub)))
    sealed = sign_and_export(agency_ws, sub.id, tmp_path / "return.oscb")
    [plain] = (agency_ws.folder / "sent").glob("*.oscb")
    assert bu_key(bu_a)  # the Business Unit could open it; the agency's window explains it cannot
    window = MainWindow(agency_ws)
    qtbot.addWidget(window)
    window.show()

    open_files(window, agency_ws, [sealed])
    qtbot.waitUntil(lambda: bool(visible(QMessageBox)))
    [box] = visible(QMessageBox)
    assert "encrypted for the partnership's Business Unit" in box.text() and "sent/" in box.text()
    box.close()

    open_files(window, agency_ws, [plain])
    qtbot.waitUntil(lambda: bool(visible(QPrintPreviewDialog)), timeout=60_000)
    qtbot.waitUntil(lambda: not ops.running())
    [preview] = visible(QPrintPreviewDialog)
    assert preview.printer().docName().endswith("version 1 (read-only)")
    preview.close()
