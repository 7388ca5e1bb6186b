"""Evidence files in the editor, with real widgets and a real workspace: add by button and by drag and drop,
refusals shown with the file and the rule, keyboard (Tab, Enter opens, Delete removes, Ctrl+Z undoes), carried
files, read-only returns, and a 20 MB file attached without the window standing still."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from oscb_desktop.services import evidence, returns
from oscb_desktop.services.agencies import create_agency
from oscb_desktop.services.workspace import Workspace
from oscb_desktop.store import Submission
from oscb_desktop.ui import ops
from oscb_desktop.ui.editor.evidence import AttachmentsInput, FilesList, RatingWithFiles
from oscb_desktop.ui.editor.page import EditorPage

POLICY = b"%PDF-1.4\n% Safeguarding policy, approved by the board on 12 May 2026\n" * 40


@pytest.fixture
def agency_id(workspace: Workspace) -> int:
    workspace.set_setting("user_name", "Sam Lead")
    return create_agency(workspace, "Oxford City Council", sector="district_council").id


def open_editor(qtbot, ws: Workspace, sub_id: str) -> EditorPage:
    page = EditorPage(ws, sub_id)
    qtbot.addWidget(page)
    page.resize(1300, 900)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def page(qtbot, workspace: Workspace, agency_id: int) -> Iterator[EditorPage]:
    sub = returns.start_return(workspace, agency_id, "section11", "2026/27", carry_forward=False)
    editor = open_editor(qtbot, workspace, sub.id)
    editor.go_to_section(1)
    yield editor
    editor.flush()


def files_of(page: EditorPage, item_id: str) -> FilesList:
    widget = page.frames[item_id].input
    assert isinstance(widget, RatingWithFiles | AttachmentsInput)
    return widget.files


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def wait_for_jobs(qtbot) -> None:
    qtbot.waitUntil(lambda: not ops._RUNNING, timeout=20_000)


def stored(ws: Workspace, page: EditorPage, item_id: str) -> Any:
    assert page.flush()
    return returns.load_answers(ws, page.submission.id).get(item_id)


def drop(widget: FilesList, paths: list[Path]) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, event)
    return event


def message_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_add_by_button_stores_and_names_the_file(
    qtbot, page: EditorPage, workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = files_of(page, "s1.1")
    assert files.empty.isVisible() and not files.list.isVisible()
    policy = write(tmp_path, "Safeguarding policy 2026.pdf", POLICY)
    minutes = write(tmp_path, "Board minutes.txt", b"Minutes of the board, 12 May 2026")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(policy), str(minutes)], ""))
    qtbot.mouseClick(files.add_button, Qt.MouseButton.LeftButton)
    wait_for_jobs(qtbot)

    assert files.list.count() == 2 and files.list.isVisible()
    assert files.list.item(0).text().startswith("Safeguarding policy 2026.pdf\n")
    assert "added" in files.list.item(0).text()
    value = stored(workspace, page, "s1.1")
    assert [f["name"] for f in value["files"]] == ["Safeguarding policy 2026.pdf", "Board minutes.txt"]
    assert value["files"][0]["sha256"] == hashlib.sha256(POLICY).hexdigest()
    assert workspace.blobs.read(value["files"][0]["sha256"]) == POLICY
    assert files.title.text() == "Evidence files (2)"


def test_a_green_with_only_a_file_is_complete(qtbot, page: EditorPage, workspace: Workspace, tmp_path: Path) -> None:
    rating = page.frames["s1.1"].input
    assert isinstance(rating, RatingWithFiles)
    rating.level.set_value("green")
    rating.level.sig_changed.emit()
    qtbot.waitUntil(lambda: "needs evidence" in page.frames["s1.1"].problems.text())
    assert "attach a file" in page.frames["s1.1"].problems.text()
    assert rating.evidence_label.text() == "Evidence (needed: write it, or attach files below)"
    drop(rating.files, [write(tmp_path, "Audit.docx", b"PK\x03\x04audit" * 50)])
    wait_for_jobs(qtbot)
    qtbot.waitUntil(lambda: not page.frames["s1.1"].problems.isVisible())
    assert rating.evidence_label.text() == "Evidence (or the files below)"
    assert page.flush()
    assert [p.item_id for p in returns.problems(workspace, page.submission.id) if p.item_id == "s1.1"] == []


def test_drag_and_drop_several_files(qtbot, page: EditorPage, workspace: Workspace, tmp_path: Path) -> None:
    files = files_of(page, "s1.2")
    paths = [write(tmp_path, f"Minutes {n}.txt", f"Minutes of meeting {n}".encode()) for n in range(3)]
    event = drop(files, paths)
    assert event.isAccepted()
    wait_for_jobs(qtbot)
    assert [f["name"] for f in stored(workspace, page, "s1.2")["files"]] == [
        "Minutes 0.txt",
        "Minutes 1.txt",
        "Minutes 2.txt",
    ]


def test_refusals_name_each_file_and_rule_and_add_nothing(
    qtbot, page: EditorPage, workspace: Workspace, tmp_path: Path
) -> None:
    files = files_of(page, "s1.1")
    good = write(tmp_path, "Policy.pdf", POLICY)
    bad = [
        write(tmp_path, "setup.exe", b"MZ\x90\x00"),
        write(tmp_path, "Empty minutes.docx", b""),
        write(tmp_path, "Fake.pdf", b"MZ\x90\x00program"),
    ]
    big = tmp_path / "Huge scan.pdf"
    with big.open("wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(11 * 1024 * 1024)
    drop(files, [good, *bad, big])
    wait_for_jobs(qtbot)
    qtbot.waitUntil(lambda: bool(message_boxes()))
    (box,) = message_boxes()
    assert box.windowTitle() == "4 files not attached"
    text = box.text()
    assert "setup.exe cannot be attached: files .exe are not accepted" in text
    assert "Empty minutes.docx is empty (0 bytes)" in text
    assert "Fake.pdf cannot be attached: its contents are not those of a PDF file" in text
    assert "Huge scan.pdf is 11 MB; files on S1.1 can be at most 10 MB" in text
    box.close()
    assert [f["name"] for f in stored(workspace, page, "s1.1")["files"]] == ["Policy.pdf"], "the good one is kept"


def test_the_count_limit_disables_add_and_refuses_more(
    qtbot, page: EditorPage, workspace: Workspace, tmp_path: Path
) -> None:
    files = files_of(page, "s1.3")
    drop(files, [write(tmp_path, f"{n}.txt", f"note {n}".encode()) for n in range(6)])
    wait_for_jobs(qtbot)
    qtbot.waitUntil(lambda: bool(message_boxes()))
    (box,) = message_boxes()
    assert "6.txt" not in box.text() and "5.txt cannot be attached: S1.3 already has 5 files" in box.text()
    box.close()
    assert files.list.count() == 5
    assert not files.add_button.isEnabled()
    assert "most files" in files.state.text()
    assert len(stored(workspace, page, "s1.3")["files"]) == 5


def test_keyboard_tab_enter_delete_and_undo(
    qtbot, page: EditorPage, workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    rating = page.frames["s1.1"].input
    assert isinstance(rating, RatingWithFiles)
    files = rating.files
    drop(files, [write(tmp_path, "a.txt", b"first file"), write(tmp_path, "b.pdf", POLICY)])
    wait_for_jobs(qtbot)

    page.window().activateWindow()
    rating.evidence.edit.setFocus()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is files.list, "Tab goes from the written evidence to the files"
    files.list.setCurrentRow(1)
    QTest.keyClick(files.list, Qt.Key.Key_Return)
    wait_for_jobs(qtbot)
    (url,) = opened
    copy = Path(url.toLocalFile())
    assert copy.read_bytes() == POLICY and copy.name == "b.pdf"
    assert not os.access(copy, os.W_OK) or os.geteuid() == 0, "a read-only copy"
    assert workspace.blobs.folder not in copy.parents

    QTest.keyClick(files.list, Qt.Key.Key_Delete)
    assert files.list.count() == 1 and files.undo_bar.isVisible()
    assert "Removed b.pdf" in files.undo_text.text()
    assert [f["name"] for f in stored(workspace, page, "s1.1")["files"]] == ["a.txt"]
    QTest.keyClick(files.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not files.undo_bar.isVisible()
    assert [f["name"] for f in stored(workspace, page, "s1.1")["files"]] == ["a.txt", "b.pdf"]
    files.list.setCurrentRow(0)
    qtbot.mouseClick(files.remove_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(files.undo_button, Qt.MouseButton.LeftButton)
    assert [f["name"] for f in stored(workspace, page, "s1.1")["files"]] == ["a.txt", "b.pdf"]


def test_carried_files_say_where_they_came_from(qtbot, workspace: Workspace, agency_id: int, tmp_path: Path) -> None:
    old = returns.start_return(workspace, agency_id, "section11", "2025/26")
    returns.save_answers(
        workspace, old.id, {"s1.1": {"level": "green", "evidence": "Policy", "example": "", "reason": ""}}
    )
    evidence.add_file(workspace, old.id, "s1.1", write(tmp_path, "Policy 2025.pdf", POLICY))
    Submission.update(status="signed").where(Submission.id == old.id).execute()
    new = returns.start_return(workspace, agency_id, "section11", "2026/27")
    page = open_editor(qtbot, workspace, new.id)
    page.go_to_section(1)
    files = files_of(page, "s1.1")
    assert files.list.count() == 1
    assert "carried from 2025/26" in files.list.item(0).text()
    assert page.frames["s1.1"].carried.isVisible()
    # Replace it: remove last year's, add this year's.
    files.list.setCurrentRow(0)
    files.remove_selected()
    drop(files, [write(tmp_path, "Policy 2026.pdf", POLICY + b"% revised\n")])
    wait_for_jobs(qtbot)
    value = stored(workspace, page, "s1.1")
    assert [(f["name"], f.get("carried", False)) for f in value["files"]] == [("Policy 2026.pdf", False)]
    assert "s1.1" not in returns.carried_items(workspace, new.id)


def test_a_signed_return_shows_its_files_read_only(
    qtbot, workspace: Workspace, agency_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = returns.start_return(workspace, agency_id, "section11", "2026/27", carry_forward=False)
    evidence.add_file(workspace, sub.id, "s1.1", write(tmp_path, "Policy.pdf", POLICY))
    Submission.update(status="signed").where(Submission.id == sub.id).execute()
    page = open_editor(qtbot, workspace, sub.id)
    files = files_of(page, "s1.1")
    assert not files.add_button.isVisible() and not files.remove_button.isVisible()
    assert files.open_button.isEnabled()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(write(tmp_path, "x.txt", b"x")))])
    enter = QDragEnterEvent(
        QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(files, enter)
    assert not enter.isAccepted()
    QTest.keyClick(files.list, Qt.Key.Key_Delete)
    assert files.list.count() == 1


def test_attaching_a_20_mb_file_never_stills_the_window(
    qtbot, page: EditorPage, workspace: Workspace, tmp_path: Path, loop_watch
) -> None:
    data = os.urandom(20 * 1024 * 1024 - 4096)
    big = write(tmp_path, "Annual audit (scanned).pdf", b"%PDF-1.4\n" + data)
    # The form's limit is 10 MB; the impact assessment's evidence item takes the 20 MB default.
    sub = returns.start_return(workspace, page.submission.agency_id, "impact", "2026/27")
    impact = open_editor(qtbot, workspace, sub.id)
    files = files_of(impact, "impact.evidence")
    loop_watch.start()
    files.add_paths([big])
    wait_for_jobs(qtbot)
    longest = loop_watch.stop()
    assert longest < 150, f"the window stood still for {longest} ms"
    value = stored(workspace, impact, "impact.evidence")
    assert value[0]["size"] == big.stat().st_size
    assert value[0]["sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
