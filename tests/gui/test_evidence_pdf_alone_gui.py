"""The return viewer on a return imported from its signed PDF alone: its evidence files are listed, each marked
"not received yet: import the .oscb bundle", with nothing to open and no error; once the bundle completes the
return, the same viewer opens them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from helpers.bundle_kit import ATTACHMENT_DATA, ATTACHMENT_NAME, members_of, payload_naming
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from oscb_desktop.services import imports
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui import ops
from oscb_desktop.ui.business_unit.common import Collations
from oscb_desktop.ui.business_unit.viewer import ReturnViewer

MINUTES_NAME = "Board minutes May 2026.txt"
MINUTES = b"Minutes of the safeguarding board, 12 May 2026.\n" * 40


def wait_for_jobs(qtbot) -> None:
    qtbot.waitUntil(lambda: not ops.running(), timeout=20_000)


def visible_box() -> QMessageBox | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)


def test_files_of_a_pdf_alone_wait_for_the_bundle_then_open(
    qtbot, workspace: Workspace, build: Callable[..., bytes], tmp_path: Path, opened: list[Path]
) -> None:
    bu = workspace
    bundle = tmp_path / "return.oscb"
    bundle.write_bytes(
        build(
            submission=payload_naming((MINUTES_NAME, MINUTES)),
            attachments=[(ATTACHMENT_NAME, ATTACHMENT_DATA), (MINUTES_NAME, MINUTES)],
        )
    )
    pdf = tmp_path / "forwarded.pdf"
    pdf.write_bytes(members_of(bundle.read_bytes())["submission.pdf"])
    [alone] = imports.import_paths(bu, [pdf], trust_new=True)
    assert alone.code == "pdf_only", alone.reason

    viewer = ReturnViewer(bu, alone.received_id, Collations(bu))
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitExposed(viewer)
    wait_for_jobs(qtbot)
    evidence = viewer.evidence
    assert viewer.tabs.tabText(viewer.evidence_tab) == "Evidence files (2, not received)"
    viewer.tabs.setCurrentIndex(viewer.evidence_tab)
    assert evidence.missing.isVisible() and "Import the return's .oscb bundle" in evidence.missing.text()
    tree = evidence.tree
    lines = [tree.topLevelItem(n).child(0).text(0) for n in range(tree.topLevelItemCount())]
    assert [line.split("\n")[0] for line in lines] == [ATTACHMENT_NAME, MINUTES_NAME]
    assert all(line.endswith("not received yet: import the .oscb bundle") for line in lines)
    assert evidence.select("s1.2", evidence.files[1].sha256)
    assert not evidence.open_button.isEnabled(), "nothing to open yet"
    QTest.keyClick(tree, Qt.Key.Key_Return)
    box = visible_box()
    assert box is not None and box.windowTitle() == "File not received yet"
    assert "not received yet" in box.text() and ".oscb file" in box.informativeText()
    box.button(QMessageBox.StandardButton.Ok).click()
    wait_for_jobs(qtbot)
    assert opened == [], "nothing opened, no job started"
    assert not viewer.hints.isVisible() or all(h.kind != "no_text" for h in viewer.hints.hints)

    [full] = imports.import_paths(bu, [bundle])
    assert (full.code, full.received_id) == ("completed", alone.received_id), full.reason
    viewer.show_selected_version()  # the same version again, now with its bundle
    wait_for_jobs(qtbot)
    assert viewer.tabs.tabText(viewer.evidence_tab) == "Evidence files (2)"
    assert not evidence.missing.isVisible()
    assert evidence.select("s1.2", evidence.files[1].sha256)
    assert evidence.open_button.isEnabled()
    assert "not received" not in tree.currentItem().text(0)
    QTest.keyClick(tree, Qt.Key.Key_Return)
    wait_for_jobs(qtbot)
    (copy,) = opened
    assert copy.name == MINUTES_NAME and copy.read_bytes() == MINUTES
    assert visible_box() is None
    viewer.close()
